using System.Threading.Channels;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Parley.Server.Events;
using Parley.Server.ScaleOut;
using Parley.Server.Storage;

namespace Parley.Server.Messaging;

/// <summary>A message that passed every check and waits to be stored.</summary>
public sealed class PendingMessage
{
    public required long ConversationId { get; init; }
    public required long SenderId { get; init; }
    public required string ClientMsgId { get; init; }
    public required MessageType Type { get; init; }
    public required string Content { get; init; }
    public string? File { get; init; }

    /// <summary>The uploaded file the message carries (image, voice, video, file).</summary>
    public long? FileId { get; init; }

    /// <summary>The quote of the message replied to, as JSON text (see <see cref="Message.ReplyTo"/>).</summary>
    public string? ReplyTo { get; init; }

    /// <summary>The id of the message replied to, stored beside the quote so that a recall can find and scrub it.</summary>
    public long? ReplyToId { get; init; }

    /// <summary>Mentions as JSON text, as stored; <see cref="MentionedUserIds"/> and <see cref="MentionsAll"/> say the same for the list rows.</summary>
    public string? Mentions { get; init; }

    public IReadOnlyList<long> MentionedUserIds { get; init; } = [];
    public bool MentionsAll { get; init; }

    /// <summary>The plain text to index for search (text messages), or null.</summary>
    public string? SearchText { get; init; }

    /// <summary>A copy of another message (<c>forwardOf</c>).</summary>
    public bool Forwarded { get; init; }

    /// <summary>The files a merged forward's items carry (see <see cref="ForwardedFile"/>); empty otherwise.</summary>
    public IReadOnlyList<long> ForwardedFileIds { get; init; } = [];

    /// <summary>Everyone who gets <c>msg.new</c>: the conversation's members, the sender included.</summary>
    public required IReadOnlyList<long> Recipients { get; init; }

    /// <summary>The sending device, which gets the ack instead of <c>msg.new</c>; 0 over HTTP.</summary>
    public long SenderDeviceId { get; }

    /// <summary>
    /// The ack, once stored. For a device's send (<see cref="SenderDeviceId"/> not 0) it completes on the committer's
    /// loop, in commit order, so that the device's acks leave in the order its messages were stored: continue it only
    /// with a few non-blocking instructions (queue the ack). Otherwise its continuations run on the thread pool.
    /// </summary>
    public TaskCompletionSource<MessageAck> Stored { get; }

    public PendingMessage(long senderDeviceId)
    {
        SenderDeviceId = senderDeviceId;
        Stored = new(senderDeviceId != 0 ? TaskCreationOptions.None : TaskCreationOptions.RunContinuationsAsynchronously);
    }
}

/// <summary>
/// The single writer of messages (group commit). Sends queue here; the writer takes everything waiting (up to
/// <see cref="MessagingOptions.MaxBatch"/>), gives each message the next seq of its conversation, stores the
/// whole batch in one transaction (one fsync), and only then acknowledges each message and publishes it.
/// Stored messages are announced as <see cref="MessageStored"/> events, in seq order.
/// One writer per node keeps each conversation's delivery in seq order; the seq itself comes from an atomic
/// increment in the database, backed by the unique (conversation, seq) index, so several nodes stay gapless.
/// </summary>
public sealed partial class MessageCommitter(
    IServiceScopeFactory scopes,
    IdGenerator ids,
    IMessageRouter router,
    DomainEvents events,
    TimeProvider time,
    IOptions<MessagingOptions> options,
    IStoredMessageOutbox outbox,
    ILogger<MessageCommitter> logger) : BackgroundService
{
    private readonly Channel<PendingMessage> _queue = Channel.CreateBounded<PendingMessage>(
        new BoundedChannelOptions(options.Value.QueueCapacity) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });

    /// <summary>Queues a message; waits only while the queue is full (back-pressure). Await <see cref="PendingMessage.Stored"/> for the ack.</summary>
    public ValueTask EnqueueAsync(PendingMessage message, CancellationToken cancellationToken) => _queue.Writer.WriteAsync(message, cancellationToken);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var batch = new List<PendingMessage>(options.Value.MaxBatch);
        try
        {
            while (await _queue.Reader.WaitToReadAsync(stoppingToken))
            {
                // Back-pressure from the router: with Redis, while the outbox to other nodes is nearly full, sends wait here.
                await router.WaitForRoomAsync(stoppingToken);
                while (batch.Count < options.Value.MaxBatch && _queue.Reader.TryRead(out var message)) batch.Add(message);
                var started = CommitMetrics.Start(batch.Count);
                await CommitWithFallbackAsync(batch, stoppingToken);
                CommitMetrics.Stop(started, batch.Count);
                batch.Clear();
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down: whatever was not stored was not acknowledged, and its senders will resend it.
        }
        // No more sends are taken; devices get no ack for what is left (so they resend); HTTP requests are cancelled.
        _queue.Writer.TryComplete();
        foreach (var message in batch) message.Stored.TrySetCanceled(stoppingToken);
        while (_queue.Reader.TryRead(out var message)) message.Stored.TrySetCanceled(stoppingToken);
    }

    private async Task CommitWithFallbackAsync(List<PendingMessage> batch, CancellationToken cancellationToken, bool retried = false)
    {
        try
        {
            await CommitAsync(batch, cancellationToken);
        }
        catch (Exception e) when (batch.Count == 1 && !retried && DbErrors.IsUniqueViolation(e) && !cancellationToken.IsCancellationRequested)
        {
            // Another node stored the same (sender, clientMsgId) between our check and our insert: checked again,
            // it is found, and this send gets that message's ack.
            await CommitWithFallbackAsync(batch, cancellationToken, retried: true);
        }
        catch (Exception e) when (batch.Count > 1 && !cancellationToken.IsCancellationRequested)
        {
            // The batch was rolled back as a whole. Most often another node stored one of these clientMsgIds
            // between our check and our insert; it may also be one bad row. Redo one by one, so that only that
            // message turns into its first ack, or fails, and its neighbours are stored.
            if (!DbErrors.IsUniqueViolation(e)) LogBatchRetried(logger, e, batch.Count);
            foreach (var message in batch) await CommitWithFallbackAsync([message], cancellationToken);
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            LogBatchFailed(logger, e, batch.Count);
            foreach (var message in batch) message.Stored.TrySetException(e);
        }
    }

    private async Task CommitAsync(List<PendingMessage> batch, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var store = new MessageStore(scope.ServiceProvider.GetRequiredService<ParleyDb>());

        // Retries (same sender, same clientMsgId) get the first ack and store nothing.
        var stored = await store.FindStoredAsync(batch, cancellationToken);
        var now = time.GetUtcNow();
        var fresh = new List<(PendingMessage Pending, Message Row)>();
        var writes = new List<(Message Row, PendingMessage Pending)>();
        var repeats = new List<PendingMessage>();
        var claimed = new HashSet<(long, string)>();
        foreach (var pending in batch)
        {
            var key = (pending.SenderId, pending.ClientMsgId);
            if (stored.ContainsKey(key) || !claimed.Add(key))
            {
                repeats.Add(pending);
                continue;
            }
            writes.Add((new Message
            {
                Id = ids.Next(),
                ConversationId = pending.ConversationId,
                SenderId = pending.SenderId,
                ClientMsgId = pending.ClientMsgId,
                Type = pending.Type,
                Content = pending.Content,
                File = pending.File,
                FileId = pending.FileId,
                ReplyTo = pending.ReplyTo,
                ReplyToId = pending.ReplyToId,
                Mentions = pending.Mentions,
                SearchText = pending.SearchText,
                Forwarded = pending.Forwarded,
                SentAt = now,
            }, pending));
        }
        foreach (var (row, pending) in writes) fresh.Add((pending, row));
        if (fresh.Count > 0)
        {
            await store.InsertAsync(writes, now, outbox, cancellationToken);
            Operations.ParleyMetrics.MessagesStored.Add(fresh.Count);
        }

        // Stored: now, and only now, acknowledge and deliver, in seq order. Nothing here may undo the batch:
        // a failure to reach one device is that device's problem, and it will sync.
        foreach (var (pending, row) in fresh)
        {
            var ack = Ack(row.ClientMsgId, row.Id, row.ConversationId, row.Seq, row.SentAt);
            stored[(row.SenderId, row.ClientMsgId)] = ack;
            try
            {
                pending.Stored.TrySetResult(ack);
                await events.PublishAsync(new MessageStored(row, pending.Recipients, pending.SenderDeviceId), cancellationToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogDeliveryFailed(logger, e, row.Id);
            }
        }
        foreach (var pending in repeats) pending.Stored.TrySetResult(stored[(pending.SenderId, pending.ClientMsgId)]);
    }

    private static MessageAck Ack(string clientMsgId, long id, long conversationId, long seq, DateTimeOffset sentAt) =>
        new(clientMsgId, id.ToString(System.Globalization.CultureInfo.InvariantCulture),
            conversationId.ToString(System.Globalization.CultureInfo.InvariantCulture), seq, sentAt);

    [LoggerMessage(Level = LogLevel.Warning, Message = "A batch of {Count} messages failed as a whole; storing them one by one")]
    private static partial void LogBatchRetried(ILogger logger, Exception exception, int count);

    [LoggerMessage(Level = LogLevel.Error, Message = "Acknowledging or publishing stored message {MessageId} failed; devices will get it by syncing")]
    private static partial void LogDeliveryFailed(ILogger logger, Exception exception, long messageId);

    [LoggerMessage(Level = LogLevel.Error, Message = "Storing a batch of {Count} messages failed; none of them was acknowledged")]
    private static partial void LogBatchFailed(ILogger logger, Exception exception, int count);
}
