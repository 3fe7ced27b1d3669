using System.Threading.Channels;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Parley.Server.Events;
using Parley.Server.ScaleOut;
using Parley.Server.Storage;

namespace Parley.Server.Messaging;

/// <summary>
/// The single writer of messages (group commit). Sends queue here; the writer takes everything waiting (up to
/// <see cref="MessagingOptions.MaxBatch"/>), gives each message the next seq of its conversation, stores the
/// whole batch in one transaction (one fsync), and only then acknowledges each message and publishes it.
/// Stored messages are announced as <see cref="MessageStored"/> events, in seq order.
/// One writer per node keeps each conversation's delivery in seq order; the seq itself comes from an atomic
/// increment in the database, backed by the unique (conversation, seq) index, so several nodes stay gapless.
/// <para><b>Two stages.</b> Acknowledging and publishing a committed batch (encoding and fanning out its frames)
/// runs on a second loop, fed in commit order through a short bounded queue, so that the writer starts on the next
/// batch at once instead of waiting for the fan-out: on a server this small the writer's loop is the limit under
/// load. Order is kept because each stage is one loop and the queue between them is first in, first out; a
/// publishing stage that falls behind makes the writer wait (back-pressure), never drop. Handlers of
/// <see cref="MessageStored"/> run on the publishing loop and so must not wait for the committer.</para>
/// </summary>
public sealed partial class MessageCommitter(
    IServiceScopeFactory scopes,
    IdGenerator ids,
    IMessageRouter router,
    DomainEvents events,
    TimeProvider time,
    IOptions<MessagingOptions> options,
    IStoredMessageOutbox outbox,
    SqliteWriteGate writeGate,
    SearchIndexer searchIndexer,
    ILogger<MessageCommitter> logger) : BackgroundService
{
    private readonly Channel<PendingMessage> _queue = Channel.CreateBounded<PendingMessage>(
        new BoundedChannelOptions(options.Value.QueueCapacity) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });

    // A few batches: enough to keep the writer busy while one is fanned out, few enough that acks never lag far behind.
    private readonly Channel<CommittedBatch> _committed = Channel.CreateBounded<CommittedBatch>(
        new BoundedChannelOptions(4) { SingleReader = true, SingleWriter = true, FullMode = BoundedChannelFullMode.Wait });

    /// <summary>Queues a message; waits only while the queue is full (back-pressure). Await <see cref="PendingMessage.Stored"/> for the ack.</summary>
    public ValueTask EnqueueAsync(PendingMessage message, CancellationToken cancellationToken) => _queue.Writer.WriteAsync(message, cancellationToken);

    /// <summary>How long a stopping node goes on storing what was queued before it gives up (its senders then resend).</summary>
    public static readonly TimeSpan DrainTimeout = TimeSpan.FromSeconds(10);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var publishing = Task.Run(PublishLoopAsync, CancellationToken.None);
        // Draining (SIGTERM): no new sends are taken (they get 503 server_stopping), and what was queued is still
        // stored and acknowledged, within DrainTimeout; only then does the loop end. The database work itself is never
        // cut off half way by the stop, only by that deadline.
        using var deadline = new CancellationTokenSource();
        using var stopping = stoppingToken.Register(() =>
        {
            _queue.Writer.TryComplete();
            deadline.CancelAfter(DrainTimeout);
        });
        var batch = new List<PendingMessage>(options.Value.MaxBatch);
        try
        {
            while (await _queue.Reader.WaitToReadAsync(deadline.Token))
            {
                // Back-pressure from the router: with Redis, while the outbox to other nodes is nearly full, sends wait here.
                await router.WaitForRoomAsync(deadline.Token);
                while (batch.Count < options.Value.MaxBatch && _queue.Reader.TryRead(out var message)) batch.Add(message);
                var started = CommitMetrics.Start(batch.Count);
                await CommitWithFallbackAsync(batch, deadline.Token);
                CommitMetrics.Stop(started, batch.Count);
                batch.Clear();
            }
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested)
        {
            // Out of time while draining: whatever was not stored was not acknowledged, and its senders will resend it.
        }
        finally
        {
            // What was stored is still acknowledged and published; then the publishing loop ends.
            _committed.Writer.TryComplete();
            await publishing;
        }
        _queue.Writer.TryComplete();
        foreach (var message in batch) message.Stored.TrySetCanceled(deadline.Token);
        while (_queue.Reader.TryRead(out var message)) message.Stored.TrySetCanceled(deadline.Token);
    }

    /// <summary>How a commit finds resends (a clientMsgId its sender has sent before) among the batch.</summary>
    private enum RepeatCheck
    {
        /// <summary>It does not look: resends are rare, and the unique (sender, clientMsgId) index refuses one if present.</summary>
        Optimistic,

        /// <summary>It looks them up first (one query for the batch), after the index refused the optimistic insert.</summary>
        LookedUp,

        /// <summary>Looked up again: another node stored the same resend between our lookup and our insert.</summary>
        LookedUpAgain,
    }

    private async Task CommitWithFallbackAsync(List<PendingMessage> batch, CancellationToken cancellationToken, RepeatCheck check = RepeatCheck.Optimistic)
    {
        try
        {
            // Never cancelled while waiting for room: the publishing loop always makes progress, and what is stored must be acknowledged.
            await _committed.Writer.WriteAsync(await CommitAsync(batch, check != RepeatCheck.Optimistic, cancellationToken), CancellationToken.None);
        }
        catch (Exception e) when (check == RepeatCheck.Optimistic && DbErrors.IsUniqueViolation(e) && !cancellationToken.IsCancellationRequested)
        {
            // A resend of a stored message: the whole transaction rolled back; redo the batch, looking resends up.
            await CommitWithFallbackAsync(batch, cancellationToken, RepeatCheck.LookedUp);
        }
        catch (Exception e) when (batch.Count == 1 && check == RepeatCheck.LookedUp && DbErrors.IsUniqueViolation(e) && !cancellationToken.IsCancellationRequested)
        {
            // Another node stored the same (sender, clientMsgId) between our check and our insert: checked again,
            // it is found, and this send gets that message's ack.
            await CommitWithFallbackAsync(batch, cancellationToken, RepeatCheck.LookedUpAgain);
        }
        catch (Exception e) when (batch.Count > 1 && !cancellationToken.IsCancellationRequested)
        {
            // The batch was rolled back as a whole. Most often another node stored one of these clientMsgIds
            // between our check and our insert; it may also be one bad row. Redo one by one, so that only that
            // message turns into its first ack, or fails, and its neighbours are stored.
            if (!DbErrors.IsUniqueViolation(e)) LogBatchRetried(logger, e, batch.Count);
            foreach (var message in batch) await CommitWithFallbackAsync([message], cancellationToken, RepeatCheck.LookedUp);
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            LogBatchFailed(logger, e, batch.Count);
            // Through the publishing loop, so that a device hears of the failure after the acks of what it sent before.
            await _committed.Writer.WriteAsync(CommittedBatch.Failure([.. batch], e), CancellationToken.None);
        }
    }

    /// <summary>Stores the batch; acknowledging and publishing are left to <see cref="PublishLoopAsync"/>.</summary>
    private async Task<CommittedBatch> CommitAsync(List<PendingMessage> batch, bool lookUpRepeats, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var store = new MessageStore(scope.ServiceProvider.GetRequiredService<ParleyDb>(), writeGate);

        // Retries (same sender, same clientMsgId) get the first ack and store nothing. Looked up only once the index has
        // refused a batch: measured, the lookup of every batch was the largest part of a commit on PostgreSQL.
        var stored = lookUpRepeats ? await store.FindStoredAsync(batch, cancellationToken) : [];
        var now = time.GetUtcNow();
        var writes = new List<(Message Row, PendingMessage Pending)>(batch.Count);
        var repeats = new List<PendingMessage>();
        var claimed = new HashSet<(long, string)>(batch.Count);
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
        if (writes.Count > 0)
        {
            await store.InsertAsync(writes, now, outbox, cancellationToken);
            Operations.ParleyMetrics.MessagesStored.Add(writes.Count);
            if (writes.Any(w => w.Row.SearchText is not null)) searchIndexer.Notify();
        }
        return new CommittedBatch(writes, repeats, stored) { Orphans = repeats.Count == 0 ? [] : await FindOrphansAsync(store, repeats, stored, cancellationToken) };
    }

    /// <summary>
    /// The repeats whose message another process stored. That node may have died between storing and publishing (the
    /// sender, without an ack, resent here), so its connected recipients may never have had it: it is delivered again.
    /// A resend of this process's own message needs nothing: this process published it.
    /// </summary>
    private async Task<List<(Message Row, PendingMessage Pending)>> FindOrphansAsync(MessageStore store, List<PendingMessage> repeats,
        Dictionary<(long SenderId, string ClientMsgId), MessageAck> stored, CancellationToken cancellationToken)
    {
        var candidates = new Dictionary<long, PendingMessage>();
        foreach (var pending in repeats)
            if (stored.TryGetValue((pending.SenderId, pending.ClientMsgId), out var ack) && long.Parse(ack.MessageId, System.Globalization.CultureInfo.InvariantCulture) is var id && !ids.MadeHere(id))
                candidates.TryAdd(id, pending);
        if (candidates.Count == 0) return [];
        try
        {
            var rows = await store.LoadAsync([.. candidates.Keys], cancellationToken);
            return [.. rows.OrderBy(row => row.Seq).Select(row => (row, candidates[row.Id]))];
        }
        catch (Exception e)
        {
            // The batch is committed: it must be acknowledged and published whatever happens here (were this to throw,
            // the retry would find this batch's own messages stored and publish none of them). Without the second
            // delivery, the recipients get these messages at their next sync.
            LogRedeliveryFailed(logger, e, candidates.Count);
            return [];
        }
    }

    /// <summary>
    /// The second stage: for each committed batch, in commit order, acknowledges and publishes each new message in seq
    /// order, then answers the repeats. Nothing here may undo a batch: a failure to reach one device is that device's
    /// problem, and it will sync.
    /// </summary>
    private async Task PublishLoopAsync()
    {
        await foreach (var committed in _committed.Reader.ReadAllAsync())
        {
            if (committed.Error is { } error)
            {
                foreach (var pending in committed.Failed) pending.Stored.TrySetException(error);
                continue;
            }
            foreach (var (row, pending) in committed.Written)
            {
                var ack = Ack(row.ClientMsgId, row.Id, row.ConversationId, row.Seq, row.SentAt);
                // Kept only for repeats in the same batch to answer with; a full batch's dictionary would be a large object.
                if (committed.Repeats.Count > 0) committed.Stored[(row.SenderId, row.ClientMsgId)] = ack;
                try
                {
                    pending.Stored.TrySetResult(ack);
                    await events.PublishAsync(new MessageStored(row, pending.Recipients, pending.SenderDeviceId));
                }
                catch (Exception e)
                {
                    LogDeliveryFailed(logger, e, row.Id);
                }
            }
            foreach (var pending in committed.Repeats) pending.Stored.TrySetResult(committed.Stored[(pending.SenderId, pending.ClientMsgId)]);
            foreach (var (row, pending) in committed.Orphans)
            {
                try
                {
                    await events.PublishAsync(new MessageRedelivered(row, pending.Recipients, pending.SenderDeviceId));
                }
                catch (Exception e)
                {
                    LogDeliveryFailed(logger, e, row.Id);
                }
            }
        }
    }

    /// <summary>What one transaction stored (<see cref="Written"/>, in seq order) and the repeats it answers; or the sends that failed, and why.</summary>
    private sealed record CommittedBatch(
        List<(Message Row, PendingMessage Pending)> Written,
        List<PendingMessage> Repeats,
        Dictionary<(long SenderId, string ClientMsgId), MessageAck> Stored)
    {
        /// <summary>Repeats of messages another process stored, to deliver again (<see cref="MessageRedelivered"/>).</summary>
        public List<(Message Row, PendingMessage Pending)> Orphans { get; init; } = [];

        public List<PendingMessage> Failed { get; private init; } = [];
        public Exception? Error { get; private init; }

        public static CommittedBatch Failure(List<PendingMessage> batch, Exception error) => new([], [], []) { Failed = batch, Error = error };
    }

    private static MessageAck Ack(string clientMsgId, long id, long conversationId, long seq, DateTimeOffset sentAt) =>
        new(clientMsgId, id.ToString(System.Globalization.CultureInfo.InvariantCulture),
            conversationId.ToString(System.Globalization.CultureInfo.InvariantCulture), seq, sentAt);

    [LoggerMessage(Level = LogLevel.Warning, Message = "A batch of {Count} messages failed as a whole; storing them one by one")]
    private static partial void LogBatchRetried(ILogger logger, Exception exception, int count);

    [LoggerMessage(Level = LogLevel.Error, Message = "Acknowledging or publishing stored message {MessageId} failed; devices will get it by syncing")]
    private static partial void LogDeliveryFailed(ILogger logger, Exception exception, long messageId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Loading {Count} resent messages that another node stored, to deliver them again, failed; their recipients get them at their next sync")]
    private static partial void LogRedeliveryFailed(ILogger logger, Exception exception, int count);

    [LoggerMessage(Level = LogLevel.Error, Message = "Storing a batch of {Count} messages failed; none of them was acknowledged")]
    private static partial void LogBatchFailed(ILogger logger, Exception exception, int count);
}
