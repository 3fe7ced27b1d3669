using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Parley.Server.Calls;
using Parley.Server.Http;
using Parley.Server.Messaging;
using Parley.Server.Storage;

namespace Parley.Server.Push;

/// <summary>
/// Writes the notifications: who it is from (the sender, or the group and the sender), the preview (or "New message"
/// when <see cref="PushOptions.HideContent"/>), the member's unread total, one per live push address. A few
/// queries per batch of notifications, never one per message.
/// </summary>
public sealed class PushComposer(IServiceScopeFactory scopes, IOptions<PushOptions> options)
{
    public const string HiddenBody = "New message";

    public async Task<List<PushNotification>> ForMessagesAsync(IReadOnlyList<FoldedNotification> due, CancellationToken cancellationToken)
    {
        if (due.Count == 0) return [];
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ParleyDb>();
        var users = due.Select(d => d.UserId).Distinct().ToList();
        var addresses = await AddressesAsync(db, users, cancellationToken);
        var unread = await UnreadTotalsAsync(db, users, cancellationToken);
        var senderIds = due.Select(d => d.Latest.Message.SenderId).Distinct().ToList();
        var names = await db.Users.AsNoTracking().Where(u => senderIds.Contains(u.Id)).ToDictionaryAsync(u => u.Id, u => u.Nickname, cancellationToken);
        var conversationIds = due.Select(d => d.Latest.Message.ConversationId).Distinct().ToList();
        var groups = await db.Groups.AsNoTracking().Where(g => conversationIds.Contains(g.Id)).ToDictionaryAsync(g => g.Id, g => g.Name, cancellationToken);

        var notifications = new List<PushNotification>();
        foreach (var folded in due)
        {
            if (!addresses.TryGetValue(folded.UserId, out var mine)) continue;
            var message = folded.Latest.Message;
            var sender = names.GetValueOrDefault(message.SenderId) ?? (message.SenderId == Conversation.SystemSenderId ? "Announcements" : "Someone");
            var preview = options.Value.HideContent ? HiddenBody : MessagePreview.Of(message.Type, message.Content, message.File, message.Recalled);
            var (title, body) = groups.TryGetValue(message.ConversationId, out var groupName)
                ? (groupName, options.Value.HideContent ? HiddenBody : $"{sender}: {preview}")
                : (sender, preview);
            var payload = new PushPayload("message", Ids.Format(message.ConversationId), message.Seq, title, body,
                unread.GetValueOrDefault(folded.UserId), Count: folded.Count);
            notifications.AddRange(mine.Select(address => new PushNotification(address, payload, Urgent: false)));
        }
        return notifications;
    }

    public async Task<List<PushNotification>> ForCallAsync(CallRinging call, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ParleyDb>();
        var addresses = await AddressesAsync(db, [call.CalleeId], cancellationToken);
        if (!addresses.TryGetValue(call.CalleeId, out var mine)) return [];
        var caller = await db.Users.AsNoTracking().Where(u => u.Id == call.CallerId).Select(u => u.Nickname).FirstOrDefaultAsync(cancellationToken) ?? "Someone";
        var directKey = Conversation.KeyFor(call.CallerId, call.CalleeId);
        var conversationId = await db.Conversations.AsNoTracking().Where(c => c.DirectKey == directKey).Select(c => (long?)c.Id).FirstOrDefaultAsync(cancellationToken);
        var unread = await UnreadTotalsAsync(db, [call.CalleeId], cancellationToken);
        var payload = new PushPayload("call", conversationId is { } id ? Ids.Format(id) : null, null, caller,
            call.Media == "video" ? "Incoming video call" : "Incoming voice call", unread.GetValueOrDefault(call.CalleeId),
            CallId: Ids.Format(call.CallId), Media: call.Media);
        return mine.Select(address => new PushNotification(address, payload, Urgent: true)).ToList();
    }

    private static async Task<Dictionary<long, List<DevicePushSubscription>>> AddressesAsync(ParleyDb db, List<long> users, CancellationToken cancellationToken) =>
        (await PushSubscriptions.Live(db).Where(s => users.Contains(s.UserId)).ToListAsync(cancellationToken))
            .GroupBy(s => s.UserId).ToDictionary(g => g.Key, g => g.ToList());

    /// <summary>Unread messages over all of each user's conversations, as the conversation list counts them (without the user's own deletions).</summary>
    private static async Task<Dictionary<long, long>> UnreadTotalsAsync(ParleyDb db, List<long> users, CancellationToken cancellationToken) =>
        await db.ConversationMembers.AsNoTracking()
            .Where(m => users.Contains(m.UserId))
            .Join(db.Conversations, m => m.ConversationId, c => c.Id, (m, c) => new
            {
                m.UserId,
                Unread = c.LastSeq > (m.ReadSeq > m.ClearedSeq ? m.ReadSeq : m.ClearedSeq)
                    ? c.LastSeq - (m.ReadSeq > m.ClearedSeq ? m.ReadSeq : m.ClearedSeq)
                    : 0,
            })
            .GroupBy(r => r.UserId)
            .Select(g => new { UserId = g.Key, Total = g.Sum(r => r.Unread) })
            .ToDictionaryAsync(r => r.UserId, r => r.Total, cancellationToken);
}
