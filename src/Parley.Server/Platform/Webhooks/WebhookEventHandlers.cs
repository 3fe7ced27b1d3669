using Parley.Server.Events;
using Parley.Server.Http;
using Parley.Server.Social.Friends;
using Parley.Server.Social.Groups;
using Parley.Server.Storage;

namespace Parley.Server.Platform.Webhooks;

public sealed record FriendshipEventData(string UserId, string FriendId);

public sealed record GroupCreatedEventData(string GroupId, string OwnerId, string? Name, IReadOnlyList<string> MemberIds);

public sealed record GroupMembersJoinedEventData(string GroupId, IReadOnlyList<GroupMemberView> Members, string? By);

public sealed record GroupMemberLeftEventData(string GroupId, string UserId, string? RemovedBy);

public sealed record GroupDissolvedEventData(string GroupId, string By);

/// <summary><c>push.requested</c>: a notification for an fcm or apns address, for the operator's own push provider (docs/push.md).</summary>
public sealed record PushRequestedEventData(string UserId, string Kind, string Token, Push.PushPayload Notification);

/// <summary>
/// The friend and group events, into the outbox. These are written when the domain event is published, right after
/// the change committed (not inside its transaction, unlike messages and users: see docs/platform.md); ordered per
/// group, or per user for friendships. Nothing is done for a type no one subscribes to.
/// </summary>
public sealed class WebhookEventHandlers(WebhookOutbox outbox, IServiceScopeFactory scopes)
    : IDomainEventHandler<FriendAdded>, IDomainEventHandler<FriendRemoved>, IDomainEventHandler<GroupChanged>,
      IDomainEventHandler<GroupMembersJoined>, IDomainEventHandler<GroupMemberLeft>, IDomainEventHandler<GroupDissolved>,
      IDomainEventHandler<Push.PushRequested>
{
    public ValueTask HandleAsync(FriendAdded e, CancellationToken cancellationToken) =>
        WriteAsync(WebhookEventTypes.FriendAdded, Math.Min(e.UserId, e.OtherId), new FriendshipEventData(Ids.Format(e.UserId), Ids.Format(e.OtherId)));

    public ValueTask HandleAsync(FriendRemoved e, CancellationToken cancellationToken) =>
        WriteAsync(WebhookEventTypes.FriendRemoved, Math.Min(e.UserId, e.OtherId), new FriendshipEventData(Ids.Format(e.UserId), Ids.Format(e.OtherId)));

    public ValueTask HandleAsync(GroupChanged e, CancellationToken cancellationToken) =>
        e.What.Event == GroupHappening.Created
            ? WriteAsync(WebhookEventTypes.GroupCreated, e.GroupId,
                new GroupCreatedEventData(Ids.Format(e.GroupId), Ids.Format(e.What.ActorId), e.What.Name, e.Members.Select(Ids.Format).ToList()))
            : ValueTask.CompletedTask;

    public ValueTask HandleAsync(GroupMembersJoined e, CancellationToken cancellationToken) =>
        WriteAsync(WebhookEventTypes.GroupMemberJoined, e.GroupId,
            new GroupMembersJoinedEventData(Ids.Format(e.GroupId), e.Members, e.By is { } by ? Ids.Format(by) : null));

    public ValueTask HandleAsync(GroupMemberLeft e, CancellationToken cancellationToken) =>
        WriteAsync(WebhookEventTypes.GroupMemberLeft, e.GroupId,
            new GroupMemberLeftEventData(Ids.Format(e.GroupId), Ids.Format(e.UserId), e.RemovedBy is { } by ? Ids.Format(by) : null));

    public ValueTask HandleAsync(GroupDissolved e, CancellationToken cancellationToken) =>
        WriteAsync(WebhookEventTypes.GroupDissolved, e.GroupId, new GroupDissolvedEventData(Ids.Format(e.GroupId), Ids.Format(e.By)));

    public ValueTask HandleAsync(Push.PushRequested e, CancellationToken cancellationToken) =>
        WriteAsync(WebhookEventTypes.PushRequested, e.UserId, new PushRequestedEventData(Ids.Format(e.UserId), e.Kind, e.Token, e.Payload));

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
