using System.Text.Json;
using System.Text.Json.Serialization;

namespace Parley.Server.Messaging;

/// <summary>Where a message goes: exactly one of the three.</summary>
public sealed record SendTarget(string? UserId, string? GroupId, string? ConversationId);

/// <summary>
/// A send. <c>replyTo</c>: the id of a message of the same conversation; <c>mentions</c>: user ids or <c>"all"</c> (groups);
/// <c>forwardOf</c>: a message to copy (no content or file; type ignored); <c>forward</c>: with type <c>forward</c>, the
/// messages of a merged forward.
/// </summary>
public sealed record SendMessageBody(SendTarget? To, string? ClientMsgId, MessageType? Type, JsonElement? Content, JsonElement? File,
    string? ReplyTo = null, List<string?>? Mentions = null, ForwardRef? ForwardOf = null, MergedForwardRef? Forward = null);

public sealed record MessageAck(string ClientMsgId, string MessageId, string ConversationId, long Seq, DateTimeOffset SentAt);

/// <summary>
/// A message, the same JSON over HTTP as in <c>msg.new</c> and <c>msg.batch</c> (<see cref="Realtime.Frames.WriteMessage"/>):
/// <c>file</c> is always there (null when none); <c>replyTo</c>, <c>mentions</c>, <c>editedAt</c>, <c>reactions</c> and
/// <c>forwarded</c> only when the message has them.
/// </summary>
public sealed record MessageView(
    string Id, string ConversationId, long Seq, string SenderId, string ClientMsgId, MessageType Type, JsonElement Content,
    JsonElement? File, DateTimeOffset SentAt, bool Recalled,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] JsonElement? ReplyTo = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] JsonElement? Mentions = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] DateTimeOffset? EditedAt = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<ReactionCount>? Reactions = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] bool? Forwarded = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] DateTimeOffset? ExpiresAt = null)
{
    public static MessageView From(Message m) => new(
        m.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), m.ConversationId.ToString(System.Globalization.CultureInfo.InvariantCulture),
        m.Seq, m.SenderId.ToString(System.Globalization.CultureInfo.InvariantCulture), m.ClientMsgId, m.Type,
        JsonDocument.Parse(m.Content).RootElement.Clone(),
        m.File is null ? null : JsonDocument.Parse(m.File).RootElement.Clone(), m.SentAt, m.Recalled,
        m.ReplyTo is null ? null : JsonDocument.Parse(m.ReplyTo).RootElement.Clone(),
        m.Mentions is null ? null : JsonDocument.Parse(m.Mentions).RootElement.Clone(),
        m.EditedAt, m.Reactions, m.Forwarded ? true : null, m.ExpiresAt);
}

public sealed record ReadBody(long? Seq);

public sealed record ReadReceipt(string ConversationId, string UserId, long Seq);
