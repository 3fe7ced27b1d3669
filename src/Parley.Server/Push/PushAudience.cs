using Microsoft.EntityFrameworkCore;
using Parley.Server.Messaging;
using Parley.Server.ScaleOut;
using Parley.Server.Storage;

namespace Parley.Server.Push;

/// <summary>A message that one member should hear of by push, standing for <paramref name="Count"/> new ones in its conversation.</summary>
public readonly record struct MessageForMember(long UserId, Message Message, int Count = 1);

/// <summary>
/// Decides who is told of new messages by push: the members other than the sender who have no connected device
/// anywhere (presence is cluster-wide with Redis), have a push address of a live session, have not muted the
/// conversation and have not blocked the sender. The cheap test comes first: in a busy server nearly everyone is
/// connected, and then no database is read at all.
/// </summary>
public sealed class PushAudience(IPresenceStore presence, IServiceScopeFactory scopes)
{
    public async Task<List<MessageForMember>> ForMessagesAsync(IReadOnlyList<MessageTrigger> triggers, CancellationToken cancellationToken)
    {
        // The latest message per member and conversation (triggers come in seq order per conversation).
        var latest = new Dictionary<(long UserId, long ConversationId), (Message Message, int Count)>();
        foreach (var trigger in triggers)
        {
            var message = trigger.Message;
            if (message.Type == MessageType.System) continue;
            foreach (var userId in trigger.Recipients)
                if (userId != message.SenderId)
                    latest[(userId, message.ConversationId)] = (message, latest.GetValueOrDefault((userId, message.ConversationId)).Count + 1);
        }
        if (latest.Count == 0) return [];

        var online = await presence.OnlineAsync(latest.Keys.Select(k => k.UserId).ToHashSet(), cancellationToken);
        var offline = latest.Where(p => !online.Contains(p.Key.UserId)).ToList();
        if (offline.Count == 0) return [];

        var users = offline.Select(p => p.Key.UserId).Distinct().ToList();
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ParleyDb>();
        var subscribed = (await PushSubscriptions.Live(db).Where(s => users.Contains(s.UserId)).Select(s => s.UserId).Distinct()
            .ToListAsync(cancellationToken)).ToHashSet();
        offline.RemoveAll(p => !subscribed.Contains(p.Key.UserId));
        if (offline.Count == 0) return [];

        users = offline.Select(p => p.Key.UserId).Distinct().ToList();
        var conversations = offline.Select(p => p.Key.ConversationId).Distinct().ToList();
        var senders = offline.Select(p => p.Value.Message.SenderId).Distinct().ToList();
        var muted = (await db.ConversationMembers.AsNoTracking()
            .Where(m => m.Muted && conversations.Contains(m.ConversationId) && users.Contains(m.UserId))
            .Select(m => new { m.UserId, m.ConversationId }).ToListAsync(cancellationToken))
            .Select(m => (m.UserId, m.ConversationId)).ToHashSet();
        var blocked = (await db.Blocks.AsNoTracking()
            .Where(b => users.Contains(b.UserId) && senders.Contains(b.BlockedUserId))
            .Select(b => new { b.UserId, b.BlockedUserId }).ToListAsync(cancellationToken))
            .Select(b => (b.UserId, b.BlockedUserId)).ToHashSet();

        return offline
            .Where(p => !muted.Contains(p.Key) && !blocked.Contains((p.Key.UserId, p.Value.Message.SenderId)))
            .Select(p => new MessageForMember(p.Key.UserId, p.Value.Message, p.Value.Count))
            .ToList();
    }

    /// <summary>Whether the callee should be rung by push: no connected device anywhere.</summary>
    public async Task<bool> IsOfflineAsync(long userId, CancellationToken cancellationToken) =>
        !(await presence.OnlineAsync([userId], cancellationToken)).Contains(userId);
}

/// <summary>The push addresses in use: those whose session (the signed-in device that registered them) has not ended.</summary>
public static class PushSubscriptions
{
    public static IQueryable<DevicePushSubscription> Live(ParleyDb db) =>
        db.PushSubscriptions.AsNoTracking().Where(s => db.Sessions.Any(x => x.Id == s.SessionId && x.RevokedAt == null));
}
