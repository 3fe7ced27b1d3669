using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Parley.Server.Accounts;

namespace Parley.Server.Social.Friends;

/// <summary>
/// One side of a friendship: a friendship is two rows, (A, B) and (B, A), so that each side keeps its own
/// remark and a friend list is one index range. The primary key makes a second friendship impossible.
/// </summary>
public sealed class Friendship
{
    public long UserId { get; set; }
    public long FriendId { get; set; }
    public string? Remark { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}

public enum RequestStatus
{
    Pending = 0,
    Accepted = 1,
    Rejected = 2,
}

public sealed class FriendRequest
{
    public long Id { get; set; }
    public long FromUserId { get; set; }
    public long ToUserId { get; set; }
    public string? Message { get; set; }
    public RequestStatus Status { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? HandledAt { get; set; }

    /// <summary>The smaller of the two user ids; with <see cref="PairHigh"/>, the unordered pair.</summary>
    public long PairLow { get; set; }

    public long PairHigh { get; set; }
}

/// <summary><see cref="UserId"/> blocked <see cref="BlockedUserId"/>.</summary>
public sealed class Block
{
    public long UserId { get; set; }
    public long BlockedUserId { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}

internal sealed class FriendshipConfiguration : IEntityTypeConfiguration<Friendship>
{
    public void Configure(EntityTypeBuilder<Friendship> friendship)
    {
        friendship.ToTable("Friendships");
        friendship.HasKey(f => new { f.UserId, f.FriendId });
        friendship.Property(f => f.Remark).HasMaxLength(FriendRules.MaxRemarkLength);
        friendship.HasOne<User>().WithMany().HasForeignKey(f => f.UserId).OnDelete(DeleteBehavior.Cascade);
        friendship.HasOne<User>().WithMany().HasForeignKey(f => f.FriendId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class FriendRequestConfiguration : IEntityTypeConfiguration<FriendRequest>
{
    public void Configure(EntityTypeBuilder<FriendRequest> request)
    {
        request.ToTable("FriendRequests");
        request.Property(r => r.Id).ValueGeneratedNever();
        request.Property(r => r.Message).HasMaxLength(FriendRules.MaxRequestMessageLength);
        // At most one pending request per pair of people, whichever way it points: two people asking each
        // other at the same moment collide here, and the loser sees the winner's request and accepts it.
        request.HasIndex(r => new { r.PairLow, r.PairHigh }).IsUnique().HasFilter("\"Status\" = 0");
        request.HasIndex(r => new { r.ToUserId, r.CreatedAt });
        request.HasIndex(r => new { r.FromUserId, r.CreatedAt });
        request.HasOne<User>().WithMany().HasForeignKey(r => r.FromUserId).OnDelete(DeleteBehavior.Cascade);
        request.HasOne<User>().WithMany().HasForeignKey(r => r.ToUserId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class BlockConfiguration : IEntityTypeConfiguration<Block>
{
    public void Configure(EntityTypeBuilder<Block> block)
    {
        block.ToTable("Blocks");
        block.HasKey(b => new { b.UserId, b.BlockedUserId });
        block.HasIndex(b => b.BlockedUserId);
        block.HasOne<User>().WithMany().HasForeignKey(b => b.UserId).OnDelete(DeleteBehavior.Cascade);
        block.HasOne<User>().WithMany().HasForeignKey(b => b.BlockedUserId).OnDelete(DeleteBehavior.Cascade);
    }
}
