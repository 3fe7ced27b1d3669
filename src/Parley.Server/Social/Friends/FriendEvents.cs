using Microsoft.EntityFrameworkCore;
using Parley.Server.Http;
using Parley.Server.Realtime;
using Parley.Server.ScaleOut;
using Parley.Server.Storage;

namespace Parley.Server.Social.Friends;

/// <summary><c>friend.request</c>: a request as <c>GET /friend-requests</c> shows it to the recipient.</summary>
public sealed record FriendRequestEvent(FriendRequestView Request);

/// <summary><c>friend.added</c>: the new friend as <c>GET /friends</c> shows them to the recipient.</summary>
public sealed record FriendAddedEvent(FriendView Friend);

/// <summary><c>friend.removed</c>: the other side of the friendship that ended.</summary>
public sealed record FriendRemovedEvent(string UserId);

/// <summary>
/// The live side of the friend feature: after a change has committed, the devices of both people involved
/// hear about it. Views are made from each recipient's point of view (who is whose friend, whose remark), so
/// each of the two gets a frame of their own. Delivery is best effort, as for every event; the lists over
/// HTTP are the truth.
/// </summary>
public sealed class FriendEvents(IMessageRouter router, IPresenceStore presence, SocialVersions versions)
{
    /// <summary>
    /// <c>friend.request</c> to both people: the addressee sees it arrive (or their other devices see it
    /// handled), the requester's devices see their outgoing request appear, be accepted or be rejected.
    /// </summary>
    public async Task RequestChangedAsync(ParleyDb db, FriendRequest request, CancellationToken cancellationToken)
    {
        foreach (var userId in new[] { request.FromUserId, request.ToUserId })
        {
            var view = await FriendsApi.ViewAsync(db, request, userId, cancellationToken);
            router.Publish([userId], Frames.Encode("friend.request", null, new FriendRequestEvent(view), RealtimeJsonContext.Default.FriendRequestEvent));
        }
    }

    /// <summary><c>friend.added</c> to both: each sees the other as the new friend. Call once the friendship has committed.</summary>
    public async Task AddedAsync(ParleyDb db, long a, long b, CancellationToken cancellationToken)
    {
        // Before anyone hears of it: this node's cached "who may message whom" for the two is void, so that
        // a message sent the moment the event arrives is allowed.
        versions.UserChanged(a);
        versions.UserChanged(b);
        var pair = new[] { a, b };
        var users = await db.Users.AsNoTracking().Where(u => pair.Contains(u.Id)).ToDictionaryAsync(u => u.Id, cancellationToken);
        var sides = await db.Friendships.AsNoTracking()
            .Where(f => (f.UserId == a && f.FriendId == b) || (f.UserId == b && f.FriendId == a))
            .ToListAsync(cancellationToken);
        var online = await presence.OnlineAsync(pair, cancellationToken);
        foreach (var side in sides)
        {
            var friend = users[side.FriendId];
            var view = FriendsApi.View(side, friend, online.Contains(friend.Id));
            router.Publish([side.UserId], Frames.Encode("friend.added", null, new FriendAddedEvent(view), RealtimeJsonContext.Default.FriendAddedEvent));
        }
    }

    /// <summary><c>friend.removed</c> to both, each naming the other.</summary>
    public void Removed(long a, long b)
    {
        versions.UserChanged(a);
        versions.UserChanged(b);
        router.Publish([a], Frames.Encode("friend.removed", null, new FriendRemovedEvent(Ids.Format(b)), RealtimeJsonContext.Default.FriendRemovedEvent));
        router.Publish([b], Frames.Encode("friend.removed", null, new FriendRemovedEvent(Ids.Format(a)), RealtimeJsonContext.Default.FriendRemovedEvent));
    }
}
