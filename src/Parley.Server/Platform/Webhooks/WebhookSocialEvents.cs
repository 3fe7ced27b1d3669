using Microsoft.EntityFrameworkCore;
using Parley.Server.Http;
using Parley.Server.Social;
using Parley.Server.Social.Groups;
using Parley.Server.Storage;

namespace Parley.Server.Platform.Webhooks;

/// <summary>
/// The friend and group events (<c>friend.added</c>, <c>friend.removed</c>, <c>group.created</c>,
/// <c>group.member_joined</c>, <c>group.member_left</c>, <c>group.dissolved</c>), added to the change's own unit of work
/// through Social's <see cref="ISocialOutbox"/> port: no event without its change, no change without its event.
/// Ordered per group, or per pair of users for friendships. Nothing is written for a type no one subscribes to.
/// </summary>
public sealed class WebhookSocialEvents(WebhookOutbox outbox) : ISocialOutbox
{
    public void FriendAdded(ParleyDb db, long userId, long friendId) =>
        outbox.Add(db, WebhookEventTypes.FriendAdded, Math.Min(userId, friendId), new FriendshipEventData(Ids.Format(userId), Ids.Format(friendId)));

    public void FriendRemoved(ParleyDb db, long userId, long friendId) =>
        outbox.Add(db, WebhookEventTypes.FriendRemoved, Math.Min(userId, friendId), new FriendshipEventData(Ids.Format(userId), Ids.Format(friendId)));

    public void GroupCreated(ParleyDb db, Group group, IReadOnlyList<long> memberIds) =>
        outbox.Add(db, WebhookEventTypes.GroupCreated, group.Id,
            new GroupCreatedEventData(Ids.Format(group.Id), Ids.Format(group.OwnerId), group.Name, memberIds.Select(Ids.Format).ToList()));

    public async Task MembersJoinedAsync(ParleyDb db, IReadOnlyList<GroupMember> joined, long? by, CancellationToken cancellationToken)
    {
        if (joined.Count == 0 || !outbox.Wants(WebhookEventTypes.GroupMemberJoined)) return;
        var userIds = joined.Select(m => m.UserId).ToList();
        var users = await db.Users.AsNoTracking().Where(u => userIds.Contains(u.Id)).ToDictionaryAsync(u => u.Id, cancellationToken);
        // In the order GET /groups/{id}/members lists them.
        var members = joined.Where(m => users.ContainsKey(m.UserId))
            .OrderByDescending(m => m.Role).ThenBy(m => m.JoinedAt).ThenBy(m => m.UserId)
            .Select(m => GroupViews.Member(m, users[m.UserId])).ToList();
        outbox.Add(db, WebhookEventTypes.GroupMemberJoined, joined[0].GroupId,
            new GroupMembersJoinedEventData(Ids.Format(joined[0].GroupId), members, by is { } b ? Ids.Format(b) : null));
    }

    public void MemberLeft(ParleyDb db, long groupId, long userId, long? removedBy) =>
        outbox.Add(db, WebhookEventTypes.GroupMemberLeft, groupId,
            new GroupMemberLeftEventData(Ids.Format(groupId), Ids.Format(userId), removedBy is { } by ? Ids.Format(by) : null));

    public void GroupDissolved(ParleyDb db, long groupId, long by) =>
        outbox.Add(db, WebhookEventTypes.GroupDissolved, groupId, new GroupDissolvedEventData(Ids.Format(groupId), Ids.Format(by)));
}
