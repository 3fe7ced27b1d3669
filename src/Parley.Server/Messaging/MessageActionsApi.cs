using Microsoft.AspNetCore.Http.HttpResults;
using Parley.Server.Http;

namespace Parley.Server.Messaging;

/// <summary>
/// Edit, reactions, recall, delete for me, clear for me, and search: <c>/api/v1/conversations/{id}/messages/...</c> and
/// <c>/api/v1/messages/search</c>. Described in docs/messages.md.
/// </summary>
public static class MessageActionsApi
{
    public static RouteGroupBuilder MapMessageActionsApi(this RouteGroupBuilder api)
    {
        var conversations = api.MapGroup("/conversations").WithTags("Messages").RequireAuthorization();
        conversations.MapPatch("/{id}/messages/{messageId}", Edit)
            .WithSummary("Edit a text message")
            .WithDescription("The sender replaces the content of a text message within Messaging:EditWindow (24 h by default). Every member's devices get msg.edited. " +
                "Refused: message_recalled (409), not_message_sender (403), edit_window_passed (409), message_not_editable (400, not a text message).");
        conversations.MapPut("/{id}/messages/{messageId}/reactions/{emoji}", React)
            .WithSummary("React to a message with an emoji")
            .WithDescription("emoji is one emoji, URL-encoded. Adding the same reaction again is not an error. At most 20 different emoji per message (too_many_reactions, 409). Members get msg.reaction.");
        conversations.MapDelete("/{id}/messages/{messageId}/reactions/{emoji}", Unreact)
            .WithSummary("Take back my reaction")
            .WithDescription("Taking back a reaction that is not there is not an error. Members get msg.reaction with added: false.");
        conversations.MapPost("/{id}/messages/{messageId}/recall", Recall);
        conversations.MapDelete("/{id}/messages/{messageId}", DeleteForMe);
        conversations.MapDelete("/{id}/messages", Clear);
        conversations.MapGet("/{id}/messages/search", SearchInConversation);
        api.MapGet("/messages/search", SearchAcross).WithTags("Messages").RequireAuthorization();
        return api;
    }

    private static async Task<Ok<MessageView>> Edit(string id, string messageId, EditMessageBody body, HttpContext http, MessageEdits edits, CancellationToken cancellationToken)
    {
        var message = await edits.EditAsync(http.User.UserId(), ConversationId(id), MessageId(messageId), body.Content, cancellationToken);
        return TypedResults.Ok(MessageView.From(message));
    }

    private static async Task<NoContent> React(string id, string messageId, string emoji, HttpContext http, MessageReactions reactions, CancellationToken cancellationToken)
    {
        await reactions.AddAsync(http.User.UserId(), ConversationId(id), MessageId(messageId), emoji, cancellationToken);
        return TypedResults.NoContent();
    }

    private static async Task<NoContent> Unreact(string id, string messageId, string emoji, HttpContext http, MessageReactions reactions, CancellationToken cancellationToken)
    {
        await reactions.RemoveAsync(http.User.UserId(), ConversationId(id), MessageId(messageId), emoji, cancellationToken);
        return TypedResults.NoContent();
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
