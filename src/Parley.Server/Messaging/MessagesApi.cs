using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Parley.Server.Http;

namespace Parley.Server.Messaging;

/// <summary>Messages over HTTP: <c>/api/v1/conversations/{id}/messages</c> and <c>/read</c>; sending goes through the same pipeline as the socket.</summary>
public static class MessagesApi
{
    public static RouteGroupBuilder MapMessagesApi(this RouteGroupBuilder api)
    {
        var conversations = api.MapGroup("/conversations").WithTags("Messages").RequireAuthorization();
        conversations.MapPost("/{id}/messages", (string id, SendMessageBody body, HttpContext http, MessageSender sender, CancellationToken ct) =>
        {
            if (body.To is not null && body.To != new SendTarget(null, null, id))
                throw ApiProblem.Invalid("to", "The conversation is the one in the path; to address a user or a group, POST to /api/v1/messages.");
            return SendAsync(body with { To = new SendTarget(null, null, id) }, http, sender, ct);
        });
        conversations.MapGet("/{id}/messages", GetHistory);
        conversations.MapPost("/{id}/read", MarkRead);
        // For a first message, before the client knows a conversation id: the body's `to` names a user or group.
        api.MapPost("/messages", (SendMessageBody body, HttpContext http, MessageSender sender, CancellationToken ct) => SendAsync(body, http, sender, ct))
            .WithTags("Messages").RequireAuthorization();
        api.MapMessageActionsApi();
        return api;
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
