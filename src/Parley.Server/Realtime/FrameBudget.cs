namespace Parley.Server.Realtime;

/// <summary>
/// A token bucket for one connection's frames, refilled from the clock when asked rather than by a timer:
/// ten thousand idle connections then cost ten thousand small objects, not ten thousand timers.
/// </summary>
public sealed class FrameBudget(int perSecond, int burst, TimeProvider time)
{
    private readonly long _start = time.GetTimestamp();
    private double _tokens = burst;
    private long _last;

    /// <summary>Takes one token if there is one. Called from the connection's read loop only, so not thread-safe.</summary>
    public bool TryTake()
    {
        var now = (long)time.GetElapsedTime(_start).TotalMilliseconds;
        _tokens = Math.Min(burst, _tokens + (now - _last) * perSecond / 1000.0);
        _last = now;
        if (_tokens < 1) return false;
        _tokens -= 1;
        return true;
    }
}
