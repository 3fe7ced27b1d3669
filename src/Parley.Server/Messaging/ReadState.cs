using Microsoft.EntityFrameworkCore;
using Parley.Server.Http;
using Parley.Server.Realtime;
using Parley.Server.ScaleOut;
using Parley.Server.Storage;

namespace Parley.Server.Messaging;

/// <summary>Read pointers: each member's "read up to seq", which only moves forward; every member's devices hear of a move.</summary>
public sealed class ReadState(ParleyDb db, ConversationAccess access, IMessageRouter router)
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
        if (moved == 0 && upTo > 0 && !await db.ConversationMembers.AnyAsync(m => m.ConversationId == conversationId && m.UserId == userId, cancellationToken))
        {
            db.ConversationMembers.Add(new ConversationMember { ConversationId = conversationId, UserId = userId, ReadSeq = upTo });
            try
            {
                await db.SaveChangesAsync(cancellationToken);
                moved = 1;
            }
            catch (DbUpdateException e) when (DbErrors.IsUniqueViolation(e))
            {
                db.ChangeTracker.Clear();
                moved = await db.ConversationMembers
                    .Where(m => m.ConversationId == conversationId && m.UserId == userId && m.ReadSeq < upTo)
                    .ExecuteUpdateAsync(m => m.SetProperty(x => x.ReadSeq, upTo), cancellationToken);
            }
        }

        var current = await db.ConversationMembers.Where(m => m.ConversationId == conversationId && m.UserId == userId)
            .Select(m => m.ReadSeq).FirstOrDefaultAsync(cancellationToken);
        if (moved > 0)
        {
            var receipt = new ReadReceipt(Ids.Format(conversationId), Ids.Format(userId), current);
            router.Publish(grant.MemberIds, Frames.Encode("msg.read", null, receipt, RealtimeJsonContext.Default.ReadReceipt));
        }
        return current;
    }
}
