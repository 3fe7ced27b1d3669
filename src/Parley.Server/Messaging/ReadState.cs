using Microsoft.EntityFrameworkCore;
using Parley.Server.Http;
using Parley.Server.Social;
using Parley.Server.Storage;

namespace Parley.Server.Messaging;

/// <summary>Read pointers: each member's "read up to seq", which only moves forward; every member's devices hear of a move.</summary>
public sealed class ReadState(ParleyDb db, ConversationAccess access, Events.DomainEvents events)
{
    public async Task<long> MarkReadAsync(long userId, long conversationId, long seq, CancellationToken cancellationToken)
    {
        if (seq < 0) throw ApiProblem.Invalid("seq", "seq must not be negative.");
        var grant = await access.ForReadingAsync(userId, conversationId, cancellationToken);
        var lastSeq = await db.Conversations.Where(c => c.Id == conversationId).Select(c => c.LastSeq).FirstOrDefaultAsync(cancellationToken);
        var upTo = Math.Min(seq, lastSeq);

        var moved = await db.ConversationMembers
            .Where(m => m.ConversationId == conversationId && m.UserId == userId && m.ReadSeq < upTo)
            .ExecuteUpdateAsync(m => m.SetProperty(x => x.ReadSeq, upTo), cancellationToken);
        // No row means no longer a member (a group left after the check above): nothing to move. Direct
        // conversations get both rows when they are made, groups one per member as they join.
        var current = await db.ConversationMembers.Where(m => m.ConversationId == conversationId && m.UserId == userId)
            .Select(m => m.ReadSeq).FirstOrDefaultAsync(cancellationToken);
        if (moved > 0)
        {
            // A receipt is presence-like: nobody across a block (either way) hears of it; the reader's devices do.
            var blocked = await Relationships.BlockedEitherWayAsync(db, userId, cancellationToken);
            var to = blocked.Count == 0 ? grant.MemberIds : grant.MemberIds.Where(m => !blocked.Contains(m)).ToList();
            await events.PublishAsync(new ReadPointerMoved(conversationId, userId, current, to), CancellationToken.None);
        }
        return current;
    }

    /// <summary>
    /// How many of the other members have read up to a message (their <see cref="ConversationMember.ReadSeq"/> is at
    /// least its seq), out of how many. Its sender also gets who has and who has not; everyone else only the counts.
    /// </summary>
    public async Task<ReceiptsView> ReceiptsAsync(long userId, long conversationId, long messageId, CancellationToken cancellationToken)
    {
        await access.ForReadingAsync(userId, conversationId, cancellationToken);
        // Only for a message the asker sees (not before their joining a group that hides its history, not deleted or cleared).
        var message = await History.Visible(db, userId, conversationId)
            .Where(m => m.Id == messageId)
            .Select(m => new { m.Seq, m.SenderId })
            .FirstOrDefaultAsync(cancellationToken)
            ?? throw ApiProblem.NotFound("message_not_found", "There is no such message in this conversation.");
        // One index range over the conversation's member rows: a group has at most a few thousand.
        var others = await db.ConversationMembers.AsNoTracking()
            .Where(m => m.ConversationId == conversationId && m.UserId != message.SenderId)
            .Select(m => new { m.UserId, m.ReadSeq })
            .ToListAsync(cancellationToken);
        // Members across a block with the asker (either way) are left out: their read state is not the asker's to see,
        // nor the asker's theirs, as with the msg.read events.
        var blocked = await Relationships.BlockedEitherWayAsync(db, userId, cancellationToken);
        if (blocked.Count > 0) others = others.Where(m => !blocked.Contains(m.UserId)).ToList();
        var read = others.Where(m => m.ReadSeq >= message.Seq).ToList();
        var isSender = message.SenderId == userId;
        return new ReceiptsView(
            Ids.Format(messageId),
            message.Seq,
            read.Count,
            others.Count,
            isSender ? read.Select(m => new Reader(Ids.Format(m.UserId), m.ReadSeq)).ToList() : null,
            isSender ? others.Where(m => m.ReadSeq < message.Seq).Select(m => Ids.Format(m.UserId)).ToList() : null);
    }
}
