using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;
using Parley.Server.Events;
using Parley.Server.Social;
using Parley.Server.Storage;

namespace Parley.Server.Messaging;

/// <summary>
/// "Someone is typing": checked like a send (may this user post here?), told to the other members as <see cref="MemberTyping"/>,
/// at most once per <see cref="MessagingOptions.TypingInterval"/> (3 s) per user and conversation, whatever the user's
/// devices send: a typist in a group of thousands costs one fan-out per interval (each frame is still checked, so that a
/// block or a departure refuses the very next one).
/// The interval is kept per node (a user's devices on two nodes may each be relayed once per interval).
/// </summary>
public sealed class TypingNotices(ParleyDb db, ConversationAccess access, DomainEvents events, IMemoryCache cache, IOptions<MessagingOptions> options)
{
    public async Task NotifyAsync(long userId, long conversationId, CancellationToken cancellationToken)
    {
        // Checked every time, so that a block or a departure refuses the very next frame; only the fan-out is throttled.
        var grant = await access.ForTypingAsync(userId, conversationId, cancellationToken);
        var key = new RelayedKey(userId, conversationId);
        // Claimed under a lock: two devices of one user typing at the same moment must not both be relayed (the cache's
        // GetOrCreate alone lets both through). Held for a dictionary read and write only.
        lock (Claiming)
        {
            if (cache.TryGetValue(key, out _)) return;
            cache.Set(key, true, options.Value.TypingInterval);
        }
        // Presence-like, like read receipts: nobody across a block with the typist (either way) hears of it. In a direct
        // conversation ForTypingAsync has refused already; in a group the blocked members are left out.
        var blocked = grant.Kind == ConversationKind.Group
            ? await Relationships.BlockedEitherWayAsync(db, userId, cancellationToken)
            : [];
        var others = grant.MemberIds.Where(m => m != userId && !blocked.Contains(m)).ToList();
        await events.PublishAsync(new MemberTyping(conversationId, userId, others), cancellationToken);
    }

    private static readonly Lock Claiming = new();

    private sealed record RelayedKey(long UserId, long ConversationId);
}
