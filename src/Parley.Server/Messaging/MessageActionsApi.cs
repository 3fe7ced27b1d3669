using Microsoft.AspNetCore.Http.HttpResults;
using Parley.Server.Http;

namespace Parley.Server.Messaging;

/// <summary>
/// Recall, delete for me, clear for me, and search: <c>/api/v1/conversations/{id}/messages/...</c> and
/// <c>/api/v1/messages/search</c>. Described in docs/messages.md.
/// </summary>
public static class MessageActionsApi
{
    public static RouteGroupBuilder MapMessageActionsApi(this RouteGroupBuilder api)
    {
        var conversations = api.MapGroup("/conversations").WithTags("Messages").RequireAuthorization();
        conversations.MapPost("/{id}/messages/{messageId}/recall", Recall);
        conversations.MapDelete("/{id}/messages/{messageId}", DeleteForMe);
        conversations.MapDelete("/{id}/messages", Clear);
        conversations.MapGet("/{id}/messages/search", SearchInConversation);
        api.MapGet("/messages/search", SearchAcross).WithTags("Messages").RequireAuthorization();
        return api;
    }

    private static async Task<Ok<MessageView>> Recall(string id, string messageId, HttpContext http, Recalls recalls, CancellationToken cancellationToken)
    {
        var message = await recalls.RecallAsync(http.User.UserId(), ConversationId(id), MessageId(messageId), cancellationToken);
        return TypedResults.Ok(MessageView.From(message));
    }

    private static async Task<NoContent> DeleteForMe(string id, string messageId, HttpContext http, DeleteForMe deletions, CancellationToken cancellationToken)
    {
        await deletions.DeleteAsync(http.User.UserId(), ConversationId(id), MessageId(messageId), cancellationToken);
        return TypedResults.NoContent();
    }

    private static async Task<NoContent> Clear(string id, HttpContext http, DeleteForMe deletions, CancellationToken cancellationToken, long? upToSeq = null)
    {
        await deletions.ClearAsync(http.User.UserId(), ConversationId(id), upToSeq, cancellationToken);
        return TypedResults.NoContent();
    }

    private static async Task<Ok<List<MessageView>>> SearchInConversation(
        string id, HttpContext http, MessageSearcher searcher, MessageRetention retention, CancellationToken cancellationToken,
        string? q = null, int limit = MessageSearcher.DefaultLimit, long? beforeSeq = null)
    {
        var hits = await searcher.InConversationAsync(http.User.UserId(), ConversationId(id), q, limit, beforeSeq, cancellationToken);
        // Expired hits the sweeper has not deleted yet are left out here (a page may then be short; see docs/messages.md, "Retention").
        return TypedResults.Ok(hits.Where(retention.IsLive).Select(MessageView.From).ToList());
    }

    private static async Task<Ok<List<MessageView>>> SearchAcross(
        HttpContext http, MessageSearcher searcher, MessageRetention retention, CancellationToken cancellationToken,
        string? q = null, int limit = MessageSearcher.DefaultLimit, string? before = null)
    {
        var hits = await searcher.AcrossAsync(http.User.UserId(), q, limit, before, cancellationToken);
        return TypedResults.Ok(hits.Where(retention.IsLive).Select(MessageView.From).ToList());
    }

    // A malformed conversation id names no conversation (as for history); a malformed message id no message.
    private static long ConversationId(string id) => Ids.TryParse(id, out var parsed) ? parsed : 0;

    private static long MessageId(string id) => Ids.TryParse(id, out var parsed) ? parsed : 0;
}
