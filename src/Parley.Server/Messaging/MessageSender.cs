using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Parley.Server.Files;
using Parley.Server.Http;
using Parley.Server.Storage;

namespace Parley.Server.Messaging;

/// <summary>
/// The one way in for a message, from the socket (<c>msg.send</c>) or HTTP (<c>POST .../messages</c>): checks
/// the sender's right to post and the content, then queues it for the committer.
/// </summary>
public sealed class MessageSender(
    ParleyDb db, ConversationAccess access, MessageCommitter committer, AttachmentAccess attachments, SendAllowance allowance, Forwards forwards, IMessageGate gate)
{
    /// <summary>
    /// Checks and queues: completes once the message is accepted (or refused, with an <see cref="ApiProblem"/>), and
    /// gives the task of its ack, which completes once the message is stored (see <see cref="PendingMessage.Stored"/>
    /// for the thread it completes on). A device awaits acceptance before reading its next frame, so its sends keep
    /// their order, and does not wait for the ack, so it may pipeline sends.
    /// </summary>
    /// <param name="senderDeviceId">The sending device (it gets the ack, not <c>msg.new</c>), or 0 over HTTP.</param>
    public async Task<Task<MessageAck>> AcceptAsync(long senderId, SendMessageBody body, long senderDeviceId, CancellationToken cancellationToken)
    {
        var clientMsgId = body.ClientMsgId?.Trim();
        if (string.IsNullOrEmpty(clientMsgId) || clientMsgId.Length > MessageRules.MaxClientMsgIdLength || clientMsgId.Any(c => c is < '!' or > '~'))
            throw ApiProblem.Invalid("clientMsgId",
                $"clientMsgId is required: 1 to {MessageRules.MaxClientMsgIdLength} printable ASCII characters chosen by the client, unique per message.");
        // Per user, before any database work: HTTP and every socket of the user draw on the same allowance.
        await allowance.TakeAsync(senderId);
        // A forward's type, content and file come from the originals, checked once the target is.
        var forwarding = body.ForwardOf is not null || body.Type == MessageType.Forward;
        var type = body.Type ?? MessageType.Text;
        string content = "";
        long? fileId = null;
        if (!forwarding)
        {
            if (body.Type is null || !Enum.IsDefined(type) || !MessageRules.ClientMaySend(type))
                throw ApiProblem.Invalid("type", "type is one of text, emoji, image, voice, video, file, forward.");
            (content, fileId) = CheckContent(type, body.Content, body.File);
        }
        var target = body.To ?? throw ApiProblem.Invalid("to", "'to' is required: {userId}, {groupId} or {conversationId}.");

        ConversationAccessGrant grant;
        try
        {
            grant = await access.ForSendingAsync(senderId, target, cancellationToken);
        }
        catch (ApiProblem refused) when (refused.Status is StatusCodes.Status403Forbidden or StatusCodes.Status404NotFound)
        {
            // A retry of a stored message gets its first ack even if the sender may no longer post there
            // (unfriended, blocked, muted since): the message was accepted when it was sent. (Retries that are
            // still allowed are answered by the committer, which checks every batch for them.)
            var earlier = await db.Messages.AsNoTracking()
                .Where(m => m.SenderId == senderId && m.ClientMsgId == clientMsgId)
                .Select(m => new { m.Id, m.ConversationId, m.Seq, m.SentAt })
                .FirstOrDefaultAsync(cancellationToken);
            if (earlier is null) throw;
            return Task.FromResult(new MessageAck(clientMsgId, Ids.Format(earlier.Id), Ids.Format(earlier.ConversationId), earlier.Seq, earlier.SentAt));
        }
        var extras = await RepliesAndMentions.CheckAsync(db, grant, body.ReplyTo, body.Mentions, cancellationToken);
        // A forward's text comes from its originals (below); message.before_send sees what the sender wrote.
        var searchText = !forwarding && type == MessageType.Text ? MessageSearcher.Fold(body.Content!.Value.GetString()!) : null;
        if (gate.Active && !forwarding) (content, searchText) = await GateAsync(senderId, grant.ConversationId, clientMsgId, type, content, searchText, cancellationToken);
        // The descriptor is the server's, from the uploaded file's row; the client only names the file.
        var attachment = fileId is { } id ? await attachments.ForMessageAsync(senderId, id, type, cancellationToken) : null;
        var forwarded = !forwarding ? null
            : body.ForwardOf is { } forwardOf ? await forwards.SingleAsync(senderId, forwardOf, cancellationToken)
            : await forwards.MergedAsync(senderId, body.Forward, cancellationToken);
        var pending = new PendingMessage(senderDeviceId)
        {
            ConversationId = grant.ConversationId,
            SenderId = senderId,
            ClientMsgId = clientMsgId,
            Type = forwarded?.Type ?? type,
            Content = forwarded?.Content ?? content,
            SearchText = forwarded is not null ? forwarded.SearchText : searchText,
            File = forwarded is not null ? forwarded.File : attachment?.Descriptor,
            FileId = forwarded is not null ? forwarded.FileId : attachment?.FileId,
            Forwarded = body.ForwardOf is not null,
            ForwardedFileIds = forwarded?.ForwardedFileIds ?? [],
            ReplyTo = extras.ReplyTo,
            ReplyToId = extras.ReplyToId,
            Mentions = extras.Mentions,
            MentionedUserIds = extras.MentionedUserIds,
            MentionsAll = extras.MentionsAll,
            Recipients = grant.MemberIds,
        };
        try
        {
            await committer.EnqueueAsync(pending, cancellationToken);
        }
        catch (System.Threading.Channels.ChannelClosedException)
        {
            throw new ApiProblem(StatusCodes.Status503ServiceUnavailable, "server_stopping", "The server is stopping; send the message again in a moment.");
        }
        return pending.Stored.Task;
    }

    /// <summary>The subscribed gate (<c>message.before_send</c>): refuses with <c>403 message_rejected</c>, or replaces the content.</summary>
    private async Task<(string Content, string? SearchText)> GateAsync(
        long senderId, long conversationId, string clientMsgId, MessageType type, string content, string? searchText, CancellationToken cancellationToken)
    {
        var verdict = await gate.CheckAsync(senderId, conversationId, clientMsgId, type, content, cancellationToken);
        switch (verdict.Action)
        {
            case GateAction.Deny:
                throw ApiProblem.Forbidden("message_rejected", string.IsNullOrWhiteSpace(verdict.Text) ? "The message was rejected." : verdict.Text);
            case GateAction.Replace:
                var text = verdict.Text ?? "";
                var max = type switch { MessageType.Text => MessageRules.MaxTextLength, MessageType.Emoji => MessageRules.MaxEmojiLength, _ => MessageRules.MaxCaptionLength };
                if (text.Length > max) text = text[..max];
                return (JsonSerializer.Serialize(text), type == MessageType.Text ? MessageSearcher.Fold(text) : null);
            default:
                return (content, searchText);
        }
    }

    private static (string Content, long? FileId) CheckContent(MessageType type, JsonElement? content, JsonElement? file)
    {
        switch (type)
        {
            case MessageType.Text:
                return (CheckString(content, "content", MessageRules.MaxTextLength, required: true), null);
            case MessageType.Emoji:
                return (CheckString(content, "content", MessageRules.MaxEmojiLength, required: true), null);
            default:
                var caption = content is { ValueKind: not JsonValueKind.Null and not JsonValueKind.Undefined }
                    ? CheckString(content, "content", MessageRules.MaxCaptionLength, required: false)
                    : "\"\"";
                return (caption, CheckFile(file));
        }
    }

    private static string CheckString(JsonElement? value, string field, int maxLength, bool required)
    {
        if (value is not { ValueKind: JsonValueKind.String } text)
            throw ApiProblem.Invalid(field, $"{field} must be a string.");
        var s = ReadString(text, field);
        if (required && string.IsNullOrWhiteSpace(s)) throw ApiProblem.Invalid(field, $"{field} must not be empty.");
        if (s.Length > maxLength) throw new ApiProblem(StatusCodes.Status413PayloadTooLarge, "message_too_large", $"{field} is longer than {maxLength} characters.");
        return text.GetRawText();
    }

    /// <summary>A JSON string as .NET text; escapes that make no valid text (a lone surrogate) are bad input, not a crash.</summary>
    private static string ReadString(JsonElement element, string field) => InputText.GetString(element, field);

    /// <summary>
    /// An attachment is named by <c>file: {fileId}</c>, an id from <c>POST /api/v1/files</c>; the rest of the
    /// descriptor is filled in from the upload (<see cref="AttachmentAccess.ForMessageAsync"/>), and any other
    /// field the client sends is ignored.
    /// </summary>
    private static long CheckFile(JsonElement? file)
    {
        if (file is not { ValueKind: JsonValueKind.Object } f)
            throw ApiProblem.Invalid("file", "Image, voice, video and file messages need 'file': {fileId}, a file uploaded with POST /api/v1/files.");
        if (!f.TryGetProperty("fileId", out var id) || id.ValueKind != JsonValueKind.String)
            throw ApiProblem.Invalid("file.fileId", "file.fileId is required: the id of a file uploaded with POST /api/v1/files.");
        return Ids.Parse(ReadString(id, "file.fileId"), "file.fileId");
    }
}
