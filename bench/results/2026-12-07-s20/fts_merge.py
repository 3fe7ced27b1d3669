import sqlite3, time, os, sys, random
path="/tmp/fts_merge.db"
for s in ["","-wal","-shm"]:
    try: os.remove(path+s)
    except FileNotFoundError: pass
automerge=int(sys.argv[1]); merge=int(sys.argv[2]); rounds=int(os.environ.get("ROUNDS","500"))
db=sqlite3.connect(path, isolation_level=None)
db.execute("PRAGMA journal_mode=WAL"); db.execute("PRAGMA synchronous=NORMAL"); db.execute("PRAGMA wal_autocheckpoint=0")
db.execute('CREATE TABLE Messages(Id INTEGER PRIMARY KEY, SearchText TEXT)')
db.execute('''CREATE VIRTUAL TABLE MessageSearch USING fts5(SearchText, content='Messages', content_rowid='Id', tokenize='trigram', detail=none, columnsize=0)''')
db.execute(f"INSERT INTO MessageSearch(MessageSearch, rank) VALUES('automerge', {automerge})")
nid=0; rt=[]; mt=[]; ticks=638_000_000_000_000_000
for r in range(rounds):
    rows=[]
    for i in range(500):
        nid+=1; ticks+=random.randint(1000,30000)
        rows.append((nid, f"{random.randint(1,4)}:{nid}:{ticks} hello there"))
    db.execute("BEGIN IMMEDIATE"); db.executemany("INSERT INTO Messages VALUES(?,?)", rows); db.execute("COMMIT")
    t0=time.perf_counter()
    db.execute("BEGIN IMMEDIATE")
    db.execute("INSERT INTO MessageSearch(rowid, SearchText) SELECT Id, SearchText FROM Messages WHERE Id > ?", (nid-500,))
    db.execute("COMMIT")
    rt.append((time.perf_counter()-t0)*1000)
    if merge:
        for k in range(int(os.environ.get("STEPS","1"))):
            t0=time.perf_counter()
            before=db.total_changes
            db.execute("BEGIN IMMEDIATE")
            db.execute(f"INSERT INTO MessageSearch(MessageSearch, rank) VALUES('merge', {merge})")
            db.execute("COMMIT")
            mt.append((time.perf_counter()-t0)*1000)
            if db.total_changes-before <= 1: break
def q(a,p): a=sorted(a); return a[min(len(a)-1,int(len(a)*p))] if a else 0
segs=db.execute("SELECT count(*) FROM MessageSearch_data").fetchone()[0]
t0=time.perf_counter(); 
for w in ["hel","123","999","abc"]:
    db.execute("SELECT count(*) FROM MessageSearch WHERE MessageSearch MATCH ?", (f'"{w}"',)).fetchone()
qt=(time.perf_counter()-t0)*1000
print(f"automerge {automerge} merge {merge}: round p50 {q(rt,.5):.1f} p90 {q(rt,.9):.1f} p99 {q(rt,.99):.1f} max {max(rt):.1f} | merge steps {len(mt)} p50 {q(mt,.5):.1f} p99 {q(mt,.99):.1f} max {max(mt) if mt else 0:.1f} | data rows {segs} query4 {qt:.1f} ms")
