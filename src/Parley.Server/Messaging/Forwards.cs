using System.Buffers;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Parley.Server.Http;
using Parley.Server.Storage;

namespace Parley.Server.Messaging;

/// <summary><c>forwardOf</c>: the one message to copy.</summary>
public sealed record ForwardRef(string? ConversationId, string? MessageId);

/// <summary><c>forward</c> of a merged forward: messages of one conversation, in any order (items come in seq order).</summary>
public sealed record MergedForwardRef(string? ConversationId, List<string?>? MessageIds);

/// <summary>What a forward stores: the copied or assembled content, and the files it reuses.</summary>
public sealed record ForwardedContent(MessageType Type, string Content, string? File, long? FileId, string? SearchText, IReadOnlyList<long> ForwardedFileIds);

/// <summary>
/// Forwarding (docs/messages.md): the sender must see every original now (a member of its conversation, not deleted or
/// cleared for them, not recalled); anything else is <c>404 message_not_found</c>, saying nothing about what exists.
/// Files are reused, never copied: a single forward carries the original's file id (so the new conversation's members
/// may download it), a merged forward lists its items' files in <see cref="ForwardedFile"/>.
/// </summary>
public sealed class Forwards(ParleyDb db, ConversationAccess access)
{
    public const int MaxMergedItems = 100;

    public async Task<ForwardedContent> SingleAsync(long userId, ForwardRef forwardOf, CancellationToken cancellationToken)
    {
        var conversationId = ParseId(forwardOf.ConversationId, "forwardOf.conversationId");
        var messageId = ParseId(forwardOf.MessageId, "forwardOf.messageId");
        // OriginalsAsync finds every id asked for, or refuses.
        var original = (await OriginalsAsync(userId, conversationId, [messageId], cancellationToken))[0];
        if (original.Type is MessageType.Call or MessageType.System)
            throw ApiProblem.BadRequest("message_not_forwardable", "Call and system messages cannot be forwarded on their own; forward them within a merged forward.");
        var files = original.Type == MessageType.Forward
            ? await db.ForwardedFiles.Where(f => f.MessageId == original.Id).Select(f => f.FileId).ToListAsync(cancellationToken)
            : [];
        return new ForwardedContent(original.Type, original.Content, original.File, original.FileId, original.SearchText, files);
    }

    public async Task<ForwardedContent> MergedAsync(long userId, MergedForwardRef? forward, CancellationToken cancellationToken)
    {
        if (forward is null) throw ApiProblem.Invalid("forward", "A forward message needs 'forward': {conversationId, messageIds}.");
        var conversationId = ParseId(forward.ConversationId, "forward.conversationId");
        if (forward.MessageIds is not { Count: > 0 } given || given.Count > MaxMergedItems)
            throw ApiProblem.Invalid("forward.messageIds", $"forward.messageIds lists 1 to {MaxMergedItems} message ids.");
        var ids = given.Select(id => ParseId(id, "forward.messageIds")).Distinct().ToList();
        var originals = await OriginalsAsync(userId, conversationId, ids, cancellationToken);

        var senderIds = originals.Select(m => m.SenderId).Distinct().ToList();
        var names = await db.Users.AsNoTracking().Where(u => senderIds.Contains(u.Id)).ToDictionaryAsync(u => u.Id, u => u.Nickname, cancellationToken);
        var nestedIds = originals.Where(m => m.Type == MessageType.Forward).Select(m => m.Id).ToList();
        var files = originals.Where(m => m.FileId is not null).Select(m => m.FileId!.Value).ToList();
        if (nestedIds.Count > 0)
            files.AddRange(await db.ForwardedFiles.Where(f => nestedIds.Contains(f.MessageId)).Select(f => f.FileId).ToListAsync(cancellationToken));

        var buffer = new ArrayBufferWriter<byte>(1024);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("title", await TitleAsync(userId, conversationId, cancellationToken));
            writer.WriteStartArray("items");
            foreach (var m in originals)
            {
                writer.WriteStartObject();
                writer.WriteString("senderId", Ids.Format(m.SenderId));
                writer.WriteString("senderName", names.GetValueOrDefault(m.SenderId, ""));
                writer.WriteString("type", MessageTypes.Name(m.Type));
                writer.WritePropertyName("content");
                writer.WriteRawValue(m.Content, skipInputValidation: true);
                if (m.File is not null)
                {
                    writer.WritePropertyName("file");
                    writer.WriteRawValue(m.File, skipInputValidation: true);
                }
                writer.WriteString("sentAt", m.SentAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", System.Globalization.CultureInfo.InvariantCulture));
                writer.WriteEndObject();
            }
            writer.WriteEndArray();
            writer.WriteEndObject();
        }
        return new ForwardedContent(MessageType.Forward, System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan), null, null, null, files.Distinct().ToList());
    }

    /// <summary>The originals in seq order, each visible to the user and not recalled; else 404 message_not_found.</summary>
    private async Task<List<Message>> OriginalsAsync(long userId, long conversationId, List<long> ids, CancellationToken cancellationToken)
    {
        try
        {
            await access.ForReadingAsync(userId, conversationId, cancellationToken);
        }
        catch (ApiProblem refused) when (refused.Status is StatusCodes.Status403Forbidden or StatusCodes.Status404NotFound)
        {
            throw Recalls.MessageNotFound();
        }
        var originals = await History.Visible(db, userId, conversationId).Where(m => ids.Contains(m.Id) && !m.Recalled)
            .OrderBy(m => m.Seq).ToListAsync(cancellationToken);
        if (originals.Count != ids.Count) throw Recalls.MessageNotFound();
        return originals;
    }

    /// <summary>"Chat history of" the group's name, or of the two people of a direct conversation.</summary>
    private async Task<string> TitleAsync(long userId, long conversationId, CancellationToken cancellationToken)
    {
        var group = await db.Groups.AsNoTracking().Where(g => g.Id == conversationId).Select(g => g.Name).FirstOrDefaultAsync(cancellationToken);
        if (group is not null) return $"Chat history of {group}";
        var key = await db.Conversations.AsNoTracking().Where(c => c.Id == conversationId).Select(c => c.DirectKey).FirstAsync(cancellationToken);
        var pair = key!.Split(':').Select(p => long.Parse(p, System.Globalization.CultureInfo.InvariantCulture)).ToList();
        var nicknames = await db.Users.AsNoTracking().Where(u => pair.Contains(u.Id)).ToDictionaryAsync(u => u.Id, u => u.Nickname, cancellationToken);
        var me = nicknames.GetValueOrDefault(userId, "");
        var other = nicknames.GetValueOrDefault(pair.First(p => p != userId), "");
        return $"Chat history of {me} and {other}";
    }

    private static long ParseId(string? id, string field) =>
        Ids.TryParse(id, out var parsed) ? parsed : throw ApiProblem.Invalid(field, $"{field} must be an id (a string of digits).");
}
