namespace Parley.Client;

public sealed partial class ParleyClient
{
    /// <summary>Edits my text message (within the server's edit window); returns it as it now is.</summary>
    public Task<MessageView> EditMessageAsync(string conversationId, string messageId, string content, CancellationToken cancellationToken = default) =>
        SendAsync<MessageView>(HttpMethod.Patch,
            $"api/v1/conversations/{Escape(conversationId)}/messages/{Escape(messageId)}", new { content }, cancellationToken);

    /// <summary>Adds my reaction (one emoji); adding it again is not an error.</summary>
    public Task AddReactionAsync(string conversationId, string messageId, string emoji, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Put, ReactionPath(conversationId, messageId, emoji), null, cancellationToken);

    /// <summary>Takes back my reaction; taking back one that is not there is not an error.</summary>
    public Task RemoveReactionAsync(string conversationId, string messageId, string emoji, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Delete, ReactionPath(conversationId, messageId, emoji), null, cancellationToken);

    private static string ReactionPath(string conversationId, string messageId, string emoji) =>
        $"api/v1/conversations/{Escape(conversationId)}/messages/{Escape(messageId)}/reactions/{Escape(emoji)}";

    /// <summary>Forwards one message I can see to <paramref name="to"/> (a copy marked <c>forwarded</c>).</summary>
    public Task<MessageAck> ForwardMessageAsync(SendTarget to, ForwardRef forwardOf, string? clientMsgId = null, CancellationToken cancellationToken = default) =>
        SendAsync<MessageAck>(HttpMethod.Post, "api/v1/messages",
            new { to, clientMsgId = clientMsgId ?? Guid.NewGuid().ToString("N"), forwardOf }, cancellationToken);

    /// <summary>Forwards several messages of one conversation as one merged message (type <c>forward</c>, a snapshot).</summary>
    public Task<MessageAck> ForwardMergedAsync(SendTarget to, MergedForwardRef forward, string? clientMsgId = null, CancellationToken cancellationToken = default) =>
        SendAsync<MessageAck>(HttpMethod.Post, "api/v1/messages",
            new { to, clientMsgId = clientMsgId ?? Guid.NewGuid().ToString("N"), type = "forward", forward }, cancellationToken);

    /// <summary>Recalls a message for everyone (see docs/messages.md for who may, and when); returns it as it now is.</summary>
    public Task<MessageView> RecallAsync(string conversationId, string messageId, CancellationToken cancellationToken = default) =>
        SendAsync<MessageView>(HttpMethod.Post,
            $"api/v1/conversations/{Escape(conversationId)}/messages/{Escape(messageId)}/recall", null, cancellationToken);

    /// <summary>Deletes a message for me only; the other members still have it.</summary>
    public Task DeleteForMeAsync(string conversationId, string messageId, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Delete, $"api/v1/conversations/{Escape(conversationId)}/messages/{Escape(messageId)}", null, cancellationToken);

    /// <summary>Clears the conversation for me up to <paramref name="upToSeq"/> (by default, its newest message).</summary>
    public Task ClearConversationAsync(string conversationId, long? upToSeq = null, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Delete,
            $"api/v1/conversations/{Escape(conversationId)}/messages" + (upToSeq is null ? "" : $"?upToSeq={upToSeq}"), null, cancellationToken);

    /// <summary>Text messages of one conversation that contain <paramref name="q"/>, newest first; page with the last hit's seq as <paramref name="beforeSeq"/>.</summary>
    public Task<List<MessageView>> SearchAsync(string conversationId, string q, int? limit = null, long? beforeSeq = null,
        CancellationToken cancellationToken = default)
    {
        var parameters = new List<string> { $"q={Escape(q)}" };
        if (limit is not null) parameters.Add($"limit={limit}");
        if (beforeSeq is not null) parameters.Add($"beforeSeq={beforeSeq}");
        return SendAsync<List<MessageView>>(HttpMethod.Get,
            $"api/v1/conversations/{Escape(conversationId)}/messages/search?" + string.Join('&', parameters), null, cancellationToken);
    }

    /// <summary>Text messages of all my conversations that contain <paramref name="q"/>, newest first; page with the last hit's id as <paramref name="before"/>.</summary>
    public Task<List<MessageView>> SearchAllAsync(string q, int? limit = null, string? before = null, CancellationToken cancellationToken = default)
    {
        var parameters = new List<string> { $"q={Escape(q)}" };
        if (limit is not null) parameters.Add($"limit={limit}");
        if (before is not null) parameters.Add($"before={Escape(before)}");
        return SendAsync<List<MessageView>>(HttpMethod.Get, "api/v1/messages/search?" + string.Join('&', parameters), null, cancellationToken);
    }
}
