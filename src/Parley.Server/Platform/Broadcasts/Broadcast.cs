using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Parley.Server.Platform.Broadcasts;

/// <summary>
/// An announcement from the product (<c>POST /api/v1/admin/broadcasts</c>) and how far its delivery has got. The
/// recipients are walked in user id order; <see cref="Cursor"/> is the last id done, moved in the same transaction as
/// each batch's messages, so a restart resumes after the last batch that committed and nobody gets a second copy.
/// </summary>
public sealed class Broadcast
{
    public long Id { get; set; }

    /// <summary>The message's content as JSON text (a string).</summary>
    public required string Content { get; set; }

    /// <summary>The listed recipients as JSON text (an array of ids, sorted), or null for every user.</summary>
    public string? UserIds { get; set; }

    /// <summary>For every user: the highest user id when it was posted (those who register later are not included).</summary>
    public long UpToUserId { get; set; }

    /// <summary>How many recipients it had when it was posted.</summary>
    public int Recipients { get; set; }

    /// <summary>The last user id whose message is stored (0 before the first batch).</summary>
    public long Cursor { get; set; }

    public int Delivered { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? CompletedAt { get; set; }

    /// <summary>The node working on it, until when: another node (or this one restarted) takes over once it has passed.</summary>
    public string? LeaseOwner { get; set; }
    public DateTimeOffset? LeaseUntil { get; set; }
}

internal sealed class BroadcastConfiguration : IEntityTypeConfiguration<Broadcast>
{
    public void Configure(EntityTypeBuilder<Broadcast> broadcast)
    {
        broadcast.ToTable("Broadcasts");
        broadcast.Property(b => b.Id).ValueGeneratedNever();
        broadcast.Property(b => b.LeaseOwner).HasMaxLength(64);
        // The runner looks only at the unfinished ones.
        broadcast.HasIndex(b => b.CompletedAt);
    }
}
