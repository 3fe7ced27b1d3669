using Microsoft.EntityFrameworkCore;
using Parley.Server.Accounts;
using Parley.Server.Storage;

namespace Parley.Server.Social.Friends;

/// <summary>
/// An erased account's contacts: friendships (both sides), friend requests and blocks (either way) go. Its former
/// friends hear <c>friend.removed</c>, as if it had removed them.
/// </summary>
public sealed class ContactsErasure(FriendEvents events, ISocialOutbox outbox) : IAccountErasure
{
    public async Task<Func<Task>?> EraseAsync(ParleyDb db, long userId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var friends = await db.Friendships.Where(f => f.UserId == userId).Select(f => f.FriendId).ToListAsync(cancellationToken);
        await db.Friendships.Where(f => f.UserId == userId || f.FriendId == userId).ExecuteDeleteAsync(cancellationToken);
        await db.FriendRequests.Where(r => r.FromUserId == userId || r.ToUserId == userId).ExecuteDeleteAsync(cancellationToken);
        await db.Blocks.Where(b => b.UserId == userId || b.BlockedUserId == userId).ExecuteDeleteAsync(cancellationToken);
        // Saved by the eraser with the rest of its unit of work.
        foreach (var friend in friends) outbox.FriendRemoved(db, userId, friend);
        if (friends.Count == 0) return null;
        return async () =>
        {
            foreach (var friend in friends) await events.RemovedAsync(userId, friend);
        };
    }
}
