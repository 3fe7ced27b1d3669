using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Parley.Server.Http;
using Parley.Server.Social.Groups;
using Parley.Server.Storage;

namespace Parley.Server.Messaging;

/// <summary>
/// Recalling a message for everyone: the row stays (its seq stays taken) with <c>Recalled</c> set and its
/// content, file and search text gone from the store, the SQLite search index included.
/// <para>Who may: the sender, within <see cref="MessagingOptions.RecallWindow"/> of sending; in a group, also
/// the owner (anyone else's message) and admins (plain members' messages, and those of people no longer in
/// the group), at any time. System and call messages cannot be recalled.</para>
/// </summary>
public sealed class Recalls(ParleyDb db, ConversationAccess access, Events.DomainEvents events, TimeProvider time, IOptions<MessagingOptions> options,
    Files.FileSweeper files, IMessageChangeOutbox changes)
{
    /// <summary>Recalls the message and returns it as it now is. Recalling a recalled message again changes nothing and tells nobody.</summary>
    public async Task<Message> RecallAsync(long userId, long conversationId, long messageId, CancellationToken cancellationToken)
    {
        var grant = await access.ForReadingAsync(userId, conversationId, cancellationToken);
        var message = await db.Messages.AsNoTracking()
            .FirstOrDefaultAsync(m => m.Id == messageId && m.ConversationId == conversationId, cancellationToken)
            ?? throw MessageNotFound();
        if (message.Type is MessageType.System or MessageType.Call)
            throw ApiProblem.BadRequest("message_not_recallable", "System and call messages cannot be recalled.");

        var own = message.SenderId == userId;
        if (!own) await CheckManagesAsync(userId, message.SenderId, grant, cancellationToken);
        if (message.Recalled) return message;
        if (own && time.GetUtcNow() - message.SentAt > options.Value.RecallWindow)
            throw ApiProblem.Forbidden("recall_window_passed",
                $"A message can be recalled only within {options.Value.RecallWindow.TotalSeconds:0} seconds of sending it.");

        var recalled = await StoreRecallAsync(message, cancellationToken);
        if (recalled)
        {
            await events.PublishAsync(new MessageRecalled(conversationId, messageId, message.Seq, userId, grant.MemberIds), CancellationToken.None);
            // The file goes too, in the background, unless another message still carries it (docs/files.md).
            if (message.FileId is { } fileId) files.Recalled(fileId);
        }

        message.Recalled = true;
        message.Content = EmptyContent;
        message.File = null;
        message.FileId = null;
        message.SearchText = null;
        return message;
    }

    /// <summary>The content of a recalled message: the JSON string <c>""</c>.</summary>
    public const string EmptyContent = "\"\"";

    /// <summary>Someone else's message: only a group's owner, or an admin over a lower role, may recall it.</summary>
    private async Task CheckManagesAsync(long userId, long senderId, ConversationAccessGrant grant, CancellationToken cancellationToken)
    {
        if (grant.Kind == ConversationKind.Direct)
            throw ApiProblem.Forbidden("not_message_sender", "You can recall only your own messages.");
        var roles = await db.GroupMembers.AsNoTracking()
            .Where(m => m.GroupId == grant.ConversationId && (m.UserId == userId || m.UserId == senderId))
            .Select(m => new { m.UserId, m.Role })
            .ToListAsync(cancellationToken);
        var mine = roles.FirstOrDefault(r => r.UserId == userId)?.Role ?? GroupRole.Member;
        // Someone who has left the group counts as a plain member.
        var theirs = roles.FirstOrDefault(r => r.UserId == senderId)?.Role ?? GroupRole.Member;
        if (!GroupRules.Manages(mine))
            throw ApiProblem.Forbidden("not_message_sender", "You can recall only your own messages; the group's owner and admins can recall members' messages.");
        if (!GroupRules.Outranks(mine, theirs))
            throw ApiProblem.Forbidden("insufficient_role", "You can recall only messages of members whose role is below yours.");
    }

    /// <summary>
    /// One transaction: the row loses its content (only if it was not recalled meanwhile), the quotes of the
    /// replies to it lose their preview, and on SQLite the external-content FTS5 index loses its entry, which it
    /// can only drop when given the old text.
    /// </summary>
    private async Task<bool> StoreRecallAsync(Message message, CancellationToken cancellationToken)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        // SQLite: the text the index entry was made from, read inside the transaction (it holds the write lock), so that
        // an edit committed since the message was loaded cannot leave its entry behind.
        var indexedText = db is SqliteParleyDb
            ? await db.Messages.Where(m => m.Id == message.Id && !m.Recalled).Select(m => m.SearchText).FirstOrDefaultAsync(cancellationToken)
            : null;
        var changed = await db.Messages
            .Where(m => m.Id == message.Id && !m.Recalled)
            .ExecuteUpdateAsync(m => m
                .SetProperty(x => x.Recalled, true)
                .SetProperty(x => x.Content, EmptyContent)
                .SetProperty(x => x.File, (string?)null)
                .SetProperty(x => x.FileId, (long?)null)
                .SetProperty(x => x.SearchText, (string?)null), cancellationToken);
        if (changed == 1)
        {
            // The quotes of the replies to it held its text too: they keep only who and when.
            var quote = RepliesAndMentions.Quote(message.Id, message.Seq, message.SenderId, message.Type, MessagePreview.Recalled, recalled: true);
            await db.Messages
                .Where(m => m.ReplyToId == message.Id)
                .ExecuteUpdateAsync(m => m.SetProperty(x => x.ReplyTo, quote), cancellationToken);
            // Reactions were to what it said: they go with its content.
            await db.MessageReactions.Where(r => r.MessageId == message.Id).ExecuteDeleteAsync(cancellationToken);
            // A merged forward's files are no longer its readers' to fetch (the sweeper takes those nothing else carries).
            await db.ForwardedFiles.Where(f => f.MessageId == message.Id).ExecuteDeleteAsync(cancellationToken);
        }
        if (changed == 1 && indexedText is not null) await SearchIndexEntries.DropAsync(db, message.Id, indexedText, cancellationToken);
        if (changed == 1)
        {
            // Durable subscribers (webhooks) hear of it in this same transaction.
            var after = message.Copy();
            (after.Recalled, after.Content, after.File, after.FileId, after.SearchText) = (true, EmptyContent, null, null, null);
            changes.Add(db, MessageChange.Recalled, after);
            if (db.ChangeTracker.HasChanges()) await db.SaveChangesAsync(cancellationToken);
        }
        await transaction.CommitAsync(cancellationToken);
        return changed == 1;
    }

    internal static ApiProblem MessageNotFound() =>
        ApiProblem.NotFound("message_not_found", "There is no such message in this conversation.");
}
