using System.Diagnostics;
using System.Numerics;

namespace Parley.Bench;

/// <summary>
/// A concurrent latency histogram in microseconds: exact below 1,024 µs, then 512 buckets per power of two
/// (under 0.2% error). Recording is one interlocked increment, no allocation.
/// </summary>
public sealed class Histogram
{
    private const int SubBits = 9;
    private const int Sub = 1 << SubBits;
    private const int Linear = 2 * Sub;
    private readonly long[] _counts = new long[Linear + (64 - SubBits) * Sub];
    private long _max;
    private long _count;

    public long Count => Interlocked.Read(ref _count);

    public static long TicksToMicroseconds(long ticks) => ticks <= 0 ? 0 : ticks * 1_000_000 / Stopwatch.Frequency;

    public void RecordTicks(long ticks) => Record(TicksToMicroseconds(ticks));

    public void Record(long microseconds)
    {
        if (microseconds < 0) microseconds = 0;
        Interlocked.Increment(ref _counts[Index(microseconds)]);
        Interlocked.Increment(ref _count);
        var max = Volatile.Read(ref _max);
        while (microseconds > max)
        {
            var seen = Interlocked.CompareExchange(ref _max, microseconds, max);
            if (seen == max) break;
            max = seen;
        }
    }

    private static int Index(long v)
    {
        if (v < Linear) return (int)v;
        var shift = BitOperations.Log2((ulong)v) - SubBits;
        return Linear + (shift - 1) * Sub + (int)((v >> shift) - Sub);
    }

    /// <summary>The largest value that falls in bucket <paramref name="index"/>.</summary>
    private static long Upper(int index)
    {
        if (index < Linear) return index;
        var k = index - Linear;
        var shift = k / Sub + 1;
        var mantissa = (long)(k % Sub + Sub);
        return ((mantissa + 1) << shift) - 1;
    }

    /// <summary>The value at quantile <paramref name="q"/> (0..1) in milliseconds, or null when empty.</summary>
    public double? PercentileMs(double q)
    {
        var total = Count;
        if (total == 0) return null;
        var rank = Math.Max(1, (long)Math.Ceiling(q * total));
        long seen = 0;
        for (var i = 0; i < _counts.Length; i++)
        {
            seen += _counts[i];
            if (seen >= rank) return Math.Min(Upper(i), MaxMicroseconds) / 1000.0;
        }
        return MaxMicroseconds / 1000.0;
    }

    public long MaxMicroseconds => Interlocked.Read(ref _max);
    public double? MaxMs => Count == 0 ? null : MaxMicroseconds / 1000.0;
}
