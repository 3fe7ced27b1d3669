using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Parley.Server.Calls;

/// <summary>
/// A call in progress, as a row: written at invite (and updated at accept), deleted once the call's record is
/// stored. Calls live in memory; these rows are only for the start after a crash, which turns leftovers into
/// <c>dropped</c> records.
/// </summary>
public sealed class ActiveCall
{
    public long Id { get; set; }
    public long ConversationId { get; set; }
    public long CallerId { get; set; }
    public long CalleeId { get; set; }

    /// <summary><c>audio</c> or <c>video</c>.</summary>
    public required string Media { get; set; }

    public DateTimeOffset InvitedAt { get; set; }
    public DateTimeOffset? AcceptedAt { get; set; }
}

internal sealed class ActiveCallConfiguration : IEntityTypeConfiguration<ActiveCall>
{
    public void Configure(EntityTypeBuilder<ActiveCall> call)
    {
        call.ToTable("ActiveCalls");
        call.Property(c => c.Id).ValueGeneratedNever();
        call.Property(c => c.Media).HasMaxLength(8);
    }
}
