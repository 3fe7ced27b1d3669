using Parley.Server.Events;
using Parley.Server.Http;
using Parley.Server.ScaleOut;
using Parley.Server.Social;
using Parley.Server.Social.Friends;
using Parley.Server.Social.Groups;

namespace Parley.Server.Realtime;

/// <summary><c>friend.request</c>: a request as <c>GET /friend-requests</c> shows it to the recipient.</summary>
public sealed record FriendRequestEvent(FriendRequestView Request);

/// <summary><c>friend.added</c>: the new friend as <c>GET /friends</c> shows them to the recipient.</summary>
public sealed record FriendAddedEvent(FriendView Friend);

/// <summary><c>friend.removed</c>: the other side of the friendship that ended.</summary>
public sealed record FriendRemovedEvent(string UserId);

/// <summary><c>group.updated</c>: the group as <c>GET /groups/{id}</c> shows it to the recipient (their own <c>myRole</c>).</summary>
public sealed record GroupUpdatedEvent(GroupView Group);

/// <summary><c>group.member.joined</c> and <c>group.member.updated</c>: members as <c>GET /groups/{id}/members</c> lists them.</summary>
public sealed record GroupMembersEvent(string GroupId, IReadOnlyList<GroupMemberView> Members, string? By);

/// <summary><c>group.member.left</c>: <see cref="Reason"/> is <c>left</c> (by themselves) or <c>removed</c> (by <see cref="By"/>).</summary>
public sealed record GroupMemberLeftEvent(string GroupId, string UserId, string? By, string Reason);

/// <summary><c>group.dissolved</c>.</summary>
public sealed record GroupDissolvedEvent(string GroupId, string By);

/// <summary><c>group.join-request</c>: a join request (or a member's invitation) waiting for approval, or just handled.</summary>
public sealed record GroupJoinRequestEvent(string GroupId, JoinRequestView Request);

/// <summary>
/// The friend and group events as frames (docs/protocol.md, "Social events"): each distinct view is encoded once
/// (once for all, once per role where the view holds the recipient's own role, once per person where it is
/// theirs) and handed to the router for its recipients. Delivery is best effort, as for every event.
/// </summary>
public sealed class SocialEventFrames(IMessageRouter router) :
    IDomainEventHandler<FriendRequestChanged>,
    IDomainEventHandler<FriendAdded>,
    IDomainEventHandler<FriendRemoved>,
    IDomainEventHandler<GroupUpdated>,
    IDomainEventHandler<GroupMembersJoined>,
    IDomainEventHandler<GroupMembersUpdated>,
    IDomainEventHandler<GroupMemberLeft>,
    IDomainEventHandler<GroupDissolved>,
    IDomainEventHandler<GroupJoinRequestChanged>
{
    public static void Subscribe(IServiceCollection services)
    {
        services.AddEventHandler<FriendRequestChanged, SocialEventFrames>();
        services.AddEventHandler<FriendAdded, SocialEventFrames>();
        services.AddEventHandler<FriendRemoved, SocialEventFrames>();
        services.AddEventHandler<GroupUpdated, SocialEventFrames>();
        services.AddEventHandler<GroupMembersJoined, SocialEventFrames>();
        services.AddEventHandler<GroupMembersUpdated, SocialEventFrames>();
        services.AddEventHandler<GroupMemberLeft, SocialEventFrames>();
        services.AddEventHandler<GroupDissolved, SocialEventFrames>();
        services.AddEventHandler<GroupJoinRequestChanged, SocialEventFrames>();
    }

    public ValueTask HandleAsync(FriendRequestChanged e, CancellationToken cancellationToken)
    {
        foreach (var (recipients, view) in e.Views)
            router.Publish(recipients, Frames.Encode("friend.request", null, new FriendRequestEvent(view), RealtimeJsonContext.Default.FriendRequestEvent));
        return ValueTask.CompletedTask;
    }

    public ValueTask HandleAsync(FriendAdded e, CancellationToken cancellationToken)
    {
        foreach (var (recipients, view) in e.Views)
            router.Publish(recipients, Frames.Encode("friend.added", null, new FriendAddedEvent(view), RealtimeJsonContext.Default.FriendAddedEvent));
        return ValueTask.CompletedTask;
    }

    public ValueTask HandleAsync(FriendRemoved e, CancellationToken cancellationToken)
    {
        router.Publish([e.UserId], Frames.Encode("friend.removed", null, new FriendRemovedEvent(Ids.Format(e.OtherId)), RealtimeJsonContext.Default.FriendRemovedEvent));
        router.Publish([e.OtherId], Frames.Encode("friend.removed", null, new FriendRemovedEvent(Ids.Format(e.UserId)), RealtimeJsonContext.Default.FriendRemovedEvent));
        return ValueTask.CompletedTask;
    }

    public ValueTask HandleAsync(GroupUpdated e, CancellationToken cancellationToken)
    {
        foreach (var (recipients, view) in e.Views)
            router.Publish(recipients, Frames.Encode("group.updated", null, new GroupUpdatedEvent(view), RealtimeJsonContext.Default.GroupUpdatedEvent));
        return ValueTask.CompletedTask;
    }

    public ValueTask HandleAsync(GroupMembersJoined e, CancellationToken cancellationToken) =>
        Members("group.member.joined", e.GroupId, e.Members, e.By, e.Audience);

    public ValueTask HandleAsync(GroupMembersUpdated e, CancellationToken cancellationToken) =>
        Members("group.member.updated", e.GroupId, e.Members, e.By, e.Audience);

    public ValueTask HandleAsync(GroupMemberLeft e, CancellationToken cancellationToken)
    {
        var data = new GroupMemberLeftEvent(Ids.Format(e.GroupId), Ids.Format(e.UserId),
            e.RemovedBy is { } by ? Ids.Format(by) : null, e.RemovedBy is null ? "left" : "removed");
        router.Publish(e.Audience, Frames.Encode("group.member.left", null, data, RealtimeJsonContext.Default.GroupMemberLeftEvent));
        return ValueTask.CompletedTask;
    }

    public ValueTask HandleAsync(GroupDissolved e, CancellationToken cancellationToken)
    {
        router.Publish(e.FormerMembers, Frames.Encode("group.dissolved", null,
            new GroupDissolvedEvent(Ids.Format(e.GroupId), Ids.Format(e.By)), RealtimeJsonContext.Default.GroupDissolvedEvent));
        return ValueTask.CompletedTask;
    }

    public ValueTask HandleAsync(GroupJoinRequestChanged e, CancellationToken cancellationToken)
    {
        router.Publish(e.Audience, Frames.Encode("group.join-request", null,
            new GroupJoinRequestEvent(Ids.Format(e.GroupId), e.Request), RealtimeJsonContext.Default.GroupJoinRequestEvent));
        return ValueTask.CompletedTask;
    }

    private ValueTask Members(string type, long groupId, IReadOnlyList<GroupMemberView> members, long? by, IReadOnlyList<long> audience)
    {
        router.Publish(audience, Frames.Encode(type, null,
            new GroupMembersEvent(Ids.Format(groupId), members, by is { } actor ? Ids.Format(actor) : null), RealtimeJsonContext.Default.GroupMembersEvent));
        return ValueTask.CompletedTask;
    }
}
