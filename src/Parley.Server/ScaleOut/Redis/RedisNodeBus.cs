using System.Collections.Concurrent;
using System.Threading.Channels;
using Microsoft.Extensions.Options;
using Parley.Server.Storage;
using StackExchange.Redis;

namespace Parley.Server.ScaleOut.Redis;

/// <summary>
/// This node's link to the other nodes through Redis, shared by the Redis router, change feed and call relay:
/// its name, one ordered stream out and its inbox in.
/// <para>Out, in order: frames (<see cref="EnqueueFrames"/>) and changes (<see cref="EnqueueChange"/>) go into
/// one bounded outbox; one pump takes everything waiting (up to <see cref="ScaleOutOptions.MaxBatch"/> items) and
/// sends it in one script call (<see cref="RedisScripts.Publish"/>), which publishes one envelope per other node
/// holding that node's records of the batch in order. One pump, one call in flight, one subscription per node and
/// an in-order handler: whatever this node puts in the stream reaches every other node in that order, so a change
/// is in force on a node before any frame published after it is delivered there.</para>
/// <para>Out, direct (<see cref="SendToNode"/>, <see cref="SendToWorker"/>): single envelopes for one device or one
/// call, fire and forget, with no order against the stream.</para>
/// <para>In: the node's channel (<c>{prefix}node:{node}</c>) and its worker channel (<c>{prefix}worker:{worker}</c>);
/// each envelope is read whole (<see cref="Envelopes.Read"/>) and its records are handed, one at a time and in
/// order, to the handler registered for their kind (<see cref="On{T}"/>), which the components do when they are
/// built, before the node subscribes.</para>
/// </summary>
public sealed partial class RedisNodeBus
{
    private readonly IConnectionMultiplexer _redis;
    private readonly ILogger<RedisNodeBus> _logger;
    private readonly Channel<Outgoing> _outbox;
    private readonly ConcurrentDictionary<Type, Func<EnvelopeRecord, ValueTask>> _handlers = new();
    private readonly CancellationTokenSource _stopping = new();
    private readonly SemaphoreSlim _subscribing = new(1, 1);
    private Task _pumping = Task.CompletedTask;
    private ChannelMessageQueue? _nodeQueue;
    private ChannelMessageQueue? _workerQueue;
    private long _dropped;

    public RedisNodeBus(IConnectionMultiplexer redis, IdGenerator ids, IOptions<ScaleOutOptions> options, ILogger<RedisNodeBus> logger)
    {
        _redis = redis;
        _logger = logger;
        Options = options.Value;
        WorkerId = ids.WorkerId;
        Prefix = Options.KeyPrefix;
        _outbox = Channel.CreateBounded<Outgoing>(new BoundedChannelOptions(Options.OutboxCapacity)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
    }

    /// <summary>This process's name among the nodes (new at every start).</summary>
    public string NodeId { get; } = Guid.NewGuid().ToString("N")[..16];

    /// <summary>This node's worker id (<c>Ids:WorkerId</c>): the call ids it makes carry it.</summary>
    public int WorkerId { get; }

    public ScaleOutOptions Options { get; }

    public RedisValue Prefix { get; }

    public IDatabase Db => _redis.GetDatabase();

    /// <summary>Set once the node stops: from then on nothing new goes to the other nodes.</summary>
    public CancellationToken Stopping => _stopping.Token;

    /// <summary>Registers the handler of one kind of record (once per kind; before the node subscribes). Handlers must not throw.</summary>
    public void On<T>(Func<T, ValueTask> handler) where T : EnvelopeRecord
    {
        if (!_handlers.TryAdd(typeof(T), record => handler((T)record)))
            throw new InvalidOperationException($"A handler for {typeof(T).Name} is registered already.");
    }

    // ---- Out ----

    /// <summary>Queues a frame for the recipients' devices on other nodes (the caller owns <paramref name="userIds"/> no longer).</summary>
    public void EnqueueFrames(long[] userIds, ReadOnlyMemory<byte> frame, long except) => Enqueue(new Outgoing(userIds, frame, except));

    /// <summary>Queues an encoded change record (<see cref="Envelopes.Change"/>) for every other node.</summary>
    public void EnqueueChange(byte[] record) => Enqueue(new Outgoing(null, record, 0));

    private void Enqueue(Outgoing item)
    {
        // Stopping: what is published now stays on this node.
        if (_stopping.IsCancellationRequested) return;
        if (_outbox.Writer.TryWrite(item)) return;
        Operations.ParleyMetrics.OutboxDropped.Add(1);
        // Best effort, as the router promises: devices elsewhere catch up with msg.sync. Logged now and then.
        if (Interlocked.Increment(ref _dropped) % 1000 == 1) LogOutboxFull(_logger, Options.OutboxCapacity);
    }

    /// <summary>Completes while the outbox is at most three-quarters full (or the node is stopping).</summary>
    public ValueTask WaitForRoomAsync(CancellationToken cancellationToken) =>
        HasRoom ? ValueTask.CompletedTask : new ValueTask(WaitAsync(cancellationToken));

    private bool HasRoom => _outbox.Reader.Count <= Options.OutboxCapacity * 3 / 4 || _stopping.IsCancellationRequested;

    private async Task WaitAsync(CancellationToken cancellationToken)
    {
        // The reader drains at least MaxBatch at a time: waiting for a quarter of the outbox to be free is enough.
        while (!HasRoom) await Task.Delay(1, cancellationToken);
    }

    public void SendToNode(string node, byte[] envelope) => Send(RedisChannel.Literal($"{Options.KeyPrefix}node:{node}"), envelope);

    public void SendToWorker(int worker, byte[] envelope) => Send(RedisChannel.Literal($"{Options.KeyPrefix}worker:{worker}"), envelope);

    private void Send(RedisChannel channel, byte[] envelope)
    {
        try
        {
            _redis.GetSubscriber().Publish(channel, envelope, CommandFlags.FireAndForget);
        }
        catch (Exception e)
        {
            LogSendFailed(_logger, e, channel.ToString());
        }
    }

    private async Task PumpAsync()
    {
        var batch = new List<Outgoing>(Options.MaxBatch);
        var db = Db;
        while (await _outbox.Reader.WaitToReadAsync())
        {
            while (batch.Count < Options.MaxBatch && _outbox.Reader.TryRead(out var item)) batch.Add(item);
            try
            {
                await db.ScriptEvaluateAsync(RedisScripts.Publish, [], Arguments(batch));
                Operations.ParleyMetrics.RedisPublishBatches.Add(1);
                Operations.ParleyMetrics.RedisPublishedFrames.Add(batch.Count);
            }
            catch (Exception e)
            {
                LogPublishFailed(_logger, e, batch.Count);
            }
            batch.Clear();
        }
    }

    private RedisValue[] Arguments(List<Outgoing> batch)
    {
        var size = 3;
        foreach (var item in batch) size += item.UserIds is null ? 2 : 4 + item.UserIds.Length;
        var values = new RedisValue[size];
        values[0] = Prefix;
        values[1] = NodeId;
        values[2] = batch.Count;
        var i = 3;
        foreach (var item in batch)
        {
            if (item.UserIds is null)
            {
                values[i++] = "C";
                values[i++] = item.Payload;
                continue;
            }
            values[i++] = "F";
            values[i++] = item.Except;
            values[i++] = item.Payload;
            values[i++] = item.UserIds.Length;
            foreach (var user in item.UserIds) values[i++] = user;
        }
        return values;
    }

    // ---- In ----

    private async Task ReceiveAsync(ChannelMessage message)
    {
        IReadOnlyList<EnvelopeRecord> records;
        try
        {
            var bytes = (byte[]?)message.Message;
            if (bytes is null) return;
            records = Envelopes.Read(bytes);
        }
        catch (FormatException e)
        {
            LogEnvelopeRefused(_logger, e, message.Channel.ToString());
            return;
        }
        foreach (var record in records)
        {
            if (!_handlers.TryGetValue(record.GetType(), out var handler))
            {
                LogNoHandler(_logger, record.GetType().Name);
                continue;
            }
            try
            {
                var handled = handler(record);
                if (!handled.IsCompletedSuccessfully) await handled;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogHandlerFailed(_logger, e, record.GetType().Name);
            }
        }
    }

    // ---- Lifetime (RedisScaleOutService) ----

    public void StartPump() => _pumping = Task.Run(PumpAsync, CancellationToken.None);

    /// <summary>Subscribes to this node's channels, those not subscribed yet (again at each heartbeat, should Redis have been away at start).</summary>
    public async Task SubscribeAsync()
    {
        await _subscribing.WaitAsync();
        try
        {
            var subscriber = _redis.GetSubscriber();
            if (_nodeQueue is null)
            {
                var queue = await subscriber.SubscribeAsync(RedisChannel.Literal($"{Options.KeyPrefix}node:{NodeId}"));
                queue.OnMessage(ReceiveAsync);
                _nodeQueue = queue;
            }
            if (_workerQueue is null)
            {
                var queue = await subscriber.SubscribeAsync(RedisChannel.Literal($"{Options.KeyPrefix}worker:{WorkerId}"));
                queue.OnMessage(ReceiveAsync);
                _workerQueue = queue;
            }
        }
        finally
        {
            _subscribing.Release();
        }
    }

    /// <summary>Stops taking anything new for the other nodes.</summary>
    public Task BeginStopAsync() => _stopping.CancelAsync();

    /// <summary>Sends what is still in the outbox (for at most <paramref name="timeout"/>).</summary>
    public async Task DrainAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        _outbox.Writer.TryComplete();
        await _pumping.WaitAsync(timeout, cancellationToken).ContinueWith(_ => { }, TaskScheduler.Default);
    }

    public async Task UnsubscribeAsync()
    {
        if (_nodeQueue is not null) await _nodeQueue.UnsubscribeAsync();
        if (_workerQueue is not null) await _workerQueue.UnsubscribeAsync();
    }

    /// <summary>A frame (with its recipients) or, with no recipients, an encoded change record.</summary>
    private readonly record struct Outgoing(long[]? UserIds, ReadOnlyMemory<byte> Payload, long Except);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The outbox to other nodes is full ({Capacity} frames): frames for devices on other nodes are dropped (they will sync)")]
    private static partial void LogOutboxFull(ILogger logger, int capacity);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Publishing {Count} frames and changes to other nodes failed; their devices will get the messages by syncing")]
    private static partial void LogPublishFailed(ILogger logger, Exception exception, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Sending an envelope on {Channel} failed")]
    private static partial void LogSendFailed(ILogger logger, Exception exception, string channel);

    [LoggerMessage(Level = LogLevel.Error, Message = "An envelope on {Channel} was refused as malformed")]
    private static partial void LogEnvelopeRefused(ILogger logger, Exception exception, string channel);

    [LoggerMessage(Level = LogLevel.Warning, Message = "No handler is registered for {Kind} records; dropped")]
    private static partial void LogNoHandler(ILogger logger, string kind);

    [LoggerMessage(Level = LogLevel.Error, Message = "Handling a {Kind} record from another node failed")]
    private static partial void LogHandlerFailed(ILogger logger, Exception exception, string kind);
}
