using Microsoft.AspNetCore.Http.HttpResults;
using Parley.Server.Http;

namespace Parley.Server.Messaging;

/// <summary>The conversation list and per-user settings (<c>/api/v1/conversations</c>), and a message's read receipts.</summary>
public static class ConversationsApi
{
    public static RouteGroupBuilder MapConversationsApi(this RouteGroupBuilder api)
    {
        var conversations = api.MapGroup("/conversations").WithTags("Conversations").RequireAuthorization();
        conversations.MapGet("/", List);
        conversations.MapGet("/{id}", Get);
        conversations.MapPatch("/{id}", Update);
        conversations.MapGet("/{id}/messages/{messageId}/receipts", Receipts);
        return api;
    }

    private static async Task<Ok<ConversationPage>> List(
        HttpContext http, ConversationList list, CancellationToken cancellationToken, int limit = ConversationList.DefaultLimit, string? cursor = null) =>
        TypedResults.Ok(await list.PageAsync(http.User.UserId(), limit, string.IsNullOrEmpty(cursor) ? null : cursor, cancellationToken));

    private static async Task<Ok<ConversationView>> Get(string id, HttpContext http, ConversationList list, CancellationToken cancellationToken) =>
        TypedResults.Ok(await list.OneAsync(http.User.UserId(), ConversationId(id), cancellationToken));

    private static async Task<Ok<ConversationView>> Update(
        string id, UpdateConversationBody body, HttpContext http, ConversationList list, CancellationToken cancellationToken) =>
        TypedResults.Ok(await list.UpdateAsync(http.User.UserId(), ConversationId(id), body, cancellationToken));

    private static async Task<Ok<ReceiptsView>> Receipts(
        string id, string messageId, HttpContext http, ReadState reads, CancellationToken cancellationToken) =>
        TypedResults.Ok(await reads.ReceiptsAsync(http.User.UserId(), ConversationId(id),
            Ids.TryParse(messageId, out var parsed) ? parsed : 0, cancellationToken));

    // A malformed id names no conversation: 404 like any other unknown one.
    private static long ConversationId(string id) => Ids.TryParse(id, out var parsed) ? parsed : 0;
}
