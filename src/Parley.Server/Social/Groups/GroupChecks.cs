using Microsoft.EntityFrameworkCore;
using Parley.Server.Http;
using Parley.Server.Storage;

namespace Parley.Server.Social.Groups;

/// <summary>
/// The checks every group endpoint starts with: the group exists, the caller is a member (or runs it), the person
/// named is a member, there is room, the invitees are friends, the asker was not removed; and the group's lock. Each refuses with the
/// API's problem.
/// </summary>
public static class GroupChecks
{
    /// <summary>The trimmed name; null when blank. Refuses one that is too long.</summary>
    public static string? CheckName(string? name)
    {
        if (string.IsNullOrWhiteSpace(name)) return null;
        var trimmed = DisplayText.Clean(name);
        if (trimmed.Length == 0) return null;
        if (trimmed.Length > GroupRules.MaxNameLength)
            throw ApiProblem.Invalid("name", $"The group name must be at most {GroupRules.MaxNameLength} characters.");
        return trimmed;
    }

    /// <summary>
    /// Takes the group's row lock until the transaction ends, so that the transactions which read a group's members
    /// and then change them (invite, join, accept, roles, removal) run one at a time per group. Without it,
    /// PostgreSQL's read committed lets two of them both see room and both insert past the member limit, both
    /// miss a pending request or a membership and hit a unique key (a 500), or both act on a role the other is
    /// changing. The update writes nothing new; on SQLite, whose write transactions are serialised already, it
    /// is harmless.
    /// </summary>
    public static async Task LockAsync(ParleyDb db, long groupId, CancellationToken cancellationToken) =>
        await db.Groups.Where(g => g.Id == groupId)
            .ExecuteUpdateAsync(g => g.SetProperty(x => x.UpdatedAt, x => x.UpdatedAt), cancellationToken);

    public static async Task<Group> FindGroupAsync(ParleyDb db, long groupId, CancellationToken cancellationToken) =>
        await db.Groups.FirstOrDefaultAsync(g => g.Id == groupId && g.DissolvedAt == null, cancellationToken)
            ?? throw ApiProblem.NotFound("group_not_found", "There is no such group.");

    public static async Task<GroupRole?> RoleOfAsync(ParleyDb db, long groupId, long userId, CancellationToken cancellationToken) =>
        await db.GroupMembers.Where(m => m.GroupId == groupId && m.UserId == userId)
            .Select(m => (GroupRole?)m.Role).FirstOrDefaultAsync(cancellationToken);

    public static async Task<(Group Group, GroupMember Me)> RequireMemberAsync(ParleyDb db, long groupId, long userId, CancellationToken cancellationToken)
    {
        var group = await FindGroupAsync(db, groupId, cancellationToken);
        var me = await db.GroupMembers.FirstOrDefaultAsync(m => m.GroupId == group.Id && m.UserId == userId, cancellationToken)
            ?? throw ApiProblem.Forbidden("not_group_member", "You are not a member of this group.");
        return (group, me);
    }

    public static async Task<(Group Group, GroupMember Me)> RequireManagerAsync(ParleyDb db, long groupId, long userId, CancellationToken cancellationToken)
    {
        var (group, me) = await RequireMemberAsync(db, groupId, userId, cancellationToken);
        if (!GroupRules.Manages(me.Role)) throw ApiProblem.Forbidden("not_group_admin", "Only the group's owner and admins can do this.");
        return (group, me);
    }

    public static async Task<GroupMember> FindMemberAsync(ParleyDb db, long groupId, long userId, CancellationToken cancellationToken) =>
        await db.GroupMembers.FirstOrDefaultAsync(m => m.GroupId == groupId && m.UserId == userId, cancellationToken)
            ?? throw ApiProblem.NotFound("member_not_found", "This person is not a member of the group.");

    public static async Task ThrowUnlessAllFriendsAsync(ParleyDb db, long me, List<long> userIds, CancellationToken cancellationToken)
    {
        if (userIds.Count == 0) return;
        var friends = await db.Friendships.Where(f => f.UserId == me && userIds.Contains(f.FriendId))
            .Select(f => f.FriendId).ToListAsync(cancellationToken);
        var strangers = userIds.Except(friends).ToList();
        if (strangers.Count > 0)
            throw new ApiProblem(StatusCodes.Status403Forbidden, "not_friends",
                $"You can only invite your friends; not friends: {string.Join(", ", strangers)}.");
    }

    /// <summary>
    /// Refuses a join request from someone an owner or admin removed (<see cref="GroupRemoval"/>), whatever the
    /// group's <see cref="Group.JoinApproval"/>: only an owner's or admin's invitation or approval lets them back.
    /// </summary>
    public static async Task ThrowIfRemovedAsync(ParleyDb db, long groupId, long userId, CancellationToken cancellationToken)
    {
        if (await db.GroupRemovals.AnyAsync(r => r.GroupId == groupId && r.UserId == userId, cancellationToken))
            throw ApiProblem.Forbidden("removed_from_group",
                "You were removed from this group: only an owner's or admin's invitation or approval lets you back in.");
    }

    /// <summary>Those of <paramref name="userIds"/> whom an owner or admin removed and who have not been let back since.</summary>
    public static async Task<HashSet<long>> RemovedAmongAsync(ParleyDb db, long groupId, List<long> userIds, CancellationToken cancellationToken) =>
        userIds.Count == 0
            ? []
            : (await db.GroupRemovals.Where(r => r.GroupId == groupId && userIds.Contains(r.UserId))
                .Select(r => r.UserId).ToListAsync(cancellationToken)).ToHashSet();

    /// <summary>An owner or admin let these people back in (an invitation or an approval): their removal no longer bars them.</summary>
    public static async Task ForgetRemovalsAsync(ParleyDb db, long groupId, List<long> userIds, CancellationToken cancellationToken)
    {
        if (userIds.Count > 0)
            await db.GroupRemovals.Where(r => r.GroupId == groupId && userIds.Contains(r.UserId)).ExecuteDeleteAsync(cancellationToken);
    }

    public static async Task ThrowIfFullAsync(ParleyDb db, long groupId, int joining, GroupsOptions options, CancellationToken cancellationToken)
    {
        var count = await db.GroupMembers.CountAsync(m => m.GroupId == groupId, cancellationToken);
        if (count + joining > options.MaxMembers)
            throw ApiProblem.Conflict("group_full", $"A group has at most {options.MaxMembers} members.");
    }
}
