namespace Parley.Client;

public sealed partial class ParleyClient
{
    /// <summary>Sends over HTTP (the same pipeline as the socket); the reply is the ack.</summary>
    public Task<MessageAck> SendMessageAsync(MessageTarget to, string type, object? content, object? file = null, string? clientMsgId = null,
        CancellationToken cancellationToken = default) =>
        SendAsync<MessageAck>(HttpMethod.Post, "api/v1/messages",
            new { to, clientMsgId = clientMsgId ?? Guid.NewGuid().ToString("N"), type, content, file }, cancellationToken);

    public Task<List<ChatMessage>> GetMessagesAsync(string conversationId, long? beforeSeq = null, long? afterSeq = null, int? limit = null,
        CancellationToken cancellationToken = default)
    {
        var parameters = new List<string>();
        if (beforeSeq is not null) parameters.Add($"beforeSeq={beforeSeq}");
        if (afterSeq is not null) parameters.Add($"afterSeq={afterSeq}");
        if (limit is not null) parameters.Add($"limit={limit}");
        return SendAsync<List<ChatMessage>>(HttpMethod.Get,
            $"api/v1/conversations/{Escape(conversationId)}/messages" + (parameters.Count > 0 ? "?" + string.Join('&', parameters) : ""), null, cancellationToken);
    }

    public Task MarkReadAsync(string conversationId, long seq, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Post, $"api/v1/conversations/{Escape(conversationId)}/read", new { seq }, cancellationToken);
}
