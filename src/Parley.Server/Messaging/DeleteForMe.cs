using Microsoft.EntityFrameworkCore;
using Parley.Server.Http;
using Parley.Server.Storage;

namespace Parley.Server.Messaging;

/// <summary>
/// "Delete for me" and "clear the conversation for me": only the user's own view changes (history, sync,
/// search, the list's preview); the messages stay for everyone else. A deletion is a MessageDeletions row;
/// clearing moves the member's <see cref="ConversationMember.ClearedSeq"/> forward, and drops the deletions
/// it makes redundant.
/// </summary>
public sealed class DeleteForMe(ParleyDb db, ConversationAccess access, Events.DomainEvents events)
{
    /// <summary>Deletes one message for the user. Deleting it again is not an error and tells nobody.</summary>
    public async Task DeleteAsync(long userId, long conversationId, long messageId, CancellationToken cancellationToken)
    {
        await access.ForReadingAsync(userId, conversationId, cancellationToken);
        var seq = await db.Messages
            .Where(m => m.Id == messageId && m.ConversationId == conversationId)
            .Select(m => (long?)m.Seq)
            .FirstOrDefaultAsync(cancellationToken) ?? throw Recalls.MessageNotFound();

        var gone = await db.MessageDeletions.AnyAsync(d => d.UserId == userId && d.ConversationId == conversationId && d.Seq == seq, cancellationToken)
            || await db.ConversationMembers.AnyAsync(m => m.ConversationId == conversationId && m.UserId == userId && m.ClearedSeq >= seq, cancellationToken);
        if (gone) return;
        db.MessageDeletions.Add(new MessageDeletion { UserId = userId, ConversationId = conversationId, Seq = seq });
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException e) when (DbErrors.IsUniqueViolation(e))
        {
            // Another device deleted it at the same moment, and told the devices.
            db.ChangeTracker.Clear();
            return;
        }
        await events.PublishAsync(new MessageDeletedForMe(userId, conversationId, messageId, seq), CancellationToken.None);
    }

    /// <summary>
    /// Clears the conversation for the user up to <paramref name="upToSeq"/> (by default, and at most, its
    /// newest message). Only moves forward; returns the user's cleared seq now.
    /// </summary>
    public async Task<long> ClearAsync(long userId, long conversationId, long? upToSeq, CancellationToken cancellationToken)
    {
        if (upToSeq < 0) throw ApiProblem.Invalid("upToSeq", "upToSeq must not be negative.");
        await access.ForReadingAsync(userId, conversationId, cancellationToken);
        var lastSeq = await db.Conversations.Where(c => c.Id == conversationId).Select(c => c.LastSeq).FirstOrDefaultAsync(cancellationToken);
        var target = Math.Min(upToSeq ?? lastSeq, lastSeq);

        var moved = await MoveAsync(userId, conversationId, target, cancellationToken);
        var current = await db.ConversationMembers.Where(m => m.ConversationId == conversationId && m.UserId == userId)
            .Select(m => m.ClearedSeq).FirstOrDefaultAsync(cancellationToken);
        if (moved > 0)
        {
            // Deletions at or below the cleared seq say nothing more: a range of the deletions' primary key.
            await db.MessageDeletions.Where(d => d.UserId == userId && d.ConversationId == conversationId && d.Seq <= current)
                .ExecuteDeleteAsync(cancellationToken);
            await events.PublishAsync(new ConversationClearedForMe(userId, conversationId, current), CancellationToken.None);
        }
        return current;
    }

    private Task<int> MoveAsync(long userId, long conversationId, long target, CancellationToken cancellationToken) =>
        db.ConversationMembers
            .Where(m => m.ConversationId == conversationId && m.UserId == userId && m.ClearedSeq < target)
            .ExecuteUpdateAsync(m => m.SetProperty(x => x.ClearedSeq, target), cancellationToken);
}
