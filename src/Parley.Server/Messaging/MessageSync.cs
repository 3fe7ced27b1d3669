using Microsoft.Extensions.Options;
using Parley.Server.Http;

namespace Parley.Server.Messaging;

/// <summary>One page of a sync: a conversation's messages in seq order, and whether more of it follow.</summary>
public sealed record SyncPage(long ConversationId, List<Message> Messages, bool HasMore);

/// <summary>The end of a sync: how many messages it sent, and the conversations it refused (not found, or no longer readable).</summary>
public sealed record SyncSummary(int Messages, List<string> Refused);

/// <summary>
/// A device catching up (<c>msg.sync</c>, docs/protocol.md): everything after each given seq, or, with none given,
/// everything unread, page by page in seq order.
/// <para>The work one request causes is bounded: at most <see cref="MessagingOptions.MaxSyncConversations"/>
/// conversations may be named; they are checked <see cref="History.SyncChunk"/> at a time (two queries a chunk, none
/// per quiet conversation); only conversations with something new are read, a page of at most
/// <see cref="MessagingOptions.MaxPage"/> messages at a time; and the next page is read only once the caller has
/// taken the last one, so a device that reads slowly slows its own sync down instead of filling the server's memory.</para>
/// </summary>
public sealed class MessageSync(History history, IOptions<MessagingOptions> options)
{
    /// <param name="afterSeqs">Conversation id → the last seq the device has; null or empty for "everything unread".</param>
    /// <param name="send">Takes each page; the sync waits for it before reading the next.</param>
    public async Task<SyncSummary> RunAsync(
        long userId, IReadOnlyDictionary<string, long>? afterSeqs, Func<SyncPage, ValueTask> send, CancellationToken cancellationToken)
    {
        var messaging = options.Value;
        var pointers = await PointersAsync(userId, afterSeqs, messaging, cancellationToken);
        var total = 0;
        var refused = new List<string>();
        foreach (var chunk in pointers.Chunk(History.SyncChunk))
        {
            var (pending, notReadable) = await history.CheckSyncChunkAsync(userId, chunk, cancellationToken);
            // A conversation the user may no longer read (left the group, say) does not stop the others.
            refused.AddRange(notReadable.Select(Ids.Format));
            foreach (var (conversationId, from) in pending)
            {
                var after = from;
                while (true)
                {
                    // One more than a page holds: whether it came says exactly whether more follow.
                    var page = await history.SyncPageAsync(userId, conversationId, after, messaging.MaxPage + 1, cancellationToken);
                    if (page.Count == 0) break;
                    var hasMore = page.Count > messaging.MaxPage;
                    if (hasMore) page.RemoveAt(page.Count - 1);
                    await send(new SyncPage(conversationId, page, hasMore));
                    total += page.Count;
                    after = page[^1].Seq;
                    if (!hasMore) break;
                }
            }
        }
        return new SyncSummary(total, refused);
    }

    private async Task<List<(long ConversationId, long AfterSeq)>> PointersAsync(
        long userId, IReadOnlyDictionary<string, long>? afterSeqs, MessagingOptions messaging, CancellationToken cancellationToken)
    {
        if (afterSeqs is not { Count: > 0 })
            return [.. (await history.UnreadPointersAsync(userId, cancellationToken)).Select(p => (p.Key, p.Value))];
        if (afterSeqs.Count > messaging.MaxSyncConversations)
            throw new ApiProblem(StatusCodes.Status400BadRequest, "too_many_conversations",
                $"A msg.sync names at most {messaging.MaxSyncConversations} conversations; split them over several msg.sync frames.");
        var pointers = new List<(long, long)>(afterSeqs.Count);
        foreach (var (id, afterSeq) in afterSeqs) pointers.Add((Ids.Parse(id, "conversations"), Math.Max(0, afterSeq)));
        return pointers;
    }
}
