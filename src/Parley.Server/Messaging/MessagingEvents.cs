using Parley.Server.Events;

namespace Parley.Server.Messaging;

// The events of the messaging feature, raised after their change has committed (see DomainEvents). Each names
// who is concerned, so that subscribers (the real-time layer today; webhooks and push later) need no second read.

/// <summary>
/// A message was stored with its seq (the committer raises these in seq order per conversation).
/// <see cref="Recipients"/> are the conversation's members, the sender included; <see cref="SenderDeviceId"/> is the
/// device that sent it (it has the ack instead), or 0 when it came over HTTP or from the server itself.
/// </summary>
public sealed record MessageStored(Message Message, IReadOnlyList<long> Recipients, long SenderDeviceId) : IDomainEvent;

/// <summary>
/// A resend (same sender and clientMsgId) reached this node for a message that another process stored: a node that
/// died, or this node before a restart, may have stored it and never delivered it, so connected devices get it once
/// more (they keep each conversation's seq once). Only the real-time layer hears of it: push and webhooks had their
/// turn when it was stored.
/// </summary>
public sealed record MessageRedelivered(Message Message, IReadOnlyList<long> Recipients, long SenderDeviceId) : IDomainEvent;

/// <summary>A message was recalled for everyone by <see cref="RecalledBy"/>; <see cref="Members"/> are the conversation's.</summary>
public sealed record MessageRecalled(long ConversationId, long MessageId, long Seq, long RecalledBy, IReadOnlyList<long> Members) : IDomainEvent;

/// <summary>A user deleted a message for themselves only.</summary>
public sealed record MessageDeletedForMe(long UserId, long ConversationId, long MessageId, long Seq) : IDomainEvent;

/// <summary>A user cleared a conversation for themselves, up to <see cref="ClearedSeq"/>.</summary>
public sealed record ConversationClearedForMe(long UserId, long ConversationId, long ClearedSeq) : IDomainEvent;

/// <summary>
/// A member's read pointer moved forward. <see cref="Audience"/> are the members who may hear of it (nobody across a
/// block with the reader), the reader included.
/// </summary>
public sealed record ReadPointerMoved(long ConversationId, long UserId, long ReadSeq, IReadOnlyList<long> Audience) : IDomainEvent;

/// <summary>A user pinned, muted or hid a conversation (for themselves).</summary>
public sealed record ConversationSettingsChanged(long UserId, ConversationSettings Settings) : IDomainEvent;

/// <summary>A member is typing; <see cref="Audience"/> are the other members who may hear of it (nobody across a block).</summary>
public sealed record MemberTyping(long ConversationId, long UserId, IReadOnlyList<long> Audience) : IDomainEvent;

/// <summary>
/// The sender edited a text message: <see cref="Content"/> is the new content as JSON text; <see cref="Members"/> are
/// the conversation's (the sender's own devices hear of it too).
/// </summary>
public sealed record MessageEdited(long ConversationId, long MessageId, long Seq, string Content, DateTimeOffset EditedAt, IReadOnlyList<long> Members) : IDomainEvent;

/// <summary>
/// A user added (<see cref="Added"/>) or took back a reaction. <see cref="Audience"/> are the members who may hear of
/// it: nobody across a block with the reacting user (either way), the reacting user included.
/// </summary>
public sealed record ReactionChanged(long ConversationId, long MessageId, string Emoji, long UserId, bool Added, IReadOnlyList<long> Audience) : IDomainEvent;

/// <summary>One message that retention deleted for good: its id, conversation and (now empty) seq.</summary>
public sealed record ExpiredMessage(long MessageId, long ConversationId, long Seq);

/// <summary>
/// The retention sweeper deleted these messages for good (their time-to-live or <c>Retention:MaxAge</c> had passed),
/// raised after each of its batches commits. Readers stopped seeing them when they expired; this is for durable
/// subscribers (the <c>message.deleted_by_retention</c> webhook).
/// </summary>
public sealed record MessagesExpired(IReadOnlyList<ExpiredMessage> Messages) : IDomainEvent;
