namespace Parley.Client;

public enum RequestStatus
{
    Pending,
    Accepted,
    Rejected,
}

public sealed record FriendRequestView(
    string Id, string FromUserId, string ToUserId, string? Message, RequestStatus Status, DateTimeOffset CreatedAt,
    DateTimeOffset? HandledAt, UserProfile From, UserProfile To);

public sealed record FriendView(
    string UserId, string? Username, string Nickname, string? Avatar, Sex Sex, string? Phone, string? Email,
    string? Remark, bool Online, DateTimeOffset Since);

public sealed record BlockedUserView(string UserId, string? Username, string Nickname, string? Avatar, DateTimeOffset BlockedAt);
