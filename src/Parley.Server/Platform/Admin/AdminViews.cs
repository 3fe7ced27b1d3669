using System.Text.Json;
using Parley.Server.Accounts;
using Parley.Server.Http;
using Parley.Server.Messaging;

namespace Parley.Server.Platform.Admin;

/// <summary>A user as the embedding product sees them: everything, with its own id, the ban and presence.</summary>
public sealed record AdminUserView(
    string Id, string? ExternalId, string? Phone, string? Email, string? Username, string Nickname, string? Avatar, Sex Sex,
    bool Bot, bool Banned, DateTimeOffset? BannedUntil, string? BanReason, bool Online, DateTimeOffset CreatedAt)
{
    public static AdminUserView Of(User user, bool online, DateTimeOffset now) => new(
        Ids.Format(user.Id), user.ExternalId, user.Phone, user.Email, user.Username, user.Nickname, user.Avatar, user.Sex,
        user.IsBot, user.IsBanned(now), user.IsBanned(now) ? user.BannedUntil : null, user.IsBanned(now) ? user.BanReason : null,
        online, user.CreatedAt);
}

public sealed record CreateUserBody(
    string? ExternalId, string? Phone, string? Email, string? Username, string? Nickname, string? Avatar, string? Password, bool? Bot, Sex? Sex);

/// <summary><c>until</c> absent: for ever (until the ban is lifted).</summary>
public sealed record BanBody(DateTimeOffset? Until, string? Reason);

public sealed record FriendshipBody(string? UserId, string? FriendId);

public sealed record FriendshipView(string UserId, string FriendId, bool Created);

public sealed record AdminGroupBody(string? OwnerId, string? Name, List<string>? MemberIds, string? Icon, bool? JoinApproval);

public sealed record AdminMessageBody(
    string? SenderId, SendTarget? To, string? ClientMsgId, MessageType? Type, JsonElement? Content, JsonElement? File,
    string? ReplyTo = null, List<string?>? Mentions = null);

public sealed record StatsView(long Users, long OnlineUsers, long Connections, long MessagesLast24h, long Nodes);
