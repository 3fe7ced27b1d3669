namespace Parley.Client;

public enum GroupRole
{
    Member,
    Admin,
    Owner,
}

public sealed record GroupView(
    string Id, string Name, string? Icon, string? Notice, string OwnerId, bool JoinApproval, DateTimeOffset? MutedUntil,
    int MemberCount, int MaxMembers, GroupRole? MyRole, DateTimeOffset CreatedAt, bool HistoryForNewMembers = true);

public sealed record UpdateGroupBody
{
    public string? Name { get; init; }
    public string? Icon { get; init; }
    public string? Notice { get; init; }
    public bool? JoinApproval { get; init; }
    public bool? HistoryForNewMembers { get; init; }
}

public sealed record GroupMemberView(
    string UserId, string? Username, string Nickname, string? Avatar, GroupRole Role, DateTimeOffset JoinedAt,
    DateTimeOffset? MutedUntil, string? InvitedBy);

public sealed record InviteResult(List<string> Added, List<string> Pending);

public sealed record JoinRequestView(
    string Id, string GroupId, string UserId, string? InviterId, string? Message, RequestStatus Status, DateTimeOffset CreatedAt,
    string? HandledBy, DateTimeOffset? HandledAt, UserProfile? User);
