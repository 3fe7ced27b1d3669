using System.Threading.RateLimiting;

namespace Parley.Server.Http;

/// <summary>
/// One key's bucket of <see cref="IRateBuckets"/> as a limiter of ASP.NET Core's rate-limiting middleware, so that
/// the per-address limits are shared by every node. The middleware first tries <c>AttemptAcquire</c>, which here
/// never takes anything (the shared bucket may need Redis), and then awaits <c>AcquireAsync</c>, which takes one token.
/// </summary>
internal sealed class BucketLimiter(IRateBuckets buckets, BucketRule rule, string key, TimeProvider time) : RateLimiter
{
    private long _lastUsed = time.GetTimestamp();

    public override TimeSpan? IdleDuration => time.GetElapsedTime(_lastUsed);

    public override RateLimiterStatistics? GetStatistics() => null;

    protected override RateLimitLease AttemptAcquireCore(int permitCount) => Lease.NotYet;

    protected override async ValueTask<RateLimitLease> AcquireAsyncCore(int permitCount, CancellationToken cancellationToken)
    {
        _lastUsed = time.GetTimestamp();
        if (permitCount == 0) return Lease.Granted;
        return await buckets.TryTakeAsync(rule, key) ? Lease.Granted : new Lease(false, rule.OneToken);
    }

    private sealed class Lease(bool acquired, TimeSpan? retryAfter) : RateLimitLease
    {
        public static readonly Lease Granted = new(true, null);
        public static readonly Lease NotYet = new(false, null);

        public override bool IsAcquired => acquired;

        public override IEnumerable<string> MetadataNames => retryAfter is null ? [] : [MetadataName.RetryAfter.Name];

        public override bool TryGetMetadata(string metadataName, out object? metadata)
        {
            metadata = retryAfter;
            return retryAfter is not null && metadataName == MetadataName.RetryAfter.Name;
        }

        // Nothing to give back: a token, once taken, is spent.
    }
}
