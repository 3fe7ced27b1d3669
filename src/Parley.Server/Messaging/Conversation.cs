using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Parley.Server.Accounts;

namespace Parley.Server.Messaging;

public enum ConversationKind
{
    Direct = 0,
    Group = 1,

    /// <summary>A user's announcements from the product (platform broadcasts): read-only, one per user.</summary>
    System = 2,
}

public static class ConversationKinds
{
    /// <summary>A conversation kind as the API writes it.</summary>
    public static string Name(ConversationKind kind) => kind switch
    {
        ConversationKind.Direct => "direct",
        ConversationKind.Group => "group",
        _ => "system",
    };
}

/// <summary>
/// A direct conversation between two friends, or a group's. A group's conversation has the group's id, so a
/// message addressed to a group needs no lookup. <see cref="LastSeq"/> is the seq of the newest message: the
/// committer raises it and inserts the messages in one transaction, so seqs have no gaps.
/// </summary>
public sealed class Conversation
{
    public long Id { get; set; }
    public ConversationKind Kind { get; set; }

    /// <summary>For a direct conversation, "low:high" of the two user ids: unique, so two first messages cannot make two conversations.</summary>
    public string? DirectKey { get; set; }

    public long LastSeq { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? LastMessageAt { get; set; }

    /// <summary>
    /// The list's sort key that every member row of this conversation holds (<see cref="ConversationMember.ListActivityAt"/>):
    /// the conversation's activity (<see cref="LastMessageAt"/>, else <see cref="CreatedAt"/>) as it was when the key last
    /// moved. A message moves it only once the activity is <see cref="ConversationMember.ListActivityLag"/> past it, so a
    /// busy group rewrites its members' rows at most once a second, not once per message.
    /// </summary>
    public DateTimeOffset ListActivityAt { get; set; }

    /// <summary>The newest message that mentions <c>all</c> (groups): one field instead of a write per member.</summary>
    public long MentionAllSeq { get; set; }

    /// <summary>
    /// Disappearing messages: each new message expires this many seconds after it is sent (<see cref="Message.ExpiresAt"/>);
    /// null keeps them. Shared by the members (docs/messages.md, "Retention").
    /// </summary>
    public int? MessageTtlSeconds { get; set; }

    /// <summary>
    /// The highest seq the retention sweeper has deleted (0: none). Above it the stored seqs have no holes, so a member
    /// whose read pointer is at or past it has <c>LastSeq - readSeq</c> unread without counting rows.
    /// </summary>
    public long SweptSeq { get; set; }

    public static string KeyFor(long a, long b) => a < b ? $"{a}:{b}" : $"{b}:{a}";

    /// <summary>
    /// The sender of the messages the server writes on the product's behalf (broadcasts): no user has id 0. A user's
    /// system conversation is keyed as the pair (0, user), so its <see cref="DirectKey"/> is unique per user and the
    /// user is a party of it wherever a pair is checked.
    /// </summary>
    public const long SystemSenderId = 0;

    public static string SystemKeyFor(long userId) => KeyFor(SystemSenderId, userId);
}

/// <summary>
/// One user's state in a conversation: the row the conversation list is read from, so that listing never scans
/// messages. Both sides of a direct conversation get one with the conversation; a group member gets one on
/// joining (see <see cref="GroupConversations"/>) and loses it on leaving.
/// </summary>
public sealed class ConversationMember
{
    public long ConversationId { get; set; }
    public long UserId { get; set; }

    /// <summary>Everything up to this seq has been read by the user; only ever moves forward.</summary>
    public long ReadSeq { get; set; }

    public bool Pinned { get; set; }
    public bool Muted { get; set; }

    /// <summary>Hidden from the list while the conversation's last seq is at most this; a new message shows it again.</summary>
    public long? HiddenAtSeq { get; set; }

    /// <summary>"Clear conversation for me": messages up to this seq are gone for this user only.</summary>
    public long ClearedSeq { get; set; }

    /// <summary>The newest message that mentions this user by id; the row is marked while it is above <see cref="ReadSeq"/>.</summary>
    public long MentionSeq { get; set; }

    /// <summary>
    /// The conversation's <see cref="Conversation.ListActivityAt"/>, copied here so that a page of the list is an index
    /// range over the user's own rows, not a join of all of them (thousands) with their conversations and a sort. It is
    /// never later than the conversation's activity and less than <see cref="ListActivityLag"/> behind it, which is all
    /// <see cref="ConversationList"/> needs to find a page's rows exactly.
    /// </summary>
    public DateTimeOffset ListActivityAt { get; set; }

    /// <summary>
    /// How far a member row's sort key may lag its conversation's activity. Longer means fewer member-row writes in busy
    /// groups (at most one per member per this interval); shorter means fewer rows for a page to sort exactly. Rows
    /// written with one value are read with it: changing it needs a migration that re-copies the keys.
    /// </summary>
    public static readonly TimeSpan ListActivityLag = TimeSpan.FromSeconds(1);
}

/// <summary>One message deleted "for me": left out of that user's history, sync, search and list preview.</summary>
public sealed class MessageDeletion
{
    public long UserId { get; set; }
    public long ConversationId { get; set; }
    public long Seq { get; set; }
}

public sealed class Message
{
    public long Id { get; set; }
    public long ConversationId { get; set; }
    public long Seq { get; set; }
    public long SenderId { get; set; }
    public required string ClientMsgId { get; set; }
    public MessageType Type { get; set; }

    /// <summary>The content as JSON text: a string for text and emoji, an object for calls.</summary>
    public required string Content { get; set; }

    /// <summary>The attachment descriptor as JSON text, for image, voice, video and file messages.</summary>
    public string? File { get; set; }

    public DateTimeOffset SentAt { get; set; }

    /// <summary>Recalled messages keep their row (the seq stays taken) but lose content, file and search text.</summary>
    public bool Recalled { get; set; }

    /// <summary>The quoted message as JSON text <c>{messageId, seq, senderId, type, preview}</c>, fixed at send time.</summary>
    public string? ReplyTo { get; set; }

    /// <summary>The id of the quoted message (the <c>messageId</c> of <see cref="ReplyTo"/>): how a recall finds the quotes to scrub.</summary>
    public long? ReplyToId { get; set; }

    /// <summary>Mentioned user ids, or <c>["all"]</c>, as JSON text (groups only).</summary>
    public string? Mentions { get; set; }

    /// <summary>The uploaded file an image, voice, video or file message carries: who may download it follows from here.</summary>
    public long? FileId { get; set; }

    /// <summary>When the message disappears (its conversation's time-to-live at sending); null when it does not. See <see cref="MessageRetention"/>.</summary>
    public DateTimeOffset? ExpiresAt { get; set; }

    /// <summary>Plain text of a text message, for full-text search (SQLite FTS5, PostgreSQL trigram index); null otherwise.</summary>
    public string? SearchText { get; set; }

    /// <summary>When the sender last edited the text (<see cref="MessageEdits"/>); null for a message never edited.</summary>
    public DateTimeOffset? EditedAt { get; set; }

    /// <summary>A copy of another message (<c>forwardOf</c>): shown as forwarded.</summary>
    public bool Forwarded { get; set; }

    /// <summary>
    /// Not stored: the reaction counts as one reader sees them, filled in by <see cref="MessageReactions.AttachAsync"/>
    /// for history and sync; null when there are none.
    /// </summary>
    public IReadOnlyList<ReactionCount>? Reactions { get; set; }

    /// <summary>A detached copy, to describe the row as a change will leave it.</summary>
    public Message Copy() => (Message)MemberwiseClone();
}

public enum MessageType
{
    Text = 0,
    Emoji = 1,
    Image = 2,
    Voice = 3,
    Video = 4,
    File = 5,
    Call = 6,
    System = 7,
    Forward = 8,
}

public static class MessageTypes
{
    /// <summary>A message type as the API writes it (<c>text</c>, <c>image</c>, …).</summary>
    public static string Name(MessageType type) => type switch
    {
        MessageType.Text => "text",
        MessageType.Emoji => "emoji",
        MessageType.Image => "image",
        MessageType.Voice => "voice",
        MessageType.Video => "video",
        MessageType.File => "file",
        MessageType.Call => "call",
        MessageType.Forward => "forward",
        _ => "system",
    };
}

internal sealed class ConversationConfiguration : IEntityTypeConfiguration<Conversation>
{
    public void Configure(EntityTypeBuilder<Conversation> conversation)
    {
        conversation.ToTable("Conversations");
        conversation.Property(c => c.Id).ValueGeneratedNever();
        conversation.Property(c => c.DirectKey).HasMaxLength(41);
        conversation.HasIndex(c => c.DirectKey).IsUnique();
    }
}

internal sealed class ConversationMemberConfiguration : IEntityTypeConfiguration<ConversationMember>
{
    public void Configure(EntityTypeBuilder<ConversationMember> member)
    {
        member.ToTable("ConversationMembers");
        member.HasKey(m => new { m.ConversationId, m.UserId });
        // The conversation list's order (pinned first, then the sort key), walked newest first for a page.
        member.HasIndex(m => new { m.UserId, m.Pinned, m.ListActivityAt, m.ConversationId }).HasDatabaseName("IX_ConversationMembers_UserId_List");
        member.HasOne<Conversation>().WithMany().HasForeignKey(m => m.ConversationId).OnDelete(DeleteBehavior.Cascade);
        member.HasOne<User>().WithMany().HasForeignKey(m => m.UserId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class MessageDeletionConfiguration : IEntityTypeConfiguration<MessageDeletion>
{
    public void Configure(EntityTypeBuilder<MessageDeletion> deletion)
    {
        deletion.ToTable("MessageDeletions");
        // History reads "this user's deletions in this conversation in a seq range": the key is that index.
        deletion.HasKey(d => new { d.UserId, d.ConversationId, d.Seq });
        deletion.HasOne<Conversation>().WithMany().HasForeignKey(d => d.ConversationId).OnDelete(DeleteBehavior.Cascade);
        deletion.HasOne<User>().WithMany().HasForeignKey(d => d.UserId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class MessageConfiguration : IEntityTypeConfiguration<Message>
{
    public void Configure(EntityTypeBuilder<Message> message)
    {
        message.ToTable("Messages");
        message.Property(m => m.Id).ValueGeneratedNever();
        message.Property(m => m.ClientMsgId).HasMaxLength(MessageRules.MaxClientMsgIdLength);
        // The seq order of a conversation, gapless and unique: the index that history and sync read.
        message.HasIndex(m => new { m.ConversationId, m.Seq }).IsUnique();
        // Idempotent sends: one message per sender and clientMsgId, whatever the retries.
        message.HasIndex(m => new { m.SenderId, m.ClientMsgId }).IsUnique();
        message.HasIndex(m => m.FileId).HasFilter("\"FileId\" IS NOT NULL");
        // A recall scrubs the quotes of the replies to the recalled message.
        message.HasIndex(m => m.ReplyToId).HasFilter("\"ReplyToId\" IS NOT NULL");
        // The retention sweeper finds what has expired without scanning the messages that never expire.
        message.HasIndex(m => m.ExpiresAt).HasFilter("\"ExpiresAt\" IS NOT NULL");
        message.HasOne<Conversation>().WithMany().HasForeignKey(m => m.ConversationId).OnDelete(DeleteBehavior.Cascade);
        // Existing rows and the committer's insert (which names only the columns it sets) are not forwarded.
        message.Property(m => m.Forwarded).HasDefaultValue(false);
        message.Ignore(m => m.Reactions);
    }
}
