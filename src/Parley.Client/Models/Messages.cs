using System.Text.Json;
using System.Text.Json.Serialization;

namespace Parley.Client;

/// <summary>Exactly one of the three.</summary>
public sealed record SendTarget(
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? UserId = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? GroupId = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? ConversationId = null)
{
    public static SendTarget User(string userId) => new(UserId: userId);
    public static SendTarget Group(string groupId) => new(GroupId: groupId);
    public static SendTarget Conversation(string conversationId) => new(ConversationId: conversationId);
}

public sealed record MessageAck(string ClientMsgId, string MessageId, string ConversationId, long Seq, DateTimeOffset SentAt);

public sealed record MessageView(
    string Id, string ConversationId, long Seq, string SenderId, string ClientMsgId, string Type, JsonElement Content,
    JsonElement? File, DateTimeOffset SentAt, bool Recalled, MessageQuote? ReplyTo = null, List<string>? Mentions = null,
    DateTimeOffset? EditedAt = null, List<ReactionCount>? Reactions = null, bool? Forwarded = null, DateTimeOffset? ExpiresAt = null);

/// <summary>One emoji's reactions on a message as I see them (people across a block with me are not counted).</summary>
public sealed record ReactionCount(string Emoji, int Count, bool Me);

/// <summary><c>forwardOf</c> of a send: the message to copy.</summary>
public sealed record ForwardRef(string ConversationId, string MessageId);

/// <summary><c>forward</c> of a merged forward (type <c>forward</c>): up to 100 messages of one conversation.</summary>
public sealed record MergedForwardRef(string ConversationId, List<string> MessageIds);

/// <summary>The data of a <c>msg.edited</c> event.</summary>
public sealed record EditData(string ConversationId, string MessageId, long Seq, JsonElement Content, DateTimeOffset EditedAt);

/// <summary>The data of a <c>msg.reaction</c> event.</summary>
public sealed record ReactionData(string ConversationId, string MessageId, string Emoji, string UserId, bool Added);

/// <summary>The short quote of the message a reply answers, fixed when the reply was sent.</summary>
public sealed record MessageQuote(string MessageId, long Seq, string SenderId, string Type, string Preview, bool Recalled);

/// <summary>The data of a <c>msg.recalled</c> event.</summary>
public sealed record RecallData(string ConversationId, string MessageId, long Seq, string RecalledBy);

/// <summary>The data of a <c>msg.deleted</c> event (to the deleting user's own devices).</summary>
public sealed record DeletionData(string ConversationId, string MessageId, long Seq);

/// <summary>The data of a <c>conversation.cleared</c> event (to the clearing user's own devices).</summary>
public sealed record ClearedData(string ConversationId, long ClearedSeq);
