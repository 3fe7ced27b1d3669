using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Parley.Server.Accounts;
using Parley.Server.Events;
using Parley.Server.Storage;

namespace Parley.Server.Social.Groups;

/// <summary>What one committed group change tells, and to whom it depends on the members after it (see <see cref="GroupAnnouncer"/>).</summary>
public sealed class GroupNews
{
    /// <summary>What the group's history tells (its <c>system</c> messages), in order.</summary>
    public List<GroupHappening> History { get; init; } = [];

    /// <summary>Who joined, and who added or approved them (null: they joined by themselves).</summary>
    public IReadOnlyCollection<long> Joined { get; init; } = [];
    public long? JoinedBy { get; init; }

    /// <summary>Members whose role or mute changed, and who changed it.</summary>
    public IReadOnlyCollection<long> MembersChanged { get; init; } = [];
    public long ChangedBy { get; init; }

    /// <summary>The group as it is now, when its details, mute or owner changed; told to every member, or only to <see cref="UpdatedFor"/>.</summary>
    public Group? Updated { get; init; }
    public IReadOnlyCollection<long>? UpdatedFor { get; init; }

    /// <summary>The member who left (<c>By</c> is themselves) or was removed (by <c>By</c>).</summary>
    public (long UserId, long By)? Left { get; init; }

    /// <summary>Join requests (or members' invitations) that now wait, or were just handled.</summary>
    public IReadOnlyList<GroupJoinRequest> JoinRequests { get; init; } = [];
}

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
/// The tail every group change shares, once it has committed: void the cached rights, find out who is a member
/// now, and raise the events (<see cref="GroupEvents"/>) with the views as each recipient sees them. It goes on
/// even if the caller has gone (the change stands), hence no cancellation.
/// <para>Order: <see cref="SocialVersions"/> moves before anyone hears of the change (a newcomer who reacts to the
/// event at once may already post); the history's <see cref="GroupChanged"/> events come first and are awaited,
/// so the change's HTTP answer comes after its system message is stored; then the member, group and join-request
/// events.</para>
/// </summary>
public sealed class GroupAnnouncer(ParleyDb db, SocialVersions versions, DomainEvents events, IOptions<GroupsOptions> options, TimeProvider time)
{
    public async Task<GroupAudience> AnnounceAsync(long groupId, GroupNews news)
    {
        versions.GroupChanged(groupId);
        var audience = await GroupAudience.LoadAsync(db, groupId, CancellationToken.None);
        if (audience.UserIds.Count > 0)
            foreach (var happening in news.History)
                await events.PublishAsync(new GroupChanged(groupId, happening, audience.UserIds));
        await MembersAsync(audience, news.Joined, members => new GroupMembersJoined(groupId, members, news.JoinedBy, audience.UserIds));
        await MembersAsync(audience, news.MembersChanged, members => new GroupMembersUpdated(groupId, members, news.ChangedBy, audience.UserIds));
        if (news.Updated is { } group) await UpdatedAsync(group, audience, news.UpdatedFor);
        if (news.Left is { } left)
            await events.PublishAsync(new GroupMemberLeft(groupId, left.UserId, left.By != left.UserId ? left.By : null,
                [.. audience.UserIds.Where(id => id != left.UserId), left.UserId]));
        foreach (var request in news.JoinRequests) await JoinRequestAsync(audience, request);
        return audience;
    }

    /// <summary>After a dissolution has committed: everyone who was a member hears of it.</summary>
    public async Task DissolvedAsync(long groupId, long by, IReadOnlyList<long> formerMembers)
    {
        versions.GroupChanged(groupId);
        await events.PublishAsync(new GroupDissolved(groupId, by, formerMembers));
    }

    private async Task UpdatedAsync(Group group, GroupAudience audience, IReadOnlyCollection<long>? only)
    {
        var now = time.GetUtcNow();
        var views = audience.Members.Where(m => only is null || only.Contains(m.UserId)).GroupBy(m => m.Role)
            .Select(byRole => new ViewFor<GroupView>(byRole.Select(m => m.UserId).ToList(),
                GroupViews.Group(group, audience.Members.Count, byRole.Key, options.Value.MaxMembers, now)))
            .ToList();
        if (views.Count > 0) await events.PublishAsync(new GroupUpdated(group.Id, views));
    }

    private async Task MembersAsync<TEvent>(GroupAudience audience, IReadOnlyCollection<long> userIds, Func<List<GroupMemberView>, TEvent> raise)
        where TEvent : IDomainEvent
    {
        if (userIds.Count == 0 || audience.UserIds.Count == 0) return;
        var members = await GroupDirectory.MemberViewsAsync(db, audience.GroupId, userIds, CancellationToken.None);
        if (members.Count > 0) await events.PublishAsync(raise(members));
    }

    private async Task JoinRequestAsync(GroupAudience audience, GroupJoinRequest request)
    {
        var user = await db.Users.AsNoTracking().FirstAsync(u => u.Id == request.UserId, CancellationToken.None);
        var recipients = audience.Managers.Append(request.UserId);
        if (request.InviterId is { } inviter) recipients = recipients.Append(inviter);
        await events.PublishAsync(new GroupJoinRequestChanged(request.GroupId,
            GroupViews.JoinRequest(request, UserViews.Public(user, isFriend: false)), recipients.Distinct().ToList()));
    }
}
