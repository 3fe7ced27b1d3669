using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using Parley.Server.Http;
using StackExchange.Redis;

namespace Parley.Server.ScaleOut.Redis;

/// <summary>
/// Rate limits shared by every node: one token bucket per key in Redis (<see cref="TakeScript"/>, on Redis's clock),
/// from which each node <em>leases</em> <see cref="BucketRule.Lease"/> tokens at a time and spends them locally. A
/// request costs a lock and a subtraction; a round trip to Redis happens once per lease, and starts in the background
/// when half the lease is spent, so a steady sender never waits for it. Tokens a node leased and did not spend within
/// <see cref="LeaseLifetime"/> are dropped (a little stricter, never looser, than one bucket: N nodes can never grant
/// more than the shared bucket holds).
/// <para>While Redis cannot be reached (not connected, an error, or no answer within <see cref="RedisTimeout"/>),
/// each node counts alone, with the <see cref="LocalRateBuckets"/> it keeps charged all along, and chat goes on; it
/// tries Redis again after <see cref="RetryRedisAfter"/>.</para>
/// </summary>
public sealed partial class RedisRateBuckets : IRateBuckets, IDisposable
{
    public static readonly TimeSpan LeaseLifetime = TimeSpan.FromSeconds(5);
    public static readonly TimeSpan RedisTimeout = TimeSpan.FromMilliseconds(500);
    public static readonly TimeSpan RetryRedisAfter = TimeSpan.FromSeconds(2);

    /// <summary>
    /// KEYS[1]: the bucket. ARGV: tokens per ms, burst, tokens wanted. Refills from the time it was last touched, takes
    /// what it can of what was asked (0 when empty) and keeps the bucket only as long as it takes to fill up again.
    /// </summary>
    private const string TakeScript =
        "local t = redis.call('TIME') local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000) " +
        "local rate, burst, want = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]) " +
        "local b = redis.call('HMGET', KEYS[1], 'tokens', 'at') " +
        "local tokens, at = tonumber(b[1]), tonumber(b[2]) " +
        "if tokens == nil then tokens = burst at = now end " +
        "tokens = math.min(burst, tokens + math.max(0, now - at) * rate) " +
        "local got = math.min(math.floor(tokens), want) " +
        "tokens = tokens - got " +
        "redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', now) " +
        "redis.call('PEXPIRE', KEYS[1], math.ceil((burst - tokens) / rate) + 1000) " +
        "if want == 0 then return math.floor(tokens) end " +
        "return got";

    private readonly IConnectionMultiplexer _redis;
    private readonly LocalRateBuckets _local;
    private readonly TimeProvider _time;
    private readonly ILogger<RedisRateBuckets> _logger;
    private readonly string _prefix;
    private readonly ConcurrentDictionary<(string Rule, string Key), Stock> _stocks = new();
    private readonly ITimer _sweeper;
    private long _redisAwayUntil;

    public RedisRateBuckets(IConnectionMultiplexer redis, IOptions<ScaleOutOptions> options, LocalRateBuckets local, TimeProvider time,
        ILogger<RedisRateBuckets> logger)
    {
        _redis = redis;
        _local = local;
        _time = time;
        _logger = logger;
        _prefix = options.Value.KeyPrefix + "rate:";
        _sweeper = time.CreateTimer(_ => Sweep(), null, TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(1));
    }

    /// <summary>Whether Redis is taken to be away just now (the limits are this node's own).</summary>
    public bool RedisAway => _time.GetTimestamp() < Volatile.Read(ref _redisAwayUntil) || !_redis.IsConnected;

    public ValueTask<bool> TryTakeAsync(BucketRule rule, string key)
    {
        // Always charged, so that if Redis goes away this node's own count already knows the recent past.
        var locally = _local.TryTake(rule, key);
        if (RedisAway) return new(locally);

        var stock = _stocks.GetOrAdd((rule.Name, key), static _ => new Stock());
        Task refill;
        var now = _time.GetTimestamp();
        lock (stock)
        {
            stock.LastUsed = now;
            if (stock.Tokens > 0 && _time.GetElapsedTime(stock.LeasedAt, now) > LeaseLifetime) stock.Tokens = 0;
            if (stock.Tokens > 0)
            {
                stock.Tokens--;
                if (stock.Tokens <= rule.Lease / 2 && stock.Refill is null) StartRefill(stock, rule, key);
                return new(true);
            }
            // The shared bucket was empty a moment ago: refused without asking Redis until it has a token again.
            if (now < stock.EmptyUntil) return new(false);
            refill = stock.Refill ?? StartRefill(stock, rule, key);
        }
        return WaitForLeaseAsync(refill, stock, locally);
    }

    public async ValueTask<bool> IsEmptyAsync(BucketRule rule, string key)
    {
        var locally = _local.IsEmpty(rule, key);
        if (RedisAway) return locally;
        if (_stocks.TryGetValue((rule.Name, key), out var stock))
            lock (stock)
                if (stock.Tokens > 0 && _time.GetElapsedTime(stock.LeasedAt) <= LeaseLifetime) return false;
        try
        {
            var answer = await _redis.GetDatabase().ScriptEvaluateAsync(TakeScript, [(RedisKey)(_prefix + rule.Name + ":" + key)],
                [rule.PerSecond / 1000, rule.Burst, 0]).WaitAsync(RedisTimeout);
            return (int)answer < 1;
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            GoLocal(e);
            return locally;
        }
    }

    private async ValueTask<bool> WaitForLeaseAsync(Task refill, Stock stock, bool locally)
    {
        await refill;
        lock (stock)
        {
            if (stock.Tokens > 0)
            {
                stock.Tokens--;
                return true;
            }
            // Redis went away during the wait: this node's own count decides.
            return stock.RedisFailed ? locally : false;
        }
    }

    /// <summary>Under the stock's lock: marks a refill as under way and starts it outside the lock.</summary>
    private Task StartRefill(Stock stock, BucketRule rule, string key)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        stock.Refill = done.Task;
        _ = Task.Run(() => RefillAsync(stock, rule, key, done));
        return done.Task;
    }

    private async Task RefillAsync(Stock stock, BucketRule rule, string key, TaskCompletionSource done)
    {
        var got = 0;
        var failed = false;
        try
        {
            var answer = await _redis.GetDatabase().ScriptEvaluateAsync(TakeScript, [(RedisKey)(_prefix + rule.Name + ":" + key)],
                [rule.PerSecond / 1000, rule.Burst, rule.Lease]).WaitAsync(RedisTimeout);
            got = (int)answer;
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            failed = true;
            GoLocal(e);
        }
        lock (stock)
        {
            stock.RedisFailed = failed;
            if (got == 0 && !failed) stock.EmptyUntil = _time.GetTimestamp() + (long)(rule.OneToken.TotalSeconds * _time.TimestampFrequency);
            if (got > 0)
            {
                // What is left of an old lease is dropped with it: the shared bucket already counts it as spent.
                stock.Tokens = _time.GetElapsedTime(stock.LeasedAt) > LeaseLifetime ? got : stock.Tokens + got;
                stock.LeasedAt = _time.GetTimestamp();
            }
            stock.Refill = null;
        }
        done.SetResult();
    }

    private void GoLocal(Exception e)
    {
        var until = _time.GetTimestamp() + (long)(RetryRedisAfter.TotalSeconds * _time.TimestampFrequency);
        var before = Interlocked.Exchange(ref _redisAwayUntil, until);
        if (_time.GetTimestamp() >= before) LogRedisAway(_logger, e.GetType().Name);
    }

    private void Sweep()
    {
        var now = _time.GetTimestamp();
        foreach (var (key, stock) in _stocks)
            if (_time.GetElapsedTime(stock.LastUsed, now) > LeaseLifetime && stock.Refill is null)
                _stocks.TryRemove(new KeyValuePair<(string, string), Stock>(key, stock));
    }

    public void Dispose() => _sweeper.Dispose();

    /// <summary>This node's lease of one shared bucket. Guarded by its own lock.</summary>
    private sealed class Stock
    {
        public int Tokens;
        public long LeasedAt;
        public long LastUsed;
        public long EmptyUntil;
        public Task? Refill;
        public bool RedisFailed;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Rate limits: Redis cannot be reached ({Error}); each node counts alone until it can")]
    private static partial void LogRedisAway(ILogger logger, string error);
}
