using Microsoft.EntityFrameworkCore;
using Parley.Server.Accounts;
using Parley.Server.Storage;

namespace Parley.Server.Social.Groups;

/// <summary>
/// An erased account leaves every group it is in, inside the erasure's transaction: an owner's group first passes to
/// its oldest admin, else its oldest member (by joining time), and a group with no one else is dissolved. Its join
/// requests and removal records go. Once committed, each group tells its members exactly what a transfer and a
/// leave (or a dissolution) by hand would: the system messages, <c>group.updated</c>, <c>group.member.updated</c>,
/// <c>group.member.left</c> or <c>group.dissolved</c>.
/// </summary>
public sealed class GroupsErasure(IGroupConversationRows conversations, GroupAnnouncer announcer, ISocialOutbox outbox) : IAccountErasure
{
    public async Task<Func<Task>?> EraseAsync(ParleyDb db, long userId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await db.GroupJoinRequests.Where(r => r.UserId == userId).ExecuteDeleteAsync(cancellationToken);
        await db.GroupRemovals.Where(r => r.UserId == userId).ExecuteDeleteAsync(cancellationToken);

        // In id order, so that two erasures (or an erasure and a group change) never lock two groups in opposite orders.
        var groupIds = await db.GroupMembers.Where(m => m.UserId == userId).Select(m => m.GroupId).OrderBy(id => id).ToListAsync(cancellationToken);
        var news = new List<(long GroupId, GroupNews News)>();
        var dissolved = new List<long>();
        foreach (var groupId in groupIds)
        {
            await GroupChecks.LockAsync(db, groupId, cancellationToken);
            var group = await db.Groups.FirstAsync(g => g.Id == groupId, cancellationToken);
            var me = await db.GroupMembers.FirstAsync(m => m.GroupId == groupId && m.UserId == userId, cancellationToken);
            var history = new List<GroupHappening>();
            long? heir = null;
            if (me.Role == GroupRole.Owner)
            {
                var successor = await db.GroupMembers
                    .Where(m => m.GroupId == groupId && m.UserId != userId)
                    .OrderBy(m => m.Role == GroupRole.Admin ? 0 : 1).ThenBy(m => m.JoinedAt).ThenBy(m => m.UserId)
                    .FirstOrDefaultAsync(cancellationToken);
                if (successor is null)
                {
                    group.DissolvedAt = now;
                    group.UpdatedAt = now;
                    outbox.GroupDissolved(db, groupId, userId);
                    await db.SaveChangesAsync(cancellationToken);
                    await db.GroupMembers.Where(m => m.GroupId == groupId).ExecuteDeleteAsync(cancellationToken);
                    await db.GroupRemovals.Where(r => r.GroupId == groupId).ExecuteDeleteAsync(cancellationToken);
                    await conversations.DissolvedAsync(db, groupId, cancellationToken);
                    await db.GroupJoinRequests.Where(r => r.GroupId == groupId && r.Status == Friends.RequestStatus.Pending)
                        .ExecuteUpdateAsync(r => r.SetProperty(x => x.Status, Friends.RequestStatus.Rejected).SetProperty(x => x.HandledAt, now), cancellationToken);
                    dissolved.Add(groupId);
                    continue;
                }
                successor.Role = GroupRole.Owner;
                group.OwnerId = successor.UserId;
                group.UpdatedAt = now;
                heir = successor.UserId;
                history.Add(new GroupHappening(GroupHappening.OwnerChanged, userId) { UserIds = [successor.UserId] });
            }
            db.GroupMembers.Remove(me);
            await conversations.LeftAsync(db, groupId, userId, cancellationToken);
            outbox.MemberLeft(db, groupId, userId, removedBy: null);
            await db.SaveChangesAsync(cancellationToken);
            history.Add(new GroupHappening(GroupHappening.MemberLeft, userId));
            news.Add((groupId, new GroupNews
            {
                History = history,
                MembersChanged = heir is { } h ? [h] : [],
                ChangedBy = userId,
                Updated = heir is null ? null : group,
                Left = (userId, userId),
            }));
        }
        if (news.Count == 0 && dissolved.Count == 0) return null;
        return async () =>
        {
            foreach (var (groupId, groupNews) in news) await announcer.AnnounceAsync(groupId, groupNews);
            foreach (var groupId in dissolved) await announcer.DissolvedAsync(groupId, userId, [userId]);
        };
    }
}
