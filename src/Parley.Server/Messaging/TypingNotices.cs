using Parley.Server.Events;
using Parley.Server.Social;
using Parley.Server.Storage;

namespace Parley.Server.Messaging;

/// <summary>"Someone is typing": checked like a send (may this user post here?), told to the other members as <see cref="MemberTyping"/>.</summary>
public sealed class TypingNotices(ParleyDb db, ConversationAccess access, DomainEvents events)
{
    public async Task NotifyAsync(long userId, long conversationId, CancellationToken cancellationToken)
    {
        var grant = await access.ForTypingAsync(userId, conversationId, cancellationToken);
        // Presence-like, like read receipts: nobody across a block with the typist (either way) hears of it. In a direct
        // conversation ForTypingAsync has refused already; in a group the blocked members are left out.
        var blocked = grant.Kind == ConversationKind.Group
            ? await Relationships.BlockedEitherWayAsync(db, userId, cancellationToken)
            : [];
        var others = grant.MemberIds.Where(m => m != userId && !blocked.Contains(m)).ToList();
        await events.PublishAsync(new MemberTyping(conversationId, userId, others), cancellationToken);
    }
}
