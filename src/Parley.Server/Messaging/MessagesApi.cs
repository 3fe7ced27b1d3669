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
            await SendAsync(body with { To = await TargetAsync(body.To, id, http.User.UserId(), db, ct) }, http, sender, ct));
        conversations.MapGet("/{id}/messages", GetHistory);
        conversations.MapPost("/{id}/read", MarkRead);
        // For a first message, before the client knows a conversation id: the body's `to` names a user or group.
        api.MapPost("/messages", (SendMessageBody body, HttpContext http, MessageSender sender, CancellationToken ct) => SendAsync(body, http, sender, ct))
            .WithTags("Messages").RequireAuthorization();
        api.MapMessageActionsApi();
        return api;
    }

    /// <summary>
    /// Where <c>POST /conversations/{id}/messages</c> sends. Without <c>to</c>: the path's conversation. A <c>to</c> may
    /// name the path's conversation too (its id, its group, or the other person of this direct conversation: a body
    /// copied from a socket <c>msg.send</c>). When the path names no conversation of the caller, a <c>to</c> of
    /// <c>{userId}</c> or <c>{groupId}</c> is followed (a first message, before the client knows the id; the ack
    /// carries it). A <c>to</c> naming another conversation than the caller's one in the path is refused: the path
    /// is never redirected.
    /// </summary>
    private static async Task<SendTarget> TargetAsync(SendTarget? to, string path, long me, Storage.ParleyDb db, CancellationToken cancellationToken)
    {
        var byPath = new SendTarget(null, null, path);
        if (to is null || to == byPath) return byPath;
        if (!Ids.TryParse(path, out var conversationId)
            || !await db.ConversationMembers.AnyAsync(m => m.ConversationId == conversationId && m.UserId == me, cancellationToken))
        {
            if (to.ConversationId is null) return to;
            throw ApiProblem.Invalid("to", "'to' names another conversation than the one in the path.");
        }
        var same = to switch
        {
            { UserId: null, GroupId: null } => Ids.TryParse(to.ConversationId, out var named) && named == conversationId,
            { ConversationId: not null } or { UserId: not null, GroupId: not null } => false,
            // A group's conversation has the group's id.
            { GroupId: not null } => Ids.TryParse(to.GroupId, out var group) && group == conversationId,
            _ => Ids.TryParse(to.UserId, out var peer) && await IsDirectWithAsync(db, conversationId, Conversation.KeyFor(me, peer), cancellationToken),
        };
        return same ? byPath : throw ApiProblem.Invalid("to", "'to' names another conversation than the one in the path; to address a user or a group, POST to /api/v1/messages.");
    }

    private static Task<bool> IsDirectWithAsync(Storage.ParleyDb db, long conversationId, string key, CancellationToken cancellationToken) =>
        db.Conversations.AnyAsync(c => c.Id == conversationId && c.DirectKey == key, cancellationToken);

    private static async Task<Ok<MessageAck>> SendAsync(SendMessageBody body, HttpContext http, MessageSender sender, CancellationToken cancellationToken)
    {
        var stored = await sender.AcceptAsync(http.User.UserId(), body, senderDeviceId: 0, cancellationToken);
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
