import sqlite3,time,random
c=sqlite3.connect('hist.db')
conv=255527683160190976
words=['loganzenfel','felmijor','gandorloka','ruzenru','nevisato','zenlofelqui','jorrugan','misarugan','dornefelhu','paqui','hurusa','mifelvi']
def cover(q,allg):
    n=len(q); st=list(range(0,n-2)) if allg else list(range(0,n-2,3))
    if not allg and st[-1]!=n-3: st.append(n-3)
    return ' AND '.join('"'+q[i:i+3]+'"' for i in st)
for mode in ['phrase','cover','all']:
    ts=[]
    for w in words*3:
        t=time.perf_counter()
        if mode=='phrase':
            r=c.execute('SELECT m.Id FROM MS2 s CROSS JOIN Messages m ON m.Id=s.rowid WHERE MS2 MATCH ? AND m.ConversationId=? ORDER BY s.rowid DESC LIMIT 20',('"'+w+'"',conv)).fetchall()
        else:
            r=c.execute('SELECT m.Id FROM MessageSearch s CROSS JOIN Messages m ON m.Id=s.rowid WHERE MessageSearch MATCH ? AND instr(m.SearchText, ?)>0 AND m.ConversationId=? ORDER BY s.rowid DESC LIMIT 20',(cover(w,mode=='all'),w,conv)).fetchall()
        ts.append((time.perf_counter()-t)*1000)
    ts.sort(); print(mode, f"p50 {ts[len(ts)//2]:.1f} ms max {ts[-1]:.1f} ms mean {sum(ts)/len(ts):.1f}")
print()
for w in words:
    row=[]
    for mode in ['phrase','cover','all']:
        t=time.perf_counter()
        if mode=='phrase':
            r=c.execute('SELECT m.Id FROM MS2 s CROSS JOIN Messages m ON m.Id=s.rowid WHERE MS2 MATCH ? AND m.ConversationId=? ORDER BY s.rowid DESC LIMIT 20',('"'+w+'"',conv)).fetchall()
        else:
            r=c.execute('SELECT m.Id FROM MessageSearch s CROSS JOIN Messages m ON m.Id=s.rowid WHERE MessageSearch MATCH ? AND instr(m.SearchText, ?)>0 AND m.ConversationId=? ORDER BY s.rowid DESC LIMIT 20',(cover(w,mode=='all'),w,conv)).fetchall()
        row.append(f"{(time.perf_counter()-t)*1000:6.1f}")
    hits=c.execute('select count(*) from Messages where instr(SearchText,?)>0',(w,)).fetchone()[0]
    print(f"{w:14} {' '.join(row)}  global hits {hits}")
