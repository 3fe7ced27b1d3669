using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Parley.Server.Events;
using Parley.Server.Http;
using Parley.Server.Storage;

namespace Parley.Server.Messaging;

/// <summary>The new text of an edited message (<c>PATCH .../messages/{messageId}</c>, <c>msg.edit</c>).</summary>
public sealed record EditMessageBody(JsonElement? Content);

/// <summary>
/// The sender edits a text message within <see cref="MessagingOptions.EditWindow"/> (docs/messages.md). An edit is a
/// post: it needs the right to post in the conversation now (friends, no block, not muted). In one transaction the
/// row gets its new content, search text and <see cref="Message.EditedAt"/>, the SQLite full-text index swaps the
/// old text for the new, and the quotes of the replies to it take the new preview (a quote shows the message as it
/// now is; the committer refreshes quotes of edited messages too, for replies stored meanwhile).
/// </summary>
public sealed class MessageEdits(ParleyDb db, ConversationAccess access, DomainEvents events, TimeProvider time, IOptions<MessagingOptions> options,
    IMessageChangeOutbox changes)
{
    public async Task<Message> EditAsync(long userId, long conversationId, long messageId, JsonElement? content, CancellationToken cancellationToken)
    {
        var (contentJson, text) = CheckContent(content);
        await access.ForReadingAsync(userId, conversationId, cancellationToken);
        var message = await History.Visible(db, userId, conversationId).FirstOrDefaultAsync(m => m.Id == messageId, cancellationToken)
            ?? throw Recalls.MessageNotFound();
        if (message.Recalled) throw ApiProblem.Conflict("message_recalled", "The message was recalled; it cannot be edited.");
        if (message.SenderId != userId) throw ApiProblem.Forbidden("not_message_sender", "You can edit only your own messages.");
        if (message.Type != MessageType.Text) throw ApiProblem.BadRequest("message_not_editable", "Only text messages can be edited.");
        var now = Truncate(time.GetUtcNow());
        if (now - message.SentAt > options.Value.EditWindow)
            throw ApiProblem.Conflict("edit_window_passed",
                $"A message can be edited only within {options.Value.EditWindow.TotalMinutes:0} minutes of sending it.");
        // An edit reaches the other members like a post: the sender must still be allowed to post there.
        var grant = await access.ForSendingAsync(userId, new SendTarget(null, null, Ids.Format(conversationId)), cancellationToken);

        if (!await StoreAsync(message, contentJson, MessageSearcher.Fold(text), now, cancellationToken))
            throw ApiProblem.Conflict("message_recalled", "The message was recalled; it cannot be edited.");
        message.Content = contentJson;
        message.SearchText = MessageSearcher.Fold(text);
        message.EditedAt = now;
        await events.PublishAsync(new MessageEdited(conversationId, messageId, message.Seq, contentJson, now, grant.MemberIds), CancellationToken.None);
        return message;
    }

    private async Task<bool> StoreAsync(Message message, string contentJson, string searchText, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        // Read again inside the transaction (on SQLite it holds the write lock): the index must be given the text it holds.
        var oldSearchText = await db.Messages.Where(m => m.Id == message.Id && !m.Recalled).Select(m => m.SearchText).ToListAsync(cancellationToken);
        if (oldSearchText.Count == 0) return false;
        await db.Messages.Where(m => m.Id == message.Id && !m.Recalled)
            .ExecuteUpdateAsync(m => m
                .SetProperty(x => x.Content, contentJson)
                .SetProperty(x => x.SearchText, searchText)
                .SetProperty(x => x.EditedAt, now), cancellationToken);
        var quote = RepliesAndMentions.Quote(message.Id, message.Seq, message.SenderId, message.Type,
            MessagePreview.Of(message.Type, contentJson, null, recalled: false), recalled: false);
        await db.Messages.Where(m => m.ReplyToId == message.Id).ExecuteUpdateAsync(m => m.SetProperty(x => x.ReplyTo, quote), cancellationToken);
        if (db is SqliteParleyDb)
        {
            if (oldSearchText[0] is { } old) await SearchIndexEntries.DropAsync(db, message.Id, old, cancellationToken);
            await SearchIndexEntries.AddAsync(db, message.Id, searchText, cancellationToken);
        }
        // Durable subscribers (webhooks) hear of it in this same transaction.
        var after = message.Copy();
        (after.Content, after.SearchText, after.EditedAt) = (contentJson, searchText, now);
        changes.Add(db, MessageChange.Edited, after);
        if (db.ChangeTracker.HasChanges()) await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return true;
    }

    private static (string Json, string Text) CheckContent(JsonElement? content)
    {
        if (content is not { ValueKind: JsonValueKind.String } element) throw ApiProblem.Invalid("content", "content must be a string.");
        var text = InputText.GetString(element, "content");
        if (string.IsNullOrWhiteSpace(text)) throw ApiProblem.Invalid("content", "content must not be empty.");
        if (text.Length > MessageRules.MaxTextLength)
            throw new ApiProblem(StatusCodes.Status413PayloadTooLarge, "message_too_large", $"content is longer than {MessageRules.MaxTextLength} characters.");
        return (element.GetRawText(), text);
    }

    /// <summary>The API's precision (and SQLite's): what is stored is what the event says.</summary>
    private static DateTimeOffset Truncate(DateTimeOffset t) => DateTimeOffset.FromUnixTimeMilliseconds(t.ToUnixTimeMilliseconds());
}
