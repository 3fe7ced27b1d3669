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

    /// <summary>Compiled once: a reconnect storm asks it for every user coming back.</summary>
    private static readonly Func<ParleyDb, long, IAsyncEnumerable<long>> Audience = EF.CompileAsyncQuery((ParleyDb db, long userId) =>
        db.Friendships
            .Where(f => f.UserId == userId)
            .Select(f => f.FriendId)
            .Where(friend => !db.Blocks.Any(b => (b.UserId == userId && b.BlockedUserId == friend) || (b.UserId == friend && b.BlockedUserId == userId))));

    private async Task AnnounceAsync(long userId, bool online)
    {
        await events.PublishAsync(new UserPresenceChanged(userId, online));
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ParleyDb>();
        var audience = new List<long>();
        await foreach (var friend in Audience(db, userId)) audience.Add(friend);
        if (audience.Count == 0) return;
        router.Publish(audience, Frames.Encode("presence", null, new Presence(Ids.Format(userId), online), RealtimeJsonContext.Default.Presence));
    }
}
