using Microsoft.EntityFrameworkCore;
using Parley.Server.Events;
using Parley.Server.ScaleOut;
using Parley.Server.Storage;

namespace Parley.Server.Social.Friends;

// The friend feature's events, raised by FriendEvents after the change has committed (see DomainEvents). Each
// carries the views as the HTTP API shows them to each recipient (whose friend, whose remark), one per recipient.

/// <summary>
/// A friend request was made, accepted or rejected (<c>friend.request</c>): the requester and the addressee each get
/// the request as <c>GET /friend-requests</c> shows it to them.
/// </summary>
public sealed record FriendRequestChanged(long RequestId, IReadOnlyList<ViewFor<FriendRequestView>> Views) : IDomainEvent;

/// <summary>Two people became friends (<c>friend.added</c>): each gets the other as <c>GET /friends</c> shows them.</summary>
public sealed record FriendAdded(long UserId, long OtherId, IReadOnlyList<ViewFor<FriendView>> Views) : IDomainEvent;

/// <summary><see cref="UserId"/> ended the friendship with <see cref="OtherId"/> (<c>friend.removed</c>, to both, each naming the other).</summary>
public sealed record FriendRemoved(long UserId, long OtherId) : IDomainEvent;

/// <summary>
/// Raises the friend events once a change has committed. Before anyone hears of a friendship made or ended, this
/// node's cached "who may message whom" for the two is void (<see cref="SocialVersions"/>), so that a message sent
/// the moment the event arrives is judged on the new state. Delivery is best effort, as for every event; the lists
/// over HTTP are the truth.
/// </summary>
public sealed class FriendEvents(DomainEvents events, IPresenceStore presence, SocialVersions versions)
{
    /// <summary>
    /// To both people: the addressee sees it arrive (or their other devices see it handled), the requester's
    /// devices see their outgoing request appear, be accepted or be rejected.
    /// </summary>
    public async Task RequestChangedAsync(ParleyDb db, FriendRequest request, CancellationToken cancellationToken)
    {
        var views = new List<ViewFor<FriendRequestView>>(2);
        foreach (var userId in new[] { request.FromUserId, request.ToUserId })
            views.Add(new([userId], await FriendsApi.ViewAsync(db, request, userId, cancellationToken)));
        await events.PublishAsync(new FriendRequestChanged(request.Id, views), cancellationToken);
    }

    /// <summary>To both: each sees the other as the new friend. Call once the friendship has committed.</summary>
    public async Task AddedAsync(ParleyDb db, long a, long b, CancellationToken cancellationToken)
    {
        versions.UserChanged(a);
        versions.UserChanged(b);
        var pair = new[] { a, b };
        var users = await db.Users.AsNoTracking().Where(u => pair.Contains(u.Id)).ToDictionaryAsync(u => u.Id, cancellationToken);
        var sides = await db.Friendships.AsNoTracking()
            .Where(f => (f.UserId == a && f.FriendId == b) || (f.UserId == b && f.FriendId == a))
            .ToListAsync(cancellationToken);
        var online = await presence.OnlineAsync(pair, cancellationToken);
        var views = sides.Select(side => new ViewFor<FriendView>([side.UserId],
            FriendsApi.View(side, users[side.FriendId], online.Contains(side.FriendId)))).ToList();
        await events.PublishAsync(new FriendAdded(a, b, views), cancellationToken);
    }

    /// <summary>To both, each naming the other.</summary>
    public ValueTask RemovedAsync(long a, long b)
    {
        versions.UserChanged(a);
        versions.UserChanged(b);
        return events.PublishAsync(new FriendRemoved(a, b));
    }
}
