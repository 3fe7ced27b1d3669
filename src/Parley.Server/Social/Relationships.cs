using Microsoft.EntityFrameworkCore;
using Parley.Server.Http;
using Parley.Server.Social.Friends;
using Parley.Server.Storage;

namespace Parley.Server.Social;

/// <summary>The questions other features ask about two people: are they friends, has either blocked the other.</summary>
public static class Relationships
{
    public static Task<bool> AreFriendsAsync(ParleyDb db, long userId, long otherId, CancellationToken cancellationToken) =>
        db.Friendships.AnyAsync(f => f.UserId == userId && f.FriendId == otherId, cancellationToken);

    /// <summary>Refuses when either has blocked the other.</summary>
    public static async Task ThrowIfBlockedAsync(ParleyDb db, long me, long other, CancellationToken cancellationToken)
    {
        var blocks = await db.Blocks.AsNoTracking()
            .Where(b => (b.UserId == me && b.BlockedUserId == other) || (b.UserId == other && b.BlockedUserId == me))
            .Select(b => b.UserId).ToListAsync(cancellationToken);
        if (blocks.Contains(other)) throw ApiProblem.Forbidden("blocked", "This person does not accept requests or messages from you.");
        if (blocks.Contains(me)) throw ApiProblem.Forbidden("blocked", "You have blocked this person; unblock them first.");
    }

    /// <summary>
    /// Everyone <paramref name="userId"/> has blocked or is blocked by: the people who get none of their
    /// presence-like signals (presence, read receipts, typing). Two index ranges (the key and IX_Blocks_BlockedUserId);
    /// a user's block list is short.
    /// </summary>
    public static async Task<HashSet<long>> BlockedEitherWayAsync(ParleyDb db, long userId, CancellationToken cancellationToken)
    {
        var ids = await db.Blocks.AsNoTracking().Where(b => b.UserId == userId).Select(b => b.BlockedUserId)
            .Concat(db.Blocks.AsNoTracking().Where(b => b.BlockedUserId == userId).Select(b => b.UserId))
            .ToListAsync(cancellationToken);
        return [.. ids];
    }

    /// <summary>Adds both sides of the friendship to the context (not saved), unless they are friends already.</summary>
    public static async Task MakeFriendsAsync(ParleyDb db, long a, long b, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (await AreFriendsAsync(db, a, b, cancellationToken)) return;
        db.Friendships.Add(new Friendship { UserId = a, FriendId = b, CreatedAt = now });
        db.Friendships.Add(new Friendship { UserId = b, FriendId = a, CreatedAt = now });
    }
}
