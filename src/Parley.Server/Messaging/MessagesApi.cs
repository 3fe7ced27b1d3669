using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Parley.Server.Http;

namespace Parley.Server.Messaging;

/// <summary>Messages over HTTP: <c>/api/v1/conversations/{id}/messages</c> and <c>/read</c>; sending goes through the same pipeline as the socket.</summary>
public static class MessagesApi
{
    public static RouteGroupBuilder MapMessagesApi(this RouteGroupBuilder api)
    {
        var conversations = api.MapGroup("/conversations").WithTags("Messages").RequireAuthorization();
        conversations.MapPost("/{id}/messages", async (string id, SendMessageBody body, HttpContext http, MessageSender sender, Storage.ParleyDb db, CancellationToken ct) =>
        {
            if (body.To is not null && !await NamesConversationAsync(body.To, id, http.User.UserId(), db, ct))
                throw ApiProblem.Invalid("to", "'to' names another conversation than the one in the path; to address a user or a group, POST to /api/v1/messages.");
            return await SendAsync(body with { To = new SendTarget(null, null, id) }, http, sender, ct);
        });
        conversations.MapGet("/{id}/messages", GetHistory);
        conversations.MapPost("/{id}/read", MarkRead);
        // For a first message, before the client knows a conversation id: the body's `to` names a user or group.
        api.MapPost("/messages", (SendMessageBody body, HttpContext http, MessageSender sender, CancellationToken ct) => SendAsync(body, http, sender, ct))
            .WithTags("Messages").RequireAuthorization();
        api.MapMessageActionsApi();
        return api;
    }

    /// <summary>
    /// Whether a <c>to</c> in the body of <c>POST /conversations/{id}/messages</c> names the path's conversation: the
    /// same conversation id, the group whose conversation it is, or the other person of this direct conversation (a
    /// body copied from a socket <c>msg.send</c>). Anything else is refused rather than sent elsewhere.
    /// </summary>
    private static async Task<bool> NamesConversationAsync(SendTarget to, string path, long me, Storage.ParleyDb db, CancellationToken cancellationToken)
    {
        if (!Ids.TryParse(path, out var conversationId)) return to == new SendTarget(null, null, path);
        if (to.UserId is null && to.GroupId is null) return Ids.TryParse(to.ConversationId, out var named) && named == conversationId;
        if (to.ConversationId is not null || (to.UserId is not null && to.GroupId is not null)) return false;
        // A group's conversation has the group's id.
        if (to.GroupId is not null) return Ids.TryParse(to.GroupId, out var group) && group == conversationId;
        if (!Ids.TryParse(to.UserId, out var peer)) return false;
        var key = Conversation.KeyFor(me, peer);
        return await db.Conversations.AnyAsync(c => c.Id == conversationId && c.DirectKey == key, cancellationToken);
    }

    private static async Task<Ok<MessageAck>> SendAsync(SendMessageBody body, HttpContext http, MessageSender sender, CancellationToken cancellationToken)
    {
        var stored = await sender.AcceptAsync(http.User.UserId(), body, device: null, frameId: null, cancellationToken);
        return TypedResults.Ok(await stored.WaitAsync(cancellationToken));
    }

    private static async Task<Ok<List<MessageView>>> GetHistory(
        string id, HttpContext http, History history, IOptions<MessagingOptions> options, CancellationToken cancellationToken,
        long? beforeSeq = null, long? afterSeq = null, int limit = 50)
    {
        if (limit < 1 || limit > options.Value.MaxPage) throw ApiProblem.Invalid("limit", $"limit must be between 1 and {options.Value.MaxPage}.");
        var conversationId = Ids.TryParse(id, out var parsed) ? parsed : 0;
        var page = await history.PageAsync(http.User.UserId(), conversationId, beforeSeq, afterSeq, limit, cancellationToken);
        return TypedResults.Ok(page.Select(MessageView.From).ToList());
    }

    private static async Task<Ok<ReadReceipt>> MarkRead(string id, ReadBody body, HttpContext http, ReadState reads, CancellationToken cancellationToken)
    {
        var seq = body.Seq ?? throw ApiProblem.Invalid("seq", "seq is required.");
        var conversationId = Ids.TryParse(id, out var parsed) ? parsed : 0;
        var me = http.User.UserId();
        var current = await reads.MarkReadAsync(me, conversationId, seq, cancellationToken);
        return TypedResults.Ok(new ReadReceipt(Ids.Format(conversationId), Ids.Format(me), current));
    }
}
