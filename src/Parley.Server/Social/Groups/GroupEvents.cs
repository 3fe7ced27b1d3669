using Parley.Server.Events;

namespace Parley.Server.Social.Groups;

// The group feature's events, raised by GroupAnnouncer after the change has committed (see DomainEvents), in this
// order within one change: the history's GroupChanged first (awaited: its system message is stored before the
// change's HTTP answer), then the member, group and join-request events. Each names its audience and carries the
// views as the HTTP API shows them to its recipients, so subscribers (Realtime's SocialEventFrames today) need no
// second read. See docs/protocol.md, "Social events" and "Group system messages".

/// <summary>
/// A change the group's history tells as a <c>system</c> message (Messaging's <c>GroupSystemMessages</c> stores it).
/// <see cref="Members"/> are the members after the change: the one who left or was removed is not among them.
/// </summary>
public sealed record GroupChanged(long GroupId, GroupHappening What, IReadOnlyList<long> Members) : IDomainEvent;

/// <summary>
/// What happened in a group, as the history tells it: an event name (see docs/protocol.md), the acting user, and
/// the fields that event has.
/// </summary>
public sealed record GroupHappening(string Event, long ActorId)
{
    public const string Created = "group.created";
    public const string MembersJoined = "member.joined";
    public const string MemberLeft = "member.left";
    public const string MemberRemoved = "member.removed";
    public const string NameChanged = "name.changed";
    public const string NoticeChanged = "notice.changed";
    public const string OwnerChanged = "owner.changed";
    public const string RoleChanged = "role.changed";
    public const string Muted = "group.muted";
    public const string Unmuted = "group.unmuted";

    public IReadOnlyCollection<long>? UserIds { get; init; }
    public string? Via { get; init; }
    public string? Name { get; init; }
    public string? Notice { get; init; }
    public GroupRole? Role { get; init; }
    public DateTimeOffset? Until { get; init; }
}

/// <summary>
/// The group's details, mute or owner changed (<c>group.updated</c>): one view per role among the recipients, each
/// with that <c>myRole</c>. Every member, or on an admin/member role change only the member whose role moved.
/// </summary>
public sealed record GroupUpdated(long GroupId, IReadOnlyList<ViewFor<GroupView>> Views) : IDomainEvent;

/// <summary>Members joined (<c>group.member.joined</c>); <see cref="By"/> added or approved them, null when they joined by themselves. <see cref="Audience"/>: every member, the newcomers included.</summary>
public sealed record GroupMembersJoined(long GroupId, IReadOnlyList<GroupMemberView> Members, long? By, IReadOnlyList<long> Audience) : IDomainEvent;

/// <summary>Members' roles or mutes changed (<c>group.member.updated</c>). <see cref="Audience"/>: every member.</summary>
public sealed record GroupMembersUpdated(long GroupId, IReadOnlyList<GroupMemberView> Members, long By, IReadOnlyList<long> Audience) : IDomainEvent;

/// <summary>
/// A member left, or was removed by <see cref="RemovedBy"/> (<c>group.member.left</c>). <see cref="Audience"/>: the
/// members who remain and the one who went.
/// </summary>
public sealed record GroupMemberLeft(long GroupId, long UserId, long? RemovedBy, IReadOnlyList<long> Audience) : IDomainEvent;

/// <summary>The owner dissolved the group (<c>group.dissolved</c>); <see cref="FormerMembers"/> were its members.</summary>
public sealed record GroupDissolved(long GroupId, long By, IReadOnlyList<long> FormerMembers) : IDomainEvent;

/// <summary>
/// A join request (or a member's invitation) now waits for approval, or was accepted or rejected
/// (<c>group.join-request</c>). <see cref="Audience"/>: the owner and admins, the person the request is for, and
/// the member who invited them.
/// </summary>
public sealed record GroupJoinRequestChanged(long GroupId, JoinRequestView Request, IReadOnlyList<long> Audience) : IDomainEvent;
