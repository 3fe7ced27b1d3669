import sqlite3, time, os
def run(opts, cfg=[], n=200000, batch=200, label=""):
    path=f"/tmp/fts_x.db"
    for s in ["","-wal","-shm"]:
        try: os.remove(path+s)
        except: pass
    c=sqlite3.connect(path, isolation_level=None)
    c.execute("pragma journal_mode=wal"); c.execute("pragma synchronous=normal")
    c.execute("create table m(id integer primary key, t text)")
    c.execute(f"create virtual table s using fts5(t, content='m', content_rowid='id', tokenize='trigram'{opts})")
    for k,v in cfg: c.execute(f"insert into s(s, rank) values('{k}', {v})")
    t0=time.process_time(); i=0; tick=638700000000000000
    while i<n:
        c.execute("begin")
        for _ in range(batch):
            i+=1; txt=f"{7}:{i}:{tick+i*1237}"
            c.execute("insert into m(id,t) values(?,?)",(i,txt))
            c.execute("insert into s(rowid,t) values(?,?)",(i,txt))
        c.execute("commit")
    el=time.process_time()-t0
    segs=c.execute("select count(*) from s_data").fetchone()[0]
    t1=time.process_time()
    for q in ["123","456","7:1"]:
        for _ in range(50): c.execute("select rowid from s where s match ? order by rowid desc limit 20",('"'+q+'"',)).fetchall()
    qt=(time.process_time()-t1)/150
    print(f"{opts+str(cfg)+label:60} {el/n*1e6:6.2f} us/row  db {os.path.getsize(path)/1e6:.1f} MB query {qt*1e3:.2f} ms", flush=True)
for o in [", detail=none, columnsize=0"]:
  for cfg in [[], [("automerge",16)], [("automerge",0),("crisismerge",64)], [("automerge",16),("crisismerge",64)], [("automerge",2)]]:
    run(o,cfg)
run(", detail=none, columnsize=0", [], batch=50, label=" batch50")
run(", detail=none, columnsize=0", [], batch=1000, label=" batch1000")
