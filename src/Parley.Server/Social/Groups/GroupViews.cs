using Parley.Server.Accounts;
using Parley.Server.Http;
using Parley.Server.Social.Friends;

namespace Parley.Server.Social.Groups;

public sealed record CreateGroupBody(string? Name, string? Icon, bool? JoinApproval, List<string>? MemberIds, bool? HistoryForNewMembers = null);

public sealed record UpdateGroupBody(string? Name, string? Icon, string? Notice, bool? JoinApproval, bool? HistoryForNewMembers = null);

public sealed record InviteBody(List<string>? UserIds);

public sealed record RoleBody(GroupRole? Role);

public sealed record MuteBody(string? UserId, DateTimeOffset? Until);

public sealed record JoinRequestBody(string? Message);

/// <summary>A group as one user sees it; <see cref="MyRole"/> is null for someone who is not a member.</summary>
public sealed record GroupView(
    string Id, string Name, string? Icon, string? Notice, string OwnerId, bool JoinApproval, DateTimeOffset? MutedUntil,
    int MemberCount, int MaxMembers, GroupRole? MyRole, DateTimeOffset CreatedAt, bool HistoryForNewMembers);

public sealed record GroupMemberView(
    string UserId, string? Username, string Nickname, string? Avatar, GroupRole Role, DateTimeOffset JoinedAt,
    DateTimeOffset? MutedUntil, string? InvitedBy);

/// <summary>The outcome of an invitation: who joined now and who waits for an owner's or admin's approval.</summary>
public sealed record InviteResult(List<string> Added, List<string> Pending);

public sealed record JoinRequestView(
    string Id, string GroupId, string UserId, string? InviterId, string? Message, RequestStatus Status,
    DateTimeOffset CreatedAt, string? HandledBy, DateTimeOffset? HandledAt, UserProfile? User);

/// <summary>The views from the rows, as every group endpoint and event shows them.</summary>
public static class GroupViews
{
    public static GroupView Group(Group group, int memberCount, GroupRole? myRole, int maxMembers, DateTimeOffset now) =>
        new(Ids.Format(group.Id), group.Name, group.Icon, group.Notice, Ids.Format(group.OwnerId), group.JoinApproval,
            group.MutedUntil > now ? group.MutedUntil : null, memberCount, maxMembers, myRole, group.CreatedAt, group.HistoryForNewMembers);

    public static GroupMemberView Member(GroupMember m, User u) =>
        new(Ids.Format(u.Id), u.Username, u.Nickname, u.Avatar, m.Role, m.JoinedAt, m.MutedUntil, m.InvitedBy is { } inviter ? Ids.Format(inviter) : null);

    public static JoinRequestView JoinRequest(GroupJoinRequest r, UserProfile? user) =>
        new(Ids.Format(r.Id), Ids.Format(r.GroupId), Ids.Format(r.UserId), r.InviterId is { } i ? Ids.Format(i) : null, r.Message,
            r.Status, r.CreatedAt, r.HandledBy is { } h ? Ids.Format(h) : null, r.HandledAt, user);
}
