using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Parley.Server.Accounts;

namespace Parley.Server.Files;

/// <summary>An uploaded attachment: the bytes live on disk under <c>Files:Path</c>, this row says what they are and whose.</summary>
public sealed class StoredFile
{
    public long Id { get; set; }
    public long OwnerId { get; set; }
    public required string Name { get; set; }

    /// <summary>The content type found in the bytes (not the one the client claimed).</summary>
    public required string ContentType { get; set; }

    public long Size { get; set; }
    public int? Width { get; set; }
    public int? Height { get; set; }
    public long? DurationMs { get; set; }

    /// <summary>The file's name on disk, relative to <c>Files:Path</c>; never derived from the client's name.</summary>
    public required string StorageName { get; set; }

    public DateTimeOffset CreatedAt { get; set; }
}

internal sealed class StoredFileConfiguration : IEntityTypeConfiguration<StoredFile>
{
    public void Configure(EntityTypeBuilder<StoredFile> file)
    {
        file.ToTable("Files");
        file.Property(f => f.Id).ValueGeneratedNever();
        file.Property(f => f.Name).HasMaxLength(255);
        file.Property(f => f.ContentType).HasMaxLength(128);
        file.Property(f => f.StorageName).HasMaxLength(128);
        file.HasIndex(f => f.OwnerId);
        file.HasOne<User>().WithMany().HasForeignKey(f => f.OwnerId).OnDelete(DeleteBehavior.Cascade);
    }
}
