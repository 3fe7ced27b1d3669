using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Parley.Server.Accounts;
using Parley.Server.Http;
using Parley.Server.Social.Friends;
using Parley.Server.Storage;

namespace Parley.Server.Social.Groups;

/// <summary>Reading groups: mine, one group, its members, its join requests; each as the caller may see it.</summary>
public sealed class GroupDirectory(ParleyDb db, IOptions<GroupsOptions> options, TimeProvider time)
{
    public async Task<List<GroupView>> MineAsync(long me, CancellationToken cancellationToken)
    {
        var mine = await (
            from m in db.GroupMembers.AsNoTracking()
            join g in db.Groups.AsNoTracking() on m.GroupId equals g.Id
            where m.UserId == me && g.DissolvedAt == null
            orderby g.CreatedAt descending
            select new { g, m.Role, Count = db.GroupMembers.Count(x => x.GroupId == g.Id) }).ToListAsync(cancellationToken);
        var now = time.GetUtcNow();
        return mine.Select(x => GroupViews.Group(x.g, x.Count, x.Role, options.Value.MaxMembers, now)).ToList();
    }

    public async Task<GroupView> GroupAsync(long groupId, long me, CancellationToken cancellationToken)
    {
        var group = await GroupChecks.FindGroupAsync(db, groupId, cancellationToken);
        var role = await GroupChecks.RoleOfAsync(db, group.Id, me, cancellationToken);
        var count = await db.GroupMembers.CountAsync(m => m.GroupId == group.Id, cancellationToken);
        var view = GroupViews.Group(group, count, role, options.Value.MaxMembers, time.GetUtcNow());
        // The notice is for members; anyone may see enough to decide whether to ask to join.
        return role is null ? view with { Notice = null } : view;
    }

    public async Task<List<GroupMemberView>> MembersAsync(long groupId, long me, CancellationToken cancellationToken)
    {
        var (group, _) = await GroupChecks.RequireMemberAsync(db, groupId, me, cancellationToken);
        return await MemberViewsAsync(db, group.Id, null, cancellationToken);
    }

    /// <summary>The group's members (or only <paramref name="userIds"/>) as <c>GET /groups/{id}/members</c> lists them.</summary>
    public static async Task<List<GroupMemberView>> MemberViewsAsync(
        ParleyDb db, long groupId, IReadOnlyCollection<long>? userIds, CancellationToken cancellationToken)
    {
        var members = db.GroupMembers.AsNoTracking().Where(m => m.GroupId == groupId);
        if (userIds is not null) members = members.Where(m => userIds.Contains(m.UserId));
        var rows = await (
            from m in members
            join u in db.Users.AsNoTracking() on m.UserId equals u.Id
            orderby m.Role descending, m.JoinedAt, m.UserId
            select new { m, u }).ToListAsync(cancellationToken);
        return rows.Select(x => GroupViews.Member(x.m, x.u)).ToList();
    }

    /// <summary>For the owner and admins; <paramref name="status"/> (pending, accepted, rejected) is checked after that.</summary>
    public async Task<List<JoinRequestView>> JoinRequestsAsync(
        long groupId, long me, string? status, int limit, CancellationToken cancellationToken)
    {
        var (group, _) = await GroupChecks.RequireManagerAsync(db, groupId, me, cancellationToken);
        var query = db.GroupJoinRequests.AsNoTracking().Where(r => r.GroupId == group.Id);
        if (status is not null)
        {
            if (!Enum.TryParse<RequestStatus>(status, ignoreCase: true, out var wanted) || !Enum.IsDefined(wanted))
                throw ApiProblem.Invalid("status", "status is pending, accepted or rejected.");
            query = query.Where(r => r.Status == wanted);
        }
        var requests = await (
            from r in query
            join u in db.Users.AsNoTracking() on r.UserId equals u.Id
            orderby r.CreatedAt descending, r.Id descending
            select new { r, u }).Take(limit).ToListAsync(cancellationToken);
        return requests.Select(x => GroupViews.JoinRequest(x.r, UserViews.Public(x.u, isFriend: false))).ToList();
    }
}
