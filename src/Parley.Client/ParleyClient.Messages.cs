namespace Parley.Client;

public sealed partial class ParleyClient
{
    /// <summary>
    /// Sends over HTTP (the same pipeline as the socket); the reply is the ack. <paramref name="replyTo"/> quotes a message of
    /// the same conversation; <paramref name="mentions"/> lists member ids, or <c>"all"</c> (groups only).
    /// </summary>
    public Task<MessageAck> SendMessageAsync(SendTarget to, string type, object? content, object? file = null, string? clientMsgId = null,
        string? replyTo = null, IEnumerable<string>? mentions = null, CancellationToken cancellationToken = default) =>
        SendAsync<MessageAck>(HttpMethod.Post, "api/v1/messages",
            new { to, clientMsgId = clientMsgId ?? Guid.NewGuid().ToString("N"), type, content, file, replyTo, mentions = mentions?.ToList() },
            cancellationToken);

    public Task<List<MessageView>> GetMessagesAsync(string conversationId, long? beforeSeq = null, long? afterSeq = null, int? limit = null,
        CancellationToken cancellationToken = default)
    {
        var parameters = new List<string>();
        if (beforeSeq is not null) parameters.Add($"beforeSeq={beforeSeq}");
        if (afterSeq is not null) parameters.Add($"afterSeq={afterSeq}");
        if (limit is not null) parameters.Add($"limit={limit}");
        return SendAsync<List<MessageView>>(HttpMethod.Get,
            $"api/v1/conversations/{Escape(conversationId)}/messages" + (parameters.Count > 0 ? "?" + string.Join('&', parameters) : ""), null, cancellationToken);
    }

    public Task MarkReadAsync(string conversationId, long seq, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Post, $"api/v1/conversations/{Escape(conversationId)}/read", new { seq }, cancellationToken);

    /// <summary>My conversations, pinned first, then by last activity; pass the previous page's <c>NextCursor</c> for the next one.</summary>
    public Task<ConversationPage> ListConversationsAsync(int? limit = null, string? cursor = null, CancellationToken cancellationToken = default)
    {
        var parameters = new List<string>();
        if (limit is not null) parameters.Add($"limit={limit}");
        if (cursor is not null) parameters.Add($"cursor={Escape(cursor)}");
        return SendAsync<ConversationPage>(HttpMethod.Get,
            "api/v1/conversations" + (parameters.Count > 0 ? "?" + string.Join('&', parameters) : ""), null, cancellationToken);
    }

    public Task<ConversationView> GetConversationAsync(string conversationId, CancellationToken cancellationToken = default) =>
        SendAsync<ConversationView>(HttpMethod.Get, $"api/v1/conversations/{Escape(conversationId)}", null, cancellationToken);

    /// <summary>Pins, mutes or hides a conversation for me; fields left null stay as they are.</summary>
    public Task<ConversationView> UpdateConversationAsync(string conversationId, bool? pinned = null, bool? muted = null, bool? hidden = null,
        CancellationToken cancellationToken = default) =>
        SendAsync<ConversationView>(HttpMethod.Patch, $"api/v1/conversations/{Escape(conversationId)}", new { pinned, muted, hidden }, cancellationToken);

    /// <summary>Disappearing messages: new messages of the conversation go this many seconds after sending (at least 5); null turns it off.</summary>
    public Task<ConversationView> SetMessageTtlAsync(string conversationId, int? seconds, CancellationToken cancellationToken = default) =>
        SendAsync<ConversationView>(HttpMethod.Patch, $"api/v1/conversations/{Escape(conversationId)}",
            new Dictionary<string, object?> { ["messageTtlSeconds"] = seconds }, cancellationToken);

    /// <summary>Who has read a message: counts for any member, and the lists for its sender.</summary>
    public Task<ReceiptsView> GetReceiptsAsync(string conversationId, string messageId, CancellationToken cancellationToken = default) =>
        SendAsync<ReceiptsView>(HttpMethod.Get,
            $"api/v1/conversations/{Escape(conversationId)}/messages/{Escape(messageId)}/receipts", null, cancellationToken);
}
