using Microsoft.EntityFrameworkCore;
using Parley.Server.Http;
using Parley.Server.ScaleOut;
using Parley.Server.Storage;

namespace Parley.Server.Realtime;

/// <summary>Tells a user's friends when the user's first device connects and last device leaves; never someone the user blocked or who blocked the user.</summary>
public sealed class PresenceTracker(IServiceScopeFactory scopes, IMessageRouter router, Events.DomainEvents events) : IPresenceAnnouncer
{
    public Task CameOnlineAsync(long userId) => AnnounceAsync(userId, online: true);

    public Task WentOfflineAsync(long userId) => AnnounceAsync(userId, online: false);

    private readonly BatchedLookup<long, List<long>> _audiences = new(AudienceReader(scopes), absent: []);

    /// <summary>
    /// Reads the friends of some users, less blocks either way: a reconnect storm asks it for every user coming back, so
    /// the query is compiled once and read in batches (<see cref="BatchedLookup{TKey,TValue}"/>). Compiled per tracker,
    /// not statically: a compiled query keeps the model of the first context it ran on, and a process may host servers
    /// on both providers (tests).
    /// </summary>
    private static Func<IReadOnlyList<long>, Task<IReadOnlyDictionary<long, List<long>>>> AudienceReader(IServiceScopeFactory scopes)
    {
        var audiencesOf = EF.CompileAsyncQuery((ParleyDb db, long[] userIds) =>
            db.Friendships
                .Where(f => userIds.Contains(f.UserId))
                .Where(f => !db.Blocks.Any(b => (b.UserId == f.UserId && b.BlockedUserId == f.FriendId) || (b.UserId == f.FriendId && b.BlockedUserId == f.UserId)))
                .Select(f => new FriendOf(f.UserId, f.FriendId)));
        return async userIds =>
        {
            await using var scope = scopes.CreateAsyncScope();
            var audiences = new Dictionary<long, List<long>>(userIds.Count);
            await foreach (var friendship in audiencesOf(scope.ServiceProvider.GetRequiredService<ParleyDb>(), [.. userIds]))
            {
                if (!audiences.TryGetValue(friendship.UserId, out var friends)) audiences[friendship.UserId] = friends = [];
                friends.Add(friendship.FriendId);
            }
            return audiences;
        };
    }

    private sealed record FriendOf(long UserId, long FriendId);

    private async Task AnnounceAsync(long userId, bool online)
    {
        await events.PublishAsync(new UserPresenceChanged(userId, online));
        var audience = await _audiences.GetAsync(userId);
        if (audience.Count == 0) return;
        router.Publish(audience, Frames.Encode("presence", null, new Presence(Ids.Format(userId), online), RealtimeJsonContext.Default.Presence));
    }
}
