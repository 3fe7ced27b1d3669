using Microsoft.Diagnostics.Tracing;
using Microsoft.Diagnostics.Tracing.Etlx;
using Microsoft.Diagnostics.Tracing.Parsers.Clr;
// Sums GC AllocationTick events (one per ~100 KB allocated) by type, then by allocating stack for the chosen types.
var path = args[0];
var focus = args.Length > 1 ? args[1] : "System.Byte[]";
var depth = args.Length > 2 ? int.Parse(args[2]) : 8;
var etlx = TraceLog.CreateFromEventPipeDataFile(path);
using var log = new TraceLog(etlx);
var byType = new Dictionary<string, long>();
var byStack = new Dictionary<string, long>();
var gcs = new Dictionary<string, int>();
var lohTypes = new Dictionary<string, long>();
long total = 0, focusTotal = 0;
foreach (var ev in log.Events)
{
    if (ev is GCStartTraceData g) { var k = $"gen{g.Depth} {g.Reason} {g.Type}"; gcs[k] = gcs.GetValueOrDefault(k) + 1; continue; }
    if (ev is not GCAllocationTickTraceData e) continue;
    if (e.AllocationKind == GCAllocationKind.Large) lohTypes[e.TypeName ?? "?"] = lohTypes.GetValueOrDefault(e.TypeName ?? "?") + e.AllocationAmount64;
    var name = e.TypeName ?? "?";
    byType[name] = byType.GetValueOrDefault(name) + e.AllocationAmount64;
    total += e.AllocationAmount64;
    if (name != focus) continue;
    focusTotal += e.AllocationAmount64;
    var frames = new List<string>();
    for (var s = e.CallStack(); s != null && frames.Count < depth; s = s.Caller)
    {
        var m = s.CodeAddress.FullMethodName;
        if (string.IsNullOrEmpty(m)) m = s.CodeAddress.ModuleName + "!?";
        if (m.StartsWith("System.GC") || m.Contains("AllocateUninitializedArray") || m.Contains("GC.Alloc")) continue;
        frames.Add(m.Length > 140 ? m[..140] : m);
    }
    var key = string.Join("\n      <- ", frames);
    byStack[key] = byStack.GetValueOrDefault(key) + e.AllocationAmount64;
}
foreach (var (k, v) in gcs.OrderByDescending(p => p.Value)) Console.WriteLine($"{v,5} {k}");
foreach (var (k, v) in lohTypes.OrderByDescending(p => p.Value)) Console.WriteLine($"LOH {v / 1e6:F1} MB {k}");
foreach (var (k, v) in byType.OrderByDescending(p => p.Value).Take(25)) Console.WriteLine($"{v / 1e6,8:F1} MB {k}");
Console.WriteLine($"total sampled {total / 1e6:F1} MB; {focus} {focusTotal / 1e6:F1} MB");
foreach (var (k, v) in byStack.OrderByDescending(p => p.Value).Take(25)) Console.WriteLine($"{100.0 * v / focusTotal,5:F1}%  {k}\n");
