using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Parley.Server.Http;
using Parley.Server.Realtime;
using Parley.Server.ScaleOut;
using Parley.Server.Storage;

namespace Parley.Server.Social.Groups;

/// <summary><c>group.updated</c>: the group as <c>GET /groups/{id}</c> shows it to the recipient (their own <c>myRole</c>).</summary>
public sealed record GroupUpdatedEvent(GroupView Group);

/// <summary><c>group.member.joined</c> and <c>group.member.updated</c>: members as <c>GET /groups/{id}/members</c> lists them.</summary>
public sealed record GroupMembersEvent(string GroupId, List<GroupMemberView> Members, string? By);

/// <summary><c>group.member.left</c>: <see cref="Reason"/> is <c>left</c> (by themselves) or <c>removed</c> (by <see cref="By"/>).</summary>
public sealed record GroupMemberLeftEvent(string GroupId, string UserId, string? By, string Reason);

/// <summary><c>group.dissolved</c>.</summary>
public sealed record GroupDissolvedEvent(string GroupId, string By);

/// <summary><c>group.join-request</c>: a join request (or a member's invitation) waiting for approval, or just handled.</summary>
public sealed record GroupJoinRequestEvent(string GroupId, JoinRequestView Request);

/// <summary>A group's members and their roles as they are after a change committed: who hears about it.</summary>
public sealed class GroupAudience(long groupId, List<(long UserId, GroupRole Role)> members)
{
    public long GroupId { get; } = groupId;
    public IReadOnlyList<(long UserId, GroupRole Role)> Members { get; } = members;
    public List<long> UserIds { get; } = members.Select(m => m.UserId).ToList();
    public List<long> Managers { get; } = members.Where(m => GroupRules.Manages(m.Role)).Select(m => m.UserId).ToList();

    public static async Task<GroupAudience> LoadAsync(ParleyDb db, long groupId, CancellationToken cancellationToken)
    {
        var members = await db.GroupMembers.AsNoTracking().Where(m => m.GroupId == groupId)
            .Select(m => new { m.UserId, m.Role }).ToListAsync(cancellationToken);
        return new GroupAudience(groupId, members.Select(m => (m.UserId, m.Role)).ToList());
    }
}

/// <summary>
/// The live side of the group feature: after a change has committed, the group's members (and, for
/// departures, the one who went) hear about it on their devices. A frame is encoded once per distinct
/// content: once for all, or once per role where the view holds the recipient's own role. Delivery is best
/// effort, as for every event; <c>GET /groups…</c> is the truth.
/// </summary>
public sealed class GroupEvents(IMessageRouter router, SocialVersions versions, IOptions<GroupsOptions> options, TimeProvider time)
{
    /// <summary>
    /// Call once a change has committed, before anyone hears of it: voids this node's cached member lists of the
    /// group (so that a newcomer who reacts to the event at once may already post), and returns who is a
    /// member now.
    /// </summary>
    public Task<GroupAudience> CommittedAsync(ParleyDb db, long groupId)
    {
        versions.GroupChanged(groupId);
        return GroupAudience.LoadAsync(db, groupId, CancellationToken.None);
    }

    /// <summary><c>group.updated</c> to every member (or only to <paramref name="only"/>), each seeing their own role.</summary>
    public void Updated(Group group, GroupAudience audience, IReadOnlyCollection<long>? only = null)
    {
        var now = time.GetUtcNow();
        foreach (var byRole in audience.Members.Where(m => only is null || only.Contains(m.UserId)).GroupBy(m => m.Role))
        {
            var view = GroupsApi.View(group, audience.Members.Count, byRole.Key, options.Value.MaxMembers, now);
            router.Publish(byRole.Select(m => m.UserId).ToList(),
                Frames.Encode("group.updated", null, new GroupUpdatedEvent(view), RealtimeJsonContext.Default.GroupUpdatedEvent));
        }
    }

    /// <summary><c>group.member.joined</c> to every member, the newcomers included.</summary>
    public Task JoinedAsync(ParleyDb db, GroupAudience audience, IReadOnlyCollection<long> newcomers, long? by, CancellationToken cancellationToken) =>
        MembersAsync(db, "group.member.joined", audience, newcomers, by, cancellationToken);

    /// <summary><c>group.member.updated</c> to every member: roles or a member's mute changed.</summary>
    public Task MembersChangedAsync(ParleyDb db, GroupAudience audience, IReadOnlyCollection<long> changed, long by, CancellationToken cancellationToken) =>
        MembersAsync(db, "group.member.updated", audience, changed, by, cancellationToken);

    /// <summary><c>group.member.left</c> to the members who remain and to the one who left or was removed.</summary>
    public void Left(GroupAudience remaining, long userId, long by)
    {
        var removed = by != userId;
        var data = new GroupMemberLeftEvent(Ids.Format(remaining.GroupId), Ids.Format(userId), removed ? Ids.Format(by) : null, removed ? "removed" : "left");
        router.Publish([.. remaining.UserIds.Where(id => id != userId), userId],
            Frames.Encode("group.member.left", null, data, RealtimeJsonContext.Default.GroupMemberLeftEvent));
    }

    /// <summary><c>group.dissolved</c> to everyone who was a member.</summary>
    public void Dissolved(long groupId, long by, IReadOnlyList<long> formerMembers)
    {
        versions.GroupChanged(groupId);
        router.Publish(formerMembers,
            Frames.Encode("group.dissolved", null, new GroupDissolvedEvent(Ids.Format(groupId), Ids.Format(by)), RealtimeJsonContext.Default.GroupDissolvedEvent));
    }

    /// <summary>
    /// <c>group.join-request</c> to the owner and admins, and to the person the request is for (and the member
    /// who invited them, if one did): a new request waiting for approval, or one just accepted or rejected.
    /// </summary>
    public async Task JoinRequestAsync(ParleyDb db, GroupAudience audience, GroupJoinRequest request, CancellationToken cancellationToken)
    {
        var user = await db.Users.AsNoTracking().FirstAsync(u => u.Id == request.UserId, cancellationToken);
        var view = GroupsApi.JoinView(request, Accounts.UserViews.Public(user, isFriend: false));
        var recipients = audience.Managers.Append(request.UserId);
        if (request.InviterId is { } inviter) recipients = recipients.Append(inviter);
        router.Publish(recipients.Distinct().ToList(),
            Frames.Encode("group.join-request", null, new GroupJoinRequestEvent(Ids.Format(request.GroupId), view), RealtimeJsonContext.Default.GroupJoinRequestEvent));
    }

    private async Task MembersAsync(
        ParleyDb db, string type, GroupAudience audience, IReadOnlyCollection<long> userIds, long? by, CancellationToken cancellationToken)
    {
        if (userIds.Count == 0 || audience.UserIds.Count == 0) return;
        var members = await GroupsApi.MemberViewsAsync(db, audience.GroupId, userIds, cancellationToken);
        if (members.Count == 0) return;
        var data = new GroupMembersEvent(Ids.Format(audience.GroupId), members, by is { } actor ? Ids.Format(actor) : null);
        router.Publish(audience.UserIds, Frames.Encode(type, null, data, RealtimeJsonContext.Default.GroupMembersEvent));
    }
}
