using Microsoft.EntityFrameworkCore;
using Parley.Server.Events;
using Parley.Server.Social;
using Parley.Server.Storage;

namespace Parley.Server.Messaging;

/// <summary>
/// Reactions (docs/messages.md): a member who sees a message adds or takes back an emoji; each (message, user, emoji)
/// is one row, so adding twice or taking back what is not there changes nothing and tells nobody.
/// <para>Blocks: reactions are presence-like signals, like typing. A reaction is not told to anyone across a block with
/// the reacting user (either way), and counts leave out the reactions of users across a block with the reader.</para>
/// </summary>
public sealed class MessageReactions(ParleyDb db, ConversationAccess access, DomainEvents events, TimeProvider time)
{
    public async Task AddAsync(long userId, long conversationId, long messageId, string? emoji, CancellationToken cancellationToken)
    {
        var checkedEmoji = ReactionRules.Check(emoji);
        var (grant, _) = await FindAsync(userId, conversationId, messageId, cancellationToken);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        // Distinct emoji are counted after the insert, so the limit holds under concurrent reactions: SQLite has one
        // writer at a time, and on PostgreSQL the message row's lock makes reactions to one message take turns.
        if (db is not SqliteParleyDb)
            await db.Database.ExecuteSqlAsync($"SELECT 1 FROM \"Messages\" WHERE \"Id\" = {messageId} FOR UPDATE", cancellationToken);
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        object createdAt = db is SqliteParleyDb ? now : DateTimeOffset.FromUnixTimeMilliseconds(now);
        var inserted = await db.Database.ExecuteSqlAsync($"""
            INSERT INTO "MessageReactions" ("MessageId", "UserId", "Emoji", "ConversationId", "CreatedAt")
            VALUES ({messageId}, {userId}, {checkedEmoji}, {conversationId}, {createdAt})
            ON CONFLICT DO NOTHING
            """, cancellationToken);
        if (inserted == 0)
        {
            await transaction.CommitAsync(cancellationToken);
            return;
        }
        var distinct = await db.MessageReactions.Where(r => r.MessageId == messageId).Select(r => r.Emoji).Distinct().CountAsync(cancellationToken);
        if (distinct > ReactionRules.MaxDistinctPerMessage)
        {
            await transaction.RollbackAsync(cancellationToken);
            throw Http.ApiProblem.Conflict("too_many_reactions",
                $"A message carries at most {ReactionRules.MaxDistinctPerMessage} different emoji; react with one it has already.");
        }
        await transaction.CommitAsync(cancellationToken);
        await PublishAsync(grant, messageId, checkedEmoji, userId, added: true);
    }

    public async Task RemoveAsync(long userId, long conversationId, long messageId, string? emoji, CancellationToken cancellationToken)
    {
        var checkedEmoji = ReactionRules.Check(emoji);
        var (grant, _) = await FindAsync(userId, conversationId, messageId, cancellationToken);
        var removed = await db.MessageReactions
            .Where(r => r.MessageId == messageId && r.UserId == userId && r.Emoji == checkedEmoji)
            .ExecuteDeleteAsync(cancellationToken);
        if (removed > 0) await PublishAsync(grant, messageId, checkedEmoji, userId, added: false);
    }

    /// <summary>
    /// Fills in <see cref="Message.Reactions"/> for a page of messages as <paramref name="readerId"/> sees them: one
    /// query for the whole page (grouped by message and emoji, over the key's message-id prefix), leaving out the
    /// reactions of users across a block with the reader. Most used emoji first, then by emoji.
    /// </summary>
    public static async Task AttachAsync(ParleyDb db, long readerId, IReadOnlyList<Message> messages, CancellationToken cancellationToken)
    {
        if (messages.Count == 0) return;
        var ids = messages.Where(m => !m.Recalled).Select(m => m.Id).ToList();
        if (ids.Count == 0) return;
        var counts = await db.MessageReactions.AsNoTracking()
            .Where(r => ids.Contains(r.MessageId))
            .Where(r => !db.Blocks.Any(b => (b.UserId == readerId && b.BlockedUserId == r.UserId) || (b.UserId == r.UserId && b.BlockedUserId == readerId)))
            .GroupBy(r => new { r.MessageId, r.Emoji })
            .Select(g => new { g.Key.MessageId, g.Key.Emoji, Count = g.Count(), Me = g.Sum(r => r.UserId == readerId ? 1 : 0) })
            .ToListAsync(cancellationToken);
        if (counts.Count == 0) return;
        var byMessage = counts.GroupBy(c => c.MessageId).ToDictionary(
            g => g.Key,
            g => (IReadOnlyList<ReactionCount>)g.OrderByDescending(c => c.Count).ThenBy(c => c.Emoji, StringComparer.Ordinal)
                .Select(c => new ReactionCount(c.Emoji, c.Count, c.Me > 0)).ToList());
        foreach (var message in messages)
            if (byMessage.TryGetValue(message.Id, out var reactions)) message.Reactions = reactions;
    }

    /// <summary>The message, if the user sees it (a member, not deleted or cleared for them, not recalled); else 404.</summary>
    private async Task<(ConversationAccessGrant Grant, Message Message)> FindAsync(long userId, long conversationId, long messageId, CancellationToken cancellationToken)
    {
        var grant = await access.ForReadingAsync(userId, conversationId, cancellationToken);
        var message = await History.Visible(db, userId, conversationId).FirstOrDefaultAsync(m => m.Id == messageId, cancellationToken)
            ?? throw Recalls.MessageNotFound();
        if (message.Recalled) throw Http.ApiProblem.Conflict("message_recalled", "The message was recalled; it takes no reactions.");
        if (grant.Kind == ConversationKind.Direct)
        {
            // Like typing: across a block, no signal at all in a direct conversation.
            await Relationships.ThrowIfBlockedAsync(db, userId, grant.MemberIds.First(m => m != userId), cancellationToken);
        }
        return (grant, message);
    }

    private async Task PublishAsync(ConversationAccessGrant grant, long messageId, string emoji, long userId, bool added)
    {
        var blocked = grant.Kind == ConversationKind.Group ? await Relationships.BlockedEitherWayAsync(db, userId, CancellationToken.None) : [];
        var audience = grant.MemberIds.Where(m => !blocked.Contains(m)).ToList();
        await events.PublishAsync(new ReactionChanged(grant.ConversationId, messageId, emoji, userId, added, audience), CancellationToken.None);
    }
}
