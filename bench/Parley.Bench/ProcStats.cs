using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;

namespace Parley.Bench;

/// <summary>One reading of a process's CPU time and resident memory, from /proc.</summary>
public readonly record struct ProcSample(double CpuSeconds, double SystemSeconds, long RssKiB, long Timestamp)
{
    /// <summary>The kernel's clock tick (USER_HZ): 100 on Linux.</summary>
    public const double ClockTicksPerSecond = 100;

    public static ProcSample? Read(int? pid)
    {
        if (pid is null) return null;
        try
        {
            // Fields after the command name, which may itself hold spaces and brackets: state is the first, utime the 12th, stime the 13th.
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            var user = long.Parse(fields[11], CultureInfo.InvariantCulture);
            var system = long.Parse(fields[12], CultureInfo.InvariantCulture);
            return new ProcSample((user + system) / ClockTicksPerSecond, system / ClockTicksPerSecond, ReadRss(pid.Value), Stopwatch.GetTimestamp());
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
            return null;
        }
    }

    private static long ReadRss(int pid)
    {
        foreach (var line in File.ReadLines($"/proc/{pid}/status"))
        {
            if (!line.StartsWith("VmRSS:", StringComparison.Ordinal)) continue;
            return long.Parse(line["VmRSS:".Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
        }
        return 0;
    }

    public static double? CpuBetween(ProcSample? before, ProcSample? after) =>
        before is { } b && after is { } a ? a.CpuSeconds - b.CpuSeconds : null;

    /// <summary>The kernel's part (stime) of <see cref="CpuBetween"/>: system calls, network stack, file system.</summary>
    public static double? SystemCpuBetween(ProcSample? before, ProcSample? after) =>
        before is { } b && after is { } a ? a.SystemSeconds - b.SystemSeconds : null;
}

/// <summary>The whole machine's busy CPU time (all cores), from /proc/stat: tells how much else was running.</summary>
public readonly record struct MachineSample(double BusySeconds, double TotalSeconds)
{
    public static MachineSample Read()
    {
        var line = File.ReadLines("/proc/stat").First();
        var v = line.Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(s => long.Parse(s, CultureInfo.InvariantCulture)).ToArray();
        // user nice system idle iowait irq softirq steal (guest time is already in user).
        var idle = v[3] + v[4];
        var busy = v[0] + v[1] + v[2] + v[5] + v[6] + (v.Length > 7 ? v[7] : 0);
        return new MachineSample(busy / ProcSample.ClockTicksPerSecond, (busy + idle) / ProcSample.ClockTicksPerSecond);
    }

    public static string LoadAverage() => File.ReadAllText("/proc/loadavg").Trim();
}

/// <summary>The generator's own file-descriptor limit, raised to the hard limit when it can be.</summary>
public static partial class FileLimit
{
    private const int RlimitNofile = 7;

    [StructLayout(LayoutKind.Sequential)]
    private struct RLimit
    {
        public ulong Current;
        public ulong Max;
    }

    [DllImport("libc", EntryPoint = "getrlimit", SetLastError = true)]
    private static extern int GetRLimit(int resource, ref RLimit limit);

    [DllImport("libc", EntryPoint = "setrlimit", SetLastError = true)]
    private static extern int SetRLimit(int resource, ref RLimit limit);

    /// <summary>Raises the soft limit towards <paramref name="wanted"/> (at most the hard limit); returns the soft limit now.</summary>
    public static long Raise(long wanted)
    {
        if (!OperatingSystem.IsLinux()) return -1;
        var limit = new RLimit();
        if (GetRLimit(RlimitNofile, ref limit) != 0) return -1;
        if (limit.Current >= (ulong)wanted) return (long)limit.Current;
        var raised = limit with { Current = Math.Min((ulong)wanted, limit.Max) };
        if (raised.Current > limit.Current && SetRLimit(RlimitNofile, ref raised) == 0) return (long)raised.Current;
        return (long)limit.Current;
    }
}
