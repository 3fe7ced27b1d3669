using Microsoft.EntityFrameworkCore;
using Parley.Server.Http;
using Parley.Server.Storage;

namespace Parley.Server.Social.Friends;

/// <summary>
/// Limits on asking strangers: someone who rejected a request is not asked again by the same person for
/// <c>RateLimits:FriendRequestCooldown</c>, and nobody makes more than <c>RateLimits:FriendRequestsPerDay</c> new
/// requests in 24 hours. Both are read from the requests themselves (indexed by sender and time), so they hold on
/// every node and across restarts. Asking back someone who asked you, which is agreeing, is never limited.
/// </summary>
internal static class FriendRequestLimits
{
    public static async Task ThrowIfRefusedAsync(ParleyDb db, RateLimitOptions limits, long me, long target, DateTimeOffset now,
        CancellationToken cancellationToken)
    {
        var cooldownStart = now - limits.FriendRequestCooldown;
        var lastRejection = await db.FriendRequests.AsNoTracking()
            .Where(r => r.FromUserId == me && r.ToUserId == target && r.Status == RequestStatus.Rejected && r.HandledAt > cooldownStart)
            .OrderByDescending(r => r.HandledAt)
            .Select(r => r.HandledAt)
            .FirstOrDefaultAsync(cancellationToken);
        if (lastRejection is { } rejectedAt)
            throw ApiProblem.TooManyRequests("This person declined your last request; you can ask again later.",
                rejectedAt + limits.FriendRequestCooldown - now, "friend_request_cooldown");

        var dayStart = now - TimeSpan.FromDays(1);
        var today = await db.FriendRequests.CountAsync(r => r.FromUserId == me && r.CreatedAt > dayStart, cancellationToken);
        if (today >= Math.Max(1, limits.FriendRequestsPerDay))
        {
            var oldest = await db.FriendRequests.Where(r => r.FromUserId == me && r.CreatedAt > dayStart)
                .MinAsync(r => r.CreatedAt, cancellationToken);
            throw ApiProblem.TooManyRequests("Too many friend requests today; try again tomorrow.", oldest + TimeSpan.FromDays(1) - now);
        }
    }
}
