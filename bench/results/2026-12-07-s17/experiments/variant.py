import sqlite3, time, sys, random, os, shutil, threading
# usage: variant.py fts_opts(none|full|off) bgcheckpoint(0|1)
fts=sys.argv[1]; bg=sys.argv[2]=='1'
shutil.copy('bench.db','work.db')
for s in ['-wal','-shm']:
    try: os.remove('work.db'+s)
    except: pass
c=sqlite3.connect('work.db', isolation_level=None, check_same_thread=False)
c.execute('pragma journal_mode=wal'); c.execute('pragma synchronous=full'); c.execute('pragma foreign_keys=on'); c.execute('pragma wal_autocheckpoint='+(sys.argv[4] if len(sys.argv)>4 else '1000'))
if fts=='none':
    c.execute('drop table MessageSearch')
    c.execute("CREATE VIRTUAL TABLE MessageSearch USING fts5(SearchText, content='Messages', content_rowid='Id', tokenize='trigram', detail=none, columnsize=0)")
    c.execute("insert into MessageSearch(MessageSearch) values('rebuild')")
c.execute('pragma wal_checkpoint(truncate)')
if bg:
    c.execute('pragma wal_autocheckpoint=0')
    stop=False; ck=[0,0.0]
    def loop():
        b=sqlite3.connect('work.db', isolation_level=None)
        b.execute('pragma synchronous=full')
        while not stop:
            t=time.perf_counter(); r=b.execute('pragma wal_checkpoint(passive)').fetchone(); ck[0]+=1; ck[1]+=time.perf_counter()-t
            time.sleep(0.05)
    th=threading.Thread(target=loop); th.start()
convs=[r[0] for r in c.execute('select Id from Conversations where Kind=0 limit 100')]
mem={cv:[r[0] for r in c.execute('select UserId from ConversationMembers where ConversationId=?',(cv,))] for cv in convs}
mid=c.execute('select max(Id) from Messages').fetchone()[0]+1
T=dict(reserve=0,insert=0,fts=0,read=0,commit=0)
N=0; tick=638700000000000000
BS=int(sys.argv[3]) if len(sys.argv)>3 else 512
for b in range(61440//BS):
    batch=[random.choice(convs) for k in range(BS)]
    t=time.perf_counter(); c.execute('begin')
    counts={}
    for cv in batch: counts[cv]=counts.get(cv,0)+1
    last={}
    for cv in sorted(counts):
        r=c.execute('UPDATE Conversations SET LastSeq=LastSeq+?, LastMessageAt=? WHERE Id=? RETURNING LastSeq, MessageTtlSeconds',(counts[cv],1765000000000,cv)).fetchone()
        last[cv]=r[0]-counts[cv]
    t1=time.perf_counter(); T['reserve']+=t1-t
    rows=[]
    for cv in batch:
        last[cv]+=1; mid+=1; s=mem[cv][0]; txt=f"7:{mid}:{tick+mid*1237}"
        rows.append((mid,cv,last[cv],s,f"7-{mid}",0,'"'+txt+'"',None,1765000000000,0,None,None,None,None,txt,None,0))
    for r in rows:
        c.execute('INSERT INTO Messages (Id,ConversationId,Seq,SenderId,ClientMsgId,Type,Content,File,SentAt,Recalled,ReplyTo,ReplyToId,Mentions,FileId,SearchText,ExpiresAt,Forwarded) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)',r)
    t2=time.perf_counter(); T['insert']+=t2-t1
    if fts!='off':
        for r in rows: c.execute('INSERT INTO MessageSearch(rowid,SearchText) VALUES (?,?)',(r[0],r[14]))
    t3=time.perf_counter(); T['fts']+=t3-t2
    mx={}
    for r in rows: mx[(r[1],r[3])]=max(mx.get((r[1],r[3]),0),r[2])
    for (cv,u),s in sorted(mx.items()): c.execute('UPDATE ConversationMembers SET ReadSeq=? WHERE ConversationId=? AND UserId=? AND ReadSeq<?',(s,cv,u,s))
    t4=time.perf_counter(); T['read']+=t4-t3
    c.execute('commit'); t5=time.perf_counter(); T['commit']+=t5-t4
    N+=BS
wal=os.path.getsize('work.db-wal')
if bg:
    stop=True; th.join(); extra=f" checkpoints {ck[0]} taking {ck[1]/N*1e6:.1f}us/msg"
else: extra=""
print(sys.argv[1:], ' '.join(f"{k} {v/N*1e6:.1f}us" for k,v in T.items()), f"total {sum(T.values())/N*1e6:.1f}us/msg wal {wal/1e6:.1f}MB"+extra)
