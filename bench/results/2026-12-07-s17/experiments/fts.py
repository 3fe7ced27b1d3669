import sqlite3, time, os, random, sys
def run(opts, n=200000, batch=200):
    path=f"/tmp/fts_{abs(hash(opts))}.db"
    for s in ["","-wal","-shm"]:
        try: os.remove(path+s)
        except: pass
    c=sqlite3.connect(path, isolation_level=None)
    c.execute("pragma journal_mode=wal"); c.execute("pragma synchronous=normal")
    c.execute("create table m(id integer primary key, t text)")
    if opts is not None:
        c.execute(f"create virtual table s using fts5(t, content='m', content_rowid='id', tokenize='trigram'{opts})")
    t0=time.process_time()
    i=0
    tick=638700000000000000
    while i<n:
        c.execute("begin")
        for _ in range(batch):
            i+=1
            txt=f"{7}:{i}:{tick+i*1237}"
            c.execute("insert into m(id,t) values(?,?)",(i,txt))
            if opts is not None: c.execute("insert into s(rowid,t) values(?,?)",(i,txt))
        c.execute("commit")
    el=time.process_time()-t0
    sz=os.path.getsize(path)
    print(f"{opts!s:50} {el/n*1e6:6.2f} us/row  db {sz/1e6:.1f} MB", flush=True)
for o in [None, "", ", columnsize=0", ", detail=none", ", detail=none, columnsize=0", ", detail=column, columnsize=0"]:
    run(o)
