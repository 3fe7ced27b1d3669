using System.Text.Json.Serialization;

namespace Parley.Client;

/// <summary>A user to create (import) through the platform API. Every field but <see cref="Nickname"/> may be left out.</summary>
public sealed record CreateUserRequest
{
    /// <summary>The product's own id for the user; unique.</summary>
    public string? ExternalId { get; init; }
    public string? Phone { get; init; }
    public string? Email { get; init; }
    public string? Username { get; init; }
    public required string Nickname { get; init; }
    public string? Avatar { get; init; }

    /// <summary>Without one, the user gets in only through tokens minted by <see cref="ParleyAdminClient.MintTokensAsync"/>.</summary>
    public string? Password { get; init; }

    /// <summary>A bot (a shop, a notification account) may message anyone, friends or not.</summary>
    public bool? Bot { get; init; }
    public Sex? Sex { get; init; }
}

/// <summary>A user as the product sees them.</summary>
public sealed record AdminUserView(
    string Id, string? ExternalId, string? Phone, string? Email, string? Username, string Nickname, string? Avatar, Sex Sex,
    bool Bot, bool Banned, DateTimeOffset? BannedUntil, string? BanReason, bool Online, DateTimeOffset CreatedAt);

public sealed record FriendshipView(string UserId, string FriendId, bool Created);

/// <summary>A message sent as <see cref="SenderId"/>; <see cref="Content"/> and <see cref="File"/> as for a user's send.</summary>
public sealed record AdminMessageRequest
{
    public required string SenderId { get; init; }
    public required SendTarget To { get; init; }
    public required string ClientMsgId { get; init; }
    public required string Type { get; init; }
    public object? Content { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public object? File { get; init; }
}

/// <summary>A subscription to <c>POST /api/v1/admin/webhooks</c>; <see cref="Secret"/> is generated when left out.</summary>
public sealed record CreateWebhookRequest
{
    public required string Url { get; init; }
    public required IReadOnlyList<string> Events { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Secret { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? TimeoutMs { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public bool? FailOpen { get; init; }
}

public sealed record WebhookView(string Id, string Url, List<string> Events, string Secret, int TimeoutMs, bool FailOpen, DateTimeOffset CreatedAt);

/// <summary>A broadcast accepted for sending in the background: its id and how many users it goes to.</summary>
public sealed record BroadcastAccepted(string BroadcastId, int Recipients);

/// <summary>For an operator's dashboard: accounts (bots included), who is online and on how many sockets, the last day's messages, the nodes.</summary>
public sealed record StatsView(long Users, long OnlineUsers, long Connections, long MessagesLast24h, long Nodes);
