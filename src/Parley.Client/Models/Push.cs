namespace Parley.Client;

public sealed record VapidPublicKeyView(string PublicKey);

public sealed record PushSubscriptionView(string Id, string Kind, DateTimeOffset CreatedAt);

/// <summary>What a Web Push notification carries (decrypted), or a <c>push.requested</c> event's payload.</summary>
public sealed record PushPayload(
    string Type, string? ConversationId, long? Seq, string Title, string Body, long UnreadTotal, int? Count, string? CallId, string? Media);
