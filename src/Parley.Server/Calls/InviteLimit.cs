using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;

namespace Parley.Server.Calls;

/// <summary>
/// At most <see cref="CallsOptions.InvitesPerMinute"/> invites per user in a fixed one-minute window (per node, in
/// memory). The windows run on the <see cref="CallClock"/>, so that a test driving calls with a fake clock drives
/// this too: the partition is the user and the clock's current minute, and each is a fixed-window limiter of
/// ASP.NET Core's rate limiting. Stale partitions are dropped by the partitioned limiter once idle.
/// </summary>
public sealed class InviteLimit : IDisposable
{
    private static readonly TimeSpan Window = TimeSpan.FromMinutes(1);
    private readonly PartitionedRateLimiter<long> _invites;
    private readonly TimeProvider _time;

    public InviteLimit(IOptions<CallsOptions> options, CallClock clock)
    {
        _time = clock.Time;
        var perWindow = Math.Max(1, options.Value.InvitesPerMinute);
        _invites = PartitionedRateLimiter.Create<long, (long User, long Window)>(
            userId => RateLimitPartition.GetFixedWindowLimiter((userId, _time.GetUtcNow().Ticks / Window.Ticks),
                _ => new FixedWindowRateLimiterOptions { PermitLimit = perWindow, Window = Window, QueueLimit = 0 }));
    }

    /// <summary>Takes one invite of the user's allowance; false when it is used up for this minute.</summary>
    public bool TryTake(long userId)
    {
        using var lease = _invites.AttemptAcquire(userId);
        return lease.IsAcquired;
    }

    public void Dispose() => _invites.Dispose();
}
