using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Parley.Server.Accounts;

namespace Parley.Server.Messaging;

public enum ConversationKind
{
    Direct = 0,
    Group = 1,
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

    public static string KeyFor(long a, long b) => a < b ? $"{a}:{b}" : $"{b}:{a}";
}

/// <summary>One user's state in a conversation. Both sides of a direct conversation have one from the start; group members get theirs on first use.</summary>
public sealed class ConversationMember
{
    public long ConversationId { get; set; }
    public long UserId { get; set; }

    /// <summary>Everything up to this seq has been read by the user; only ever moves forward.</summary>
    public long ReadSeq { get; set; }
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
    public bool Recalled { get; set; }
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
        member.HasIndex(m => m.UserId);
        member.HasOne<Conversation>().WithMany().HasForeignKey(m => m.ConversationId).OnDelete(DeleteBehavior.Cascade);
        member.HasOne<User>().WithMany().HasForeignKey(m => m.UserId).OnDelete(DeleteBehavior.Cascade);
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
        message.HasOne<Conversation>().WithMany().HasForeignKey(m => m.ConversationId).OnDelete(DeleteBehavior.Cascade);
    }
}
