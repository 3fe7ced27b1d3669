using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Parley.Server.Accounts;
using Parley.Server.Social.Friends;

namespace Parley.Server.Social.Groups;

public sealed class Group
{
    public long Id { get; set; }
    public required string Name { get; set; }
    public string? Icon { get; set; }
    public string? Notice { get; set; }
    public long OwnerId { get; set; }

    /// <summary>
    /// When on, join requests and members' invitations wait for an owner or admin. On unless the creator turns it
    /// off (<see cref="GroupRules.DefaultJoinApproval"/>).
    /// </summary>
    public bool JoinApproval { get; set; }

    /// <summary>
    /// When off, a member who joins sees the group's messages only from their joining on (their conversation row is
    /// cleared up to the seq at joining). On by default.
    /// </summary>
    public bool HistoryForNewMembers { get; set; } = true;

    /// <summary>While in the future, only the owner and admins may post.</summary>
    public DateTimeOffset? MutedUntil { get; set; }

    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
    public DateTimeOffset? DissolvedAt { get; set; }
}

/// <summary>Ordered by power: a role may act on members whose role is lower.</summary>
public enum GroupRole
{
    Member = 0,
    Admin = 1,
    Owner = 2,
}

public sealed class GroupMember
{
    public long GroupId { get; set; }
    public long UserId { get; set; }
    public GroupRole Role { get; set; }
    public DateTimeOffset JoinedAt { get; set; }
    public DateTimeOffset? MutedUntil { get; set; }
    public long? InvitedBy { get; set; }
}

/// <summary>A request to join, made by the user or, when <see cref="InviterId"/> is set, an invitation awaiting approval.</summary>
public sealed class GroupJoinRequest
{
    public long Id { get; set; }
    public long GroupId { get; set; }
    public long UserId { get; set; }
    public long? InviterId { get; set; }
    public string? Message { get; set; }
    public RequestStatus Status { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public long? HandledBy { get; set; }
    public DateTimeOffset? HandledAt { get; set; }
}

/// <summary>
/// A member an owner or admin removed. They may not join again by themselves (a join request is refused, and a
/// plain member's invitation waits for approval even when <see cref="Group.JoinApproval"/> is off) until an owner
/// or admin invites them or approves a request for them, which deletes the row. Leaving by oneself leaves none.
/// </summary>
public sealed class GroupRemoval
{
    public long GroupId { get; set; }
    public long UserId { get; set; }
    public long RemovedBy { get; set; }
    public DateTimeOffset RemovedAt { get; set; }
}

internal sealed class GroupConfiguration : IEntityTypeConfiguration<Group>
{
    public void Configure(EntityTypeBuilder<Group> group)
    {
        group.ToTable("Groups");
        group.Property(g => g.Id).ValueGeneratedNever();
        group.Property(g => g.Name).HasMaxLength(GroupRules.MaxNameLength);
        group.Property(g => g.Icon).HasMaxLength(AccountRules.MaxAvatarLength);
        group.Property(g => g.Notice).HasMaxLength(GroupRules.MaxNoticeLength);
        group.HasOne<User>().WithMany().HasForeignKey(g => g.OwnerId).OnDelete(DeleteBehavior.Restrict);
    }
}

internal sealed class GroupMemberConfiguration : IEntityTypeConfiguration<GroupMember>
{
    public void Configure(EntityTypeBuilder<GroupMember> member)
    {
        member.ToTable("GroupMembers");
        member.HasKey(m => new { m.GroupId, m.UserId });
        member.HasIndex(m => m.UserId);
        member.HasOne<Group>().WithMany().HasForeignKey(m => m.GroupId).OnDelete(DeleteBehavior.Cascade);
        member.HasOne<User>().WithMany().HasForeignKey(m => m.UserId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class GroupJoinRequestConfiguration : IEntityTypeConfiguration<GroupJoinRequest>
{
    public void Configure(EntityTypeBuilder<GroupJoinRequest> request)
    {
        request.ToTable("GroupJoinRequests");
        request.Property(r => r.Id).ValueGeneratedNever();
        request.Property(r => r.Message).HasMaxLength(GroupRules.MaxRequestMessageLength);
        request.HasIndex(r => new { r.GroupId, r.UserId }).IsUnique().HasFilter("\"Status\" = 0");
        request.HasIndex(r => new { r.GroupId, r.CreatedAt });
        request.HasOne<Group>().WithMany().HasForeignKey(r => r.GroupId).OnDelete(DeleteBehavior.Cascade);
        request.HasOne<User>().WithMany().HasForeignKey(r => r.UserId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class GroupRemovalConfiguration : IEntityTypeConfiguration<GroupRemoval>
{
    public void Configure(EntityTypeBuilder<GroupRemoval> removal)
    {
        removal.ToTable("GroupRemovals");
        removal.HasKey(r => new { r.GroupId, r.UserId });
        removal.HasIndex(r => r.UserId);
        removal.HasOne<Group>().WithMany().HasForeignKey(r => r.GroupId).OnDelete(DeleteBehavior.Cascade);
        removal.HasOne<User>().WithMany().HasForeignKey(r => r.UserId).OnDelete(DeleteBehavior.Cascade);
    }
}
