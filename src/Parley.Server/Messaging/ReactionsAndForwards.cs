using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Parley.Server.Accounts;

namespace Parley.Server.Messaging;

/// <summary>
/// One user's reaction with one emoji to one message: the key (message, user, emoji) makes adding twice a no-op and
/// keeps counts right however many members react at once. Counts are read with a GROUP BY over the key's prefix.
/// </summary>
public sealed class MessageReaction
{
    public long MessageId { get; set; }
    public long UserId { get; set; }
    public required string Emoji { get; set; }
    public long ConversationId { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}

/// <summary>One emoji's reactions on a message as one reader sees them: how many, and whether the reader is among them.</summary>
public sealed record ReactionCount(string Emoji, int Count, bool Me);

internal sealed class MessageReactionConfiguration : IEntityTypeConfiguration<MessageReaction>
{
    public void Configure(EntityTypeBuilder<MessageReaction> reaction)
    {
        reaction.ToTable("MessageReactions");
        reaction.HasKey(r => new { r.MessageId, r.UserId, r.Emoji });
        reaction.Property(r => r.Emoji).HasMaxLength(ReactionRules.MaxEmojiLength);
        // A message's reactions go with it (recall deletes them; so would deleting the message).
        reaction.HasOne<Message>().WithMany().HasForeignKey(r => r.MessageId).OnDelete(DeleteBehavior.Cascade);
        reaction.HasOne<User>().WithMany().HasForeignKey(r => r.UserId).OnDelete(DeleteBehavior.Cascade);
    }
}

/// <summary>
/// A file that a merged forward's items carry (its <c>content.items[].file</c>): the file is reused, not copied, and
/// whoever sees the forward may download it (<see cref="Files.AttachmentAccess"/>); the file sweeper keeps it while
/// such a row refers to it. A single forward needs none: it carries its file in <see cref="Message.FileId"/>.
/// </summary>
public sealed class ForwardedFile
{
    public long FileId { get; set; }
    public long MessageId { get; set; }
}

internal sealed class ForwardedFileConfiguration : IEntityTypeConfiguration<ForwardedFile>
{
    public void Configure(EntityTypeBuilder<ForwardedFile> file)
    {
        file.ToTable("ForwardedFiles");
        // Download checks and the sweeper ask "which messages carry this file": the key's prefix.
        file.HasKey(f => new { f.FileId, f.MessageId });
        file.HasIndex(f => f.MessageId);
        file.HasOne<Message>().WithMany().HasForeignKey(f => f.MessageId).OnDelete(DeleteBehavior.Cascade);
    }
}
