import sqlite3, time, os, sys, random
path="/tmp/fts_probe.db"
for s in ["","-wal","-shm"]:
    try: os.remove(path+s)
    except FileNotFoundError: pass
automerge = sys.argv[1] if len(sys.argv)>1 else None
db=sqlite3.connect(path, isolation_level=None)
db.execute("PRAGMA journal_mode=WAL"); db.execute("PRAGMA synchronous=NORMAL"); db.execute("PRAGMA wal_autocheckpoint=%s" % os.environ.get("CKPT","1000"))
db.execute('CREATE TABLE Messages(Id INTEGER PRIMARY KEY, SearchText TEXT)')
db.execute('''CREATE VIRTUAL TABLE MessageSearch USING fts5(SearchText, content='Messages', content_rowid='Id', tokenize='trigram', detail=none, columnsize=0)''')
if automerge is not None:
    db.execute(f"INSERT INTO MessageSearch(MessageSearch, rank) VALUES('automerge', {automerge})")
pad=" " + "x"*int(os.environ.get("PAD","0"))
nid=0; times=[]; ticks=638_000_000_000_000_000
for r in range(int(os.environ.get("ROUNDS","250"))):
    rows=[]
    for i in range(500):
        nid+=1; ticks+=random.randint(1000,30000)
        rows.append((nid, f"{random.randint(1,4)}:{nid}:{ticks}{pad}"))
    db.execute("BEGIN IMMEDIATE")
    db.executemany("INSERT INTO Messages VALUES(?,?)", rows)
    db.execute("COMMIT")
    t0=time.perf_counter()
    db.execute("BEGIN IMMEDIATE")
    db.execute("INSERT INTO MessageSearch(rowid, SearchText) SELECT Id, SearchText FROM Messages WHERE Id > ?", (nid-500,))
    t1=time.perf_counter()
    db.execute("COMMIT")
    t2=time.perf_counter()
    times.append((t1-t0)*1000, ) if False else times.append(((t1-t0)*1000,(t2-t1)*1000))
ins=sorted(t[0] for t in times); com=sorted(t[1] for t in times)
tot=sorted(t[0]+t[1] for t in times)
def q(a,p): return a[min(len(a)-1,int(len(a)*p))]
print("automerge",automerge,"insert p50 %.1f p90 %.1f max %.1f | commit p50 %.1f p90 %.1f p99 %.1f max %.1f | >10ms %d"%(q(ins,.5),q(ins,.9),ins[-1],q(com,.5),q(com,.9),q(com,.99),com[-1], sum(1 for x in tot if x>10)))
