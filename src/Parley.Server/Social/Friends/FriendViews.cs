using Parley.Server.Accounts;

namespace Parley.Server.Social.Friends;

public sealed record FriendRequestBody(string? UserId, string? Message);

public sealed record RemarkBody(string? Remark);

public sealed record BlockBody(string? UserId);

public sealed record FriendRequestView(
    string Id, string FromUserId, string ToUserId, string? Message, RequestStatus Status,
    DateTimeOffset CreatedAt, DateTimeOffset? HandledAt, UserProfile From, UserProfile To);

/// <summary>A friend: their profile (phone and e-mail included, as between friends), my remark for them, and presence.</summary>
public sealed record FriendView(
    string UserId, string? Username, string Nickname, string? Avatar, Sex Sex, string? Phone, string? Email,
    string? Remark, bool Online, DateTimeOffset Since);

public sealed record BlockedUserView(string UserId, string? Username, string Nickname, string? Avatar, DateTimeOffset BlockedAt);
