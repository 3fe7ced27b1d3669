using Microsoft.EntityFrameworkCore;
using Parley.Server.Calls;
using Parley.Server.Events;
using Parley.Server.Http;
using Parley.Server.Messaging;
using Parley.Server.Platform.Admin;
using Parley.Server.ScaleOut;
using Parley.Server.Social.Groups;
using Parley.Server.Storage;

namespace Parley.Server.Platform.Webhooks;

public sealed record FriendshipEventData(string UserId, string FriendId);

public sealed record GroupCreatedEventData(string GroupId, string OwnerId, string? Name, IReadOnlyList<string> MemberIds);

public sealed record GroupMembersJoinedEventData(string GroupId, IReadOnlyList<GroupMemberView> Members, string? By);

public sealed record GroupMemberLeftEventData(string GroupId, string UserId, string? RemovedBy);

public sealed record GroupDissolvedEventData(string GroupId, string By);

/// <summary><c>message.deleted_by_retention</c>: the message is gone; what identified it.</summary>
public sealed record ExpiredMessageEventData(string Id, string ConversationId, long Seq);

/// <summary><c>call.ended</c>: the call record, as the <c>call</c> message's content has it, with the call's parties.</summary>
public sealed record CallEndedEventData(
    string CallId, string ConversationId, string CallerId, string CalleeId, string Media, string InitiatorId, DateTimeOffset? StartedAt,
    DateTimeOffset EndedAt, long DurationMs, string EndReason);

/// <summary><c>push.requested</c>: a notification for an fcm or apns address, for the operator's own push provider (docs/push.md).</summary>
public sealed record PushRequestedEventData(string UserId, string Kind, string Token, Push.PushPayload Notification);

/// <summary>
/// The retention, presence, push and call events, into the outbox. These are written when the domain event is
/// published, right after the change committed (not inside its transaction, unlike messages, users, friends and
/// groups: see docs/platform.md); ordered per conversation, or per user. Nothing is done for a type no one subscribes to.
/// </summary>
public sealed class WebhookEventHandlers(WebhookOutbox outbox, IServiceScopeFactory scopes)
    : IDomainEventHandler<Push.PushRequested>, IDomainEventHandler<MessagesExpired>, IDomainEventHandler<UserPresenceChanged>, IDomainEventHandler<CallEnded>
{
    public ValueTask HandleAsync(Push.PushRequested e, CancellationToken cancellationToken) =>
        WriteAsync(WebhookEventTypes.PushRequested, e.UserId, new PushRequestedEventData(Ids.Format(e.UserId), e.Kind, e.Token, e.Payload));

    public ValueTask HandleAsync(MessagesExpired e, CancellationToken cancellationToken) =>
        outbox.Wants(WebhookEventTypes.MessageDeletedByRetention) ? new ValueTask(SaveExpiredAsync(e.Messages)) : ValueTask.CompletedTask;

    // The user as the platform API shows them (GET /admin/users/{id}), ordered per user.
    public ValueTask HandleAsync(UserPresenceChanged e, CancellationToken cancellationToken)
    {
        var type = e.Online ? WebhookEventTypes.UserOnline : WebhookEventTypes.UserOffline;
        return outbox.Wants(type) ? new ValueTask(SaveUserAsync(type, e.UserId, e.Online)) : ValueTask.CompletedTask;
    }

    public ValueTask HandleAsync(CallEnded e, CancellationToken cancellationToken) =>
        WriteAsync(WebhookEventTypes.CallEnded, e.ConversationId, new CallEndedEventData(
            Ids.Format(e.CallId), Ids.Format(e.ConversationId), Ids.Format(e.CallerId), Ids.Format(e.CalleeId), e.Media, Ids.Format(e.CallerId),
            e.StartedAt, e.EndedAt, e.DurationMs, CallEndReasons.Name(e.Reason)));

    private async Task SaveExpiredAsync(IReadOnlyList<ExpiredMessage> messages)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ParleyDb>();
        foreach (var m in messages)
            outbox.Add(db, WebhookEventTypes.MessageDeletedByRetention, m.ConversationId,
                new ExpiredMessageEventData(Ids.Format(m.MessageId), Ids.Format(m.ConversationId), m.Seq));
        await db.SaveChangesAsync(CancellationToken.None);
    }

    private async Task SaveUserAsync(string type, long userId, bool online)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ParleyDb>();
        var user = await db.Users.AsNoTracking().FirstOrDefaultAsync(u => u.Id == userId, CancellationToken.None);
        if (user is null) return;
        outbox.Add(db, type, userId, AdminUserView.Of(user, online, DateTimeOffset.UtcNow));
        await db.SaveChangesAsync(CancellationToken.None);
    }

    private ValueTask WriteAsync<T>(string type, long orderKey, T data) =>
        outbox.Wants(type) ? new ValueTask(SaveAsync(type, orderKey, data)) : ValueTask.CompletedTask;

    private async Task SaveAsync<T>(string type, long orderKey, T data)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ParleyDb>();
        outbox.Add(db, type, orderKey, data);
        await db.SaveChangesAsync(CancellationToken.None);
    }
}
