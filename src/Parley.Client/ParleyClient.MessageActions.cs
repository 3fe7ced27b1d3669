namespace Parley.Client;

public sealed partial class ParleyClient
{
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
