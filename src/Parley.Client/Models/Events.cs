using System.Text.Json;

namespace Parley.Client;

// The data of the social events the server pushes over the WebSocket (docs/protocol.md, "Social events").
// Read one with ServerFrame.As<T>(), e.g. (await socket.NextEventAsync("friend.added")).As<FriendAddedEvent>().

/// <summary><c>friend.request</c>: a friend request made, accepted or rejected, as <c>GET /friend-requests</c> shows it.</summary>
public sealed record FriendRequestEvent(FriendRequestView Request);

/// <summary><c>friend.added</c>: the new friend as <c>GET /friends</c> shows them to me.</summary>
public sealed record FriendAddedEvent(FriendView Friend);

/// <summary><c>friend.removed</c>: the user who is no longer my friend.</summary>
public sealed record FriendRemovedEvent(string UserId);

/// <summary><c>group.updated</c>: the group as <c>GET /groups/{id}</c> shows it to me (my own role).</summary>
public sealed record GroupUpdatedEvent(GroupView Group);

/// <summary>
/// <c>group.member.joined</c> (the newcomers; <see cref="By"/> is who added or approved them, null when they
/// joined by themselves) and <c>group.member.updated</c> (members whose role or mute changed; <see cref="By"/> did it).
/// </summary>
public sealed record GroupMembersEvent(string GroupId, List<GroupMemberView> Members, string? By);

/// <summary><c>group.member.left</c>: <see cref="Reason"/> is <c>left</c> or <c>removed</c> (then <see cref="By"/> removed them).</summary>
public sealed record GroupMemberLeftEvent(string GroupId, string UserId, string? By, string Reason);

/// <summary><c>group.dissolved</c>, by the owner.</summary>
public sealed record GroupDissolvedEvent(string GroupId, string By);

/// <summary><c>group.join-request</c>: a join request or a member's invitation waiting for approval, or one just handled.</summary>
public sealed record GroupJoinRequestEvent(string GroupId, JoinRequestView Request);

/// <summary>
/// The content of a group's <c>system</c> message. <see cref="Event"/> is one of <c>group.created</c>,
/// <c>member.joined</c>, <c>member.left</c>, <c>member.removed</c>, <c>name.changed</c>, <c>notice.changed</c>,
/// <c>owner.changed</c>, <c>role.changed</c>, <c>group.muted</c>, <c>group.unmuted</c>; the names are the
/// nicknames at the time.
/// </summary>
public sealed record GroupSystemContent(
    string Event, string ActorId, string ActorName, List<string>? UserIds, List<string>? UserNames, string? Via,
    string? Name, string? Notice, GroupRole? Role, DateTimeOffset? Until)
{
    /// <summary>Reads a <c>system</c> message's content.</summary>
    public static GroupSystemContent From(MessageView message) =>
        message.Content.Deserialize<GroupSystemContent>(ParleyClient.JsonOptions)
        ?? throw new InvalidOperationException("The message has no content.");
}
