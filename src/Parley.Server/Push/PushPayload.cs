using System.Text.Json;
using System.Text.Json.Serialization;
using Parley.Server.Events;

namespace Parley.Server.Push;

/// <summary>
/// What a notification says (docs/push.md): for a message <c>{type: "message", conversationId, seq, title, body,
/// unreadTotal, count}</c>, for a ringing call <c>{type: "call", callId, conversationId, title, body, unreadTotal}</c>.
/// The same fields go encrypted to a Web Push subscription and to the <c>push.requested</c> event for fcm/apns.
/// </summary>
public sealed record PushPayload(
    string Type,
    string? ConversationId,
    long? Seq,
    string Title,
    string Body,
    long UnreadTotal,
    int? Count = null,
    string? CallId = null,
    string? Media = null);

/// <summary>One notification for one push address.</summary>
public sealed record PushNotification(DevicePushSubscription Address, PushPayload Payload, bool Urgent);

/// <summary>
/// A notification for an fcm or apns address, which Parley does not send itself: the operator's own push provider
/// does, hearing of it through the <c>push.requested</c> webhook. Raised once per address.
/// </summary>
public sealed record PushRequested(long UserId, string Kind, string Token, PushPayload Payload) : IDomainEvent;

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(PushPayload))]
[JsonSerializable(typeof(PushSubscriptionBody))]
[JsonSerializable(typeof(PushUnsubscribeBody))]
[JsonSerializable(typeof(PushSubscriptionView))]
[JsonSerializable(typeof(VapidPublicKeyView))]
public sealed partial class PushJsonContext : JsonSerializerContext;
