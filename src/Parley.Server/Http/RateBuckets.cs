using System.Collections.Concurrent;

namespace Parley.Server.Http;

/// <summary>
/// A token bucket's shape: it holds at most <see cref="Burst"/> tokens and gains <see cref="PerSecond"/> a second.
/// <see cref="Lease"/> is how many tokens a node takes from the cluster's shared bucket at a time when scaled out
/// (see <c>ScaleOut/Redis/RedisRateBuckets</c>): one round trip to Redis per lease, not per request.
/// </summary>
public sealed record BucketRule(string Name, double PerSecond, int Burst, int Lease)
{
    /// <summary>A limit given per minute: bursts of up to the whole minute's allowance, refilled evenly.</summary>
    public static BucketRule PerMinute(string name, int permits) => Per(name, permits, TimeSpan.FromMinutes(1));

    /// <summary>A limit of <paramref name="permits"/> in <paramref name="window"/>, refilled evenly over the window.</summary>
    public static BucketRule Per(string name, int permits, TimeSpan window)
    {
        var burst = Math.Max(1, permits);
        return new BucketRule(name, burst / Math.Max(1, window.TotalSeconds), burst, Math.Max(1, burst / 20));
    }

    /// <summary>How long until one more token, for Retry-After.</summary>
    public TimeSpan OneToken => TimeSpan.FromSeconds(Math.Min(86_400, 1 / PerSecond));
}

/// <summary>
/// Rate limits by key (a user, an address, an account), the same on every node: with Redis the cluster shares each
/// bucket; without it, or while Redis cannot be reached, each node counts alone (<see cref="LocalRateBuckets"/>).
/// </summary>
public interface IRateBuckets
{
    /// <summary>Takes one token of <paramref name="key"/>'s bucket; false when it is empty. Completes at once on the fast path.</summary>
    ValueTask<bool> TryTakeAsync(BucketRule rule, string key);

    /// <summary>Whether <paramref name="key"/>'s bucket has no whole token, without taking one (to refuse before trying).</summary>
    ValueTask<bool> IsEmptyAsync(BucketRule rule, string key);
}

/// <summary>
/// This node's own buckets, refilled from the clock when used (no timer per bucket); buckets idle long enough to
/// be full again are dropped once a minute. Also the fallback of the shared buckets while Redis is away.
/// </summary>
public sealed class LocalRateBuckets : IRateBuckets, IDisposable
{
    private readonly ConcurrentDictionary<(string Rule, string Key), Bucket> _buckets = new();
    private readonly TimeProvider _time;
    private readonly ITimer _sweeper;

    public LocalRateBuckets(TimeProvider time)
    {
        _time = time;
        _sweeper = time.CreateTimer(_ => Sweep(), null, TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(1));
    }

    public ValueTask<bool> TryTakeAsync(BucketRule rule, string key) => new(TryTake(rule, key));

    /// <summary>Takes one token if there is one.</summary>
    public bool TryTake(BucketRule rule, string key)
    {
        var bucket = _buckets.GetOrAdd((rule.Name, key), static (_, r) => new Bucket(r), rule);
        return bucket.TryTake(_time.GetTimestamp(), _time.TimestampFrequency);
    }

    public ValueTask<bool> IsEmptyAsync(BucketRule rule, string key) => new(IsEmpty(rule, key));

    public bool IsEmpty(BucketRule rule, string key) =>
        _buckets.TryGetValue((rule.Name, key), out var bucket) && bucket.IsEmpty(_time.GetTimestamp(), _time.TimestampFrequency);

    private void Sweep()
    {
        var now = _time.GetTimestamp();
        foreach (var (key, bucket) in _buckets)
            if (bucket.FullAgain(now, _time.TimestampFrequency)) _buckets.TryRemove(new KeyValuePair<(string, string), Bucket>(key, bucket));
    }

    public void Dispose() => _sweeper.Dispose();

    private sealed class Bucket(BucketRule rule)
    {
        private readonly Lock _lock = new();
        private double _tokens = rule.Burst;
        private long _last;

        public bool TryTake(long now, long frequency)
        {
            lock (_lock)
            {
                Refill(now, frequency);
                if (_tokens < 1) return false;
                _tokens -= 1;
                return true;
            }
        }

        public bool IsEmpty(long now, long frequency)
        {
            lock (_lock)
            {
                Refill(now, frequency);
                return _tokens < 1;
            }
        }

        public bool FullAgain(long now, long frequency)
        {
            lock (_lock)
            {
                Refill(now, frequency);
                return _tokens >= rule.Burst;
            }
        }

        private void Refill(long now, long frequency)
        {
            if (_last != 0) _tokens = Math.Min(rule.Burst, _tokens + (now - _last) * rule.PerSecond / frequency);
            _last = now;
        }
    }
}
