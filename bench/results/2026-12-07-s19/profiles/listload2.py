import http.client, json, sys, time, urllib.parse
port, n = int(sys.argv[1]), int(sys.argv[2])
c = http.client.HTTPConnection("127.0.0.1", port)
def req(method, path, body=None, token=None):
    h = {"content-type": "application/json"}
    if token: h["authorization"] = "Bearer " + token
    c.request(method, path, body=json.dumps(body) if body else None, headers=h)
    r = c.getresponse(); return r.status, r.read()
s, d = req("POST", "/api/v1/auth/login", {"login": sys.argv[3], "password": "bench-password"})
token = json.loads(d)["accessToken"]
cursor = json.loads(req("GET", "/api/v1/conversations", token=token)[1])["nextCursor"]
path = "/api/v1/conversations" + ("?cursor=" + urllib.parse.quote(cursor) if sys.argv[4] == "later" else "")
t=[]
for i in range(n):
    a=time.perf_counter(); s,_=req("GET", path, token=token); t.append((time.perf_counter()-a)*1000)
t.sort(); print(sys.argv[4], "p50 %.1f p99 %.1f"%(t[len(t)//2], t[int(len(t)*0.99)]))
