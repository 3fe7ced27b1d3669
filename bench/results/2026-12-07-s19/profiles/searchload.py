import http.client, json, sys, time, random, urllib.parse
port, n, phone, path_kind = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4]
words=[l.split('|')[0] for l in open('/tmp/words.txt') if not any('\u4e00'<=ch<='\u9fff' for ch in l.split('|')[0])]
chinese=["你好吗", "今天晚上一起吃饭", "明天开会", "周末去爬山", "收到文件了", "谢谢你的帮助", "我们在路上", "生日快乐"]
c = http.client.HTTPConnection("127.0.0.1", port)
def req(method, path, body=None, token=None):
    h = {"content-type": "application/json"}
    if token: h["authorization"] = "Bearer " + token
    c.request(method, path, body=json.dumps(body) if body else None, headers=h)
    r = c.getresponse(); return r.status, r.read()
s, d = req("POST", "/api/v1/auth/login", {"login": phone, "password": "bench-password"})
token = json.loads(d)["accessToken"]
rnd=random.Random(7)
t=[]
for i in range(n+100):
    q = rnd.choice(chinese) if rnd.random()<0.2 else rnd.choice(words)
    a=time.perf_counter(); s,_=req("GET", "/api/v1/messages/search?limit=20&q="+urllib.parse.quote(q), token=token); dt=(time.perf_counter()-a)*1000
    assert s==200, s
    if i>=100: t.append((dt,q))
t.sort(); print("search across p50 %.1f p99 %.1f max %.1f"%(t[len(t)//2][0], t[int(len(t)*0.99)][0], t[-1][0])); print("slowest:", [(round(x,1),q) for x,q in t[-8:]])
