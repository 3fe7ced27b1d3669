namespace Parley.Client;

public enum RequestStatus
{
    Pending,
    Accepted,
    Rejected,
}

public sealed record FriendRequest(
    string Id, string FromUserId, string ToUserId, string? Message, RequestStatus Status, DateTimeOffset CreatedAt,
    DateTimeOffset? HandledAt, UserProfile From, UserProfile To);

public sealed record Friend(
    string UserId, string? Username, string Nickname, string? Avatar, Sex Sex, string? Phone, string? Email,
    string? Remark, bool Online, DateTimeOffset Since);

public sealed record BlockedUser(string UserId, string? Username, string Nickname, string? Avatar, DateTimeOffset BlockedAt);
