using System.Buffers.Text;
using System.Text.Json;
using System.Collections.Concurrent;
using System.Threading.Channels;
using Microsoft.Extensions.Options;
using Parley.Server.Accounts;
using Parley.Server.Realtime;
using Parley.Server.Social;
using Parley.Server.Storage;
using StackExchange.Redis;

namespace Parley.Server.ScaleOut;

/// <summary>
/// Routing and presence across nodes through Redis (<c>ConnectionStrings:Redis</c>); docs/architecture.md, "Scale-out".
/// <para>Routing: each node subscribes to one channel of its own. Redis holds, per user, the set of nodes where
/// the user has a device. A publish reaches this node's devices at once (in memory) and goes into a bounded
/// outbox; one pump takes everything waiting (up to <see cref="ScaleOutOptions.MaxBatch"/> frames) and sends it
/// to Redis in one script call, which looks up the recipients' nodes and publishes one envelope per node with
/// every frame of the batch for it, in order. Frames are serialised once and never copied per recipient. One
/// pump, one call in flight, one subscription per node and an in-order handler keep the order of one publisher's
/// frames to each device.</para>
/// <para>Presence: a node renews its heartbeat every <see cref="ScaleOutOptions.HeartbeatInterval"/>; a node whose
/// heartbeat is older than <see cref="ScaleOutOptions.NodeTtl"/> is reaped by whichever node sees it first, and
/// its users who have no device elsewhere go offline (their friends hear it). Each node reconciles its routes
/// with its connections at every heartbeat, so a failed write heals.</para>
/// </summary>
public sealed partial class RedisScaleOut : IMessageRouter, IPresenceStore, IDeviceRelay, IHostedService
{
    private readonly IConnectionMultiplexer _redis;
    private readonly LocalConnections _local;
    private readonly SocialVersions _versions;
    private readonly SessionRevocations _revocations;
    private readonly IServiceProvider _services;
    private readonly ScaleOutOptions _options;
    private readonly ILogger<RedisScaleOut> _logger;
    private readonly Channel<Outgoing> _outbox;
    private readonly RedisValue _prefix;
    private readonly RedisChannel _nodeChannel;
    private readonly RedisChannel _socialChannel;
    private readonly SemaphoreSlim[] _stripes = Enumerable.Range(0, 64).Select(_ => new SemaphoreSlim(1, 1)).ToArray();

    /// <summary>The users this node has told Redis it routes (it has, or had, a device of theirs).</summary>
    private readonly ConcurrentDictionary<long, byte> _attached = new();

    private readonly CancellationTokenSource _stopping = new();
    private Task _pumping = Task.CompletedTask;
    private Task _beating = Task.CompletedTask;
    private ChannelMessageQueue? _frames;
    private ChannelMessageQueue? _social;
    private volatile bool _gone;
    private long _dropped;

    private readonly int _worker;
    private readonly RedisValue _workerChannelPrefix;
    private readonly RedisChannel _workerChannel;

    /// <summary>Devices of this node whose call frames went to another node's call: (call id, user) by connection id.</summary>
    private readonly ConcurrentDictionary<long, (long CallId, long UserId)> _forwarded = new();

    private ChannelMessageQueue? _calls;

    public RedisScaleOut(IConnectionMultiplexer redis, LocalConnections local, SocialVersions versions, SessionRevocations revocations,
        IdGenerator ids, IServiceProvider services, IOptions<ScaleOutOptions> options, ILogger<RedisScaleOut> logger)
    {
        _worker = ids.WorkerId;
        _revocations = revocations;
        _redis = redis;
        _local = local;
        _versions = versions;
        _services = services;
        _options = options.Value;
        _logger = logger;
        _outbox = Channel.CreateBounded<Outgoing>(new BoundedChannelOptions(_options.OutboxCapacity)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
        _prefix = _options.KeyPrefix;
        _nodeChannel = RedisChannel.Literal($"{_options.KeyPrefix}node:{NodeId}");
        _socialChannel = RedisChannel.Literal($"{_options.KeyPrefix}changes");
        _workerChannelPrefix = $"{_options.KeyPrefix}worker:";
        _workerChannel = RedisChannel.Literal($"{_options.KeyPrefix}worker:{_worker}");
        local.DeviceRemoved += OnDeviceRemoved;
        versions.Changed += (isGroup, id) => Broadcast(isGroup ? 'g' : 'u', id);
        revocations.RevokedHere += sessionId => Broadcast('s', sessionId);
    }

    /// <summary>This process's name among the nodes (new at every start).</summary>
    public string NodeId { get; } = Guid.NewGuid().ToString("N")[..16];

    private IDatabase Db => _redis.GetDatabase();

    // ---- Routing ----

    public void Publish(IReadOnlyList<long> userIds, ReadOnlyMemory<byte> frame, long exceptConnectionId = 0)
    {
        if (userIds.Count == 0) return;
        _local.Publish(userIds, frame, exceptConnectionId);
        // Stopping: what is published now reaches this node's devices only.
        if (_stopping.IsCancellationRequested) return;
        // The list is the caller's: copied, as it is read later by the pump.
        if (!_outbox.Writer.TryWrite(new Outgoing([.. userIds], frame, exceptConnectionId)))
        {
            // Best effort, as the router promises: devices elsewhere catch up with msg.sync. Logged now and then.
            if (Interlocked.Increment(ref _dropped) % 1000 == 1) LogOutboxFull(_logger, _options.OutboxCapacity);
        }
    }

    /// <summary>Waits while the outbox to other nodes is full, so that the message writer slows down instead of dropping frames.</summary>
    public ValueTask WaitForRoomAsync(CancellationToken cancellationToken) =>
        _outbox.Reader.Count <= _options.OutboxCapacity * 3 / 4 || _stopping.IsCancellationRequested
            ? ValueTask.CompletedTask
            : new ValueTask(WaitAsync(cancellationToken));

    private async Task WaitAsync(CancellationToken cancellationToken)
    {
        // The reader drains at least MaxBatch at a time: waiting for a quarter of the outbox to be free is enough.
        while (_outbox.Reader.Count > _options.OutboxCapacity * 3 / 4 && !_stopping.IsCancellationRequested)
            await Task.Delay(1, cancellationToken);
    }

    private async Task PumpAsync()
    {
        var batch = new List<Outgoing>(_options.MaxBatch);
        var db = Db;
        while (await _outbox.Reader.WaitToReadAsync())
        {
            while (batch.Count < _options.MaxBatch && _outbox.Reader.TryRead(out var item)) batch.Add(item);
            try
            {
                await db.ScriptEvaluateAsync(RedisScripts.Publish, [], Arguments(batch));
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
        foreach (var item in batch) size += 3 + item.UserIds.Length;
        var values = new RedisValue[size];
        values[0] = _prefix;
        values[1] = NodeId;
        values[2] = batch.Count;
        var i = 3;
        foreach (var item in batch)
        {
            values[i++] = item.Except;
            values[i++] = item.Frame;
            values[i++] = item.UserIds.Length;
            foreach (var user in item.UserIds) values[i++] = user;
        }
        return values;
    }

    /// <summary>An envelope from another node: <c>{except} {users} {length}\n{frame}</c>, repeated; in order, onto this node's devices.</summary>
    private void Deliver(ChannelMessage message)
    {
        try
        {
            var bytes = (byte[]?)message.Message;
            if (bytes is null) return;
            if (bytes.Length > 0 && bytes[0] == (byte)'D')
            {
                DeliverToDevice(bytes);
                return;
            }
            var at = 0;
            var users = new List<long>();
            while (at < bytes.Length)
            {
                var span = bytes.AsSpan(at);
                var space = span.IndexOf((byte)' ');
                if (!Utf8Parser.TryParse(span[..space], out long except, out _)) throw new FormatException("except");
                span = span[(space + 1)..];
                at += space + 1;
                space = span.IndexOf((byte)' ');
                users.Clear();
                foreach (var range in span[..space].Split((byte)','))
                {
                    if (!Utf8Parser.TryParse(span[range], out long user, out _)) throw new FormatException("user");
                    users.Add(user);
                }
                span = span[(space + 1)..];
                at += space + 1;
                var newline = span.IndexOf((byte)'\n');
                if (!Utf8Parser.TryParse(span[..newline], out int length, out _)) throw new FormatException("length");
                at += newline + 1;
                // A slice of the received array: the frame is not copied again on its way to the devices.
                _local.Publish(users, bytes.AsMemory(at, length), except);
                at += length;
            }
        }
        catch (Exception e)
        {
            LogEnvelopeFailed(_logger, e);
        }
    }

    // ---- Devices and calls across nodes ----

    public void SendToDevice(string node, long userId, long connectionId, ReadOnlyMemory<byte> frame)
    {
        try
        {
            var header = System.Text.Encoding.ASCII.GetBytes($"D {userId} {connectionId}\n");
            var envelope = new byte[header.Length + frame.Length];
            header.CopyTo(envelope, 0);
            frame.Span.CopyTo(envelope.AsSpan(header.Length));
            _redis.GetSubscriber().Publish(RedisChannel.Literal($"{_options.KeyPrefix}node:{node}"), envelope, CommandFlags.FireAndForget);
        }
        catch (Exception e)
        {
            LogDeviceSendFailed(_logger, e, connectionId);
        }
    }

    /// <summary><c>D {userId} {connectionId}\n{frame}</c>: one frame for one device of this node.</summary>
    private void DeliverToDevice(byte[] bytes)
    {
        var newline = Array.IndexOf(bytes, (byte)'\n');
        var header = System.Text.Encoding.ASCII.GetString(bytes, 0, newline).Split(' ');
        _local.TrySend(long.Parse(header[1], System.Globalization.CultureInfo.InvariantCulture),
            long.Parse(header[2], System.Globalization.CultureInfo.InvariantCulture), bytes.AsMemory(newline + 1));
    }

    public bool TryForwardCall(long callId, Connection device, ClientFrame frame)
    {
        var worker = IdGenerator.WorkerOf(callId);
        if (worker == _worker) return false;
        _forwarded[device.Id] = (callId, device.UserId);
        var json = JsonSerializer.SerializeToUtf8Bytes(frame, RealtimeJsonContext.Default.ClientFrame);
        var header = System.Text.Encoding.ASCII.GetBytes($"C {NodeId} {device.Id} {device.UserId}\n");
        var envelope = new byte[header.Length + json.Length];
        header.CopyTo(envelope, 0);
        json.CopyTo(envelope, header.Length);
        // Lost if that node is gone: the device gets no answer, as from a call that no longer exists.
        _redis.GetSubscriber().Publish(RedisChannel.Literal($"{_workerChannelPrefix}{worker}"), envelope, CommandFlags.FireAndForget);
        return true;
    }

    private void OnDeviceRemoved(Connection connection)
    {
        if (!_forwarded.TryRemove(connection.Id, out var entry)) return;
        try
        {
            _redis.GetSubscriber().Publish(RedisChannel.Literal($"{_workerChannelPrefix}{IdGenerator.WorkerOf(entry.CallId)}"),
                $"G {connection.Id} {entry.UserId}", CommandFlags.FireAndForget);
        }
        catch (Exception e)
        {
            LogDeviceSendFailed(_logger, e, connection.Id);
        }
    }

    /// <summary>On this node's worker channel: <c>C {node} {connectionId} {userId}\n{frame}</c> (a call frame) or <c>G {connectionId} {userId}</c> (that device left).</summary>
    private async Task OnCallFrameAsync(ChannelMessage message)
    {
        try
        {
            var bytes = (byte[]?)message.Message;
            if (bytes is null || bytes.Length == 0) return;
            var calls = _services.GetRequiredService<CallFrames>();
            if (bytes[0] == (byte)'G')
            {
                var parts = System.Text.Encoding.ASCII.GetString(bytes).Split(' ');
                calls.ForwardedDeviceGone(long.Parse(parts[2], System.Globalization.CultureInfo.InvariantCulture),
                    long.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture));
                return;
            }
            var newline = Array.IndexOf(bytes, (byte)'\n');
            var header = System.Text.Encoding.ASCII.GetString(bytes, 0, newline).Split(' ');
            var frame = JsonSerializer.Deserialize(bytes.AsSpan(newline + 1), RealtimeJsonContext.Default.ClientFrame);
            if (frame is null) return;
            var device = new RemoteDevice(this, header[1], long.Parse(header[2], System.Globalization.CultureInfo.InvariantCulture),
                long.Parse(header[3], System.Globalization.CultureInfo.InvariantCulture));
            await calls.HandleForwardedAsync(device, frame, _stopping.Token);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogEnvelopeFailed(_logger, e);
        }
    }

    public async Task<bool> TryClaimPartiesAsync(long callId, long callerId, long calleeId)
    {
        try
        {
            return (long)await Db.ScriptEvaluateAsync(RedisScripts.ClaimParties, [], [_prefix, NodeId, callId, callerId, calleeId]) == 1;
        }
        catch (Exception e)
        {
            // Redis away: the busy check is this node's only, rather than no call at all.
            LogClaimFailed(_logger, e, callId);
            return true;
        }
    }

    public async Task ReleasePartiesAsync(long callId, long callerId, long calleeId)
    {
        try
        {
            await Db.ScriptEvaluateAsync(RedisScripts.ReleaseParties, [], [_prefix, NodeId, callId, callerId, calleeId]);
        }
        catch (Exception e)
        {
            LogClaimFailed(_logger, e, callId);
        }
    }

    /// <summary>A device connected to another node, acting in one of this node's calls.</summary>
    private sealed class RemoteDevice(RedisScaleOut relay, string node, long id, long userId) : IDevice
    {
        public long Id => id;
        public long UserId => userId;
        public string? Node => node;

        public void Enqueue(ReadOnlyMemory<byte> frame) => relay.SendToDevice(node, userId, id, frame);

        public ValueTask SendAsync(ReadOnlyMemory<byte> frame)
        {
            Enqueue(frame);
            return ValueTask.CompletedTask;
        }
    }

    // ---- Presence ----

    public async ValueTask<bool> DeviceAddedAsync(long userId, bool firstHere) => await SyncAsync(userId) == Change.CameOnline;

    public async ValueTask<bool> DeviceRemovedAsync(long userId, bool lastHere) => await SyncAsync(userId) == Change.WentOffline;

    private enum Change
    {
        None,
        CameOnline,
        WentOffline,
    }

    /// <summary>
    /// Makes Redis's routes for the user match this node's connections (one user at a time, in the order the
    /// changes happened): first device here → attach, last device gone → detach. Never throws.
    /// </summary>
    private async Task<Change> SyncAsync(long userId)
    {
        var gate = _stripes[(int)((ulong)userId % (ulong)_stripes.Length)];
        await gate.WaitAsync();
        try
        {
            if (_gone) return Change.None;
            var here = _local.HasDevices(userId);
            if (here == _attached.ContainsKey(userId)) return Change.None;
            var result = (long)await Db.ScriptEvaluateAsync(here ? RedisScripts.Attach : RedisScripts.Detach, [], [_prefix, NodeId, userId]);
            if (here) _attached[userId] = 0;
            else _attached.TryRemove(userId, out _);
            return result != 1 ? Change.None : here ? Change.CameOnline : Change.WentOffline;
        }
        catch (Exception e)
        {
            // The next heartbeat's reconciliation tries again.
            LogRouteFailed(_logger, e, userId);
            return Change.None;
        }
        finally
        {
            gate.Release();
        }
    }

    public async ValueTask<IReadOnlySet<long>> OnlineAsync(IReadOnlyCollection<long> userIds, CancellationToken cancellationToken)
    {
        var online = new HashSet<long>();
        var ask = new List<long>();
        foreach (var user in userIds)
        {
            if (_local.HasDevices(user)) online.Add(user);
            else ask.Add(user);
        }
        if (ask.Count == 0) return online;
        try
        {
            var values = new RedisValue[ask.Count + 1];
            values[0] = _prefix;
            for (var i = 0; i < ask.Count; i++) values[i + 1] = ask[i];
            var flags = (RedisResult[]?)await Db.ScriptEvaluateAsync(RedisScripts.Online, [], values).WaitAsync(cancellationToken) ?? [];
            for (var i = 0; i < flags.Length && i < ask.Count; i++)
                if ((long)flags[i] == 1) online.Add(ask[i]);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogPresenceReadFailed(_logger, e);
        }
        return online;
    }

    // ---- Changes other nodes must hear of: social versions (rights caches), revoked sessions ----

    private void Broadcast(char kind, long id)
    {
        if (_stopping.IsCancellationRequested) return;
        try
        {
            _redis.GetSubscriber().Publish(_socialChannel, $"{NodeId} {kind} {id}", CommandFlags.FireAndForget);
        }
        catch (Exception e)
        {
            LogSocialFailed(_logger, e);
        }
    }

    private void OnSocialChange(ChannelMessage message)
    {
        var parts = ((string?)message.Message)?.Split(' ');
        if (parts is not { Length: 3 } || parts[0] == NodeId || !long.TryParse(parts[2], out var id)) return;
        try
        {
            switch (parts[1])
            {
                case "u": _versions.ChangedElsewhere(false, id); break;
                case "g": _versions.ChangedElsewhere(true, id); break;
                case "s": _revocations.RevokedElsewhere(id); break;
            }
        }
        catch (Exception e)
        {
            LogSocialFailed(_logger, e);
        }
    }

    // ---- Heartbeat, reaping, lifetime ----

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        _pumping = Task.Run(PumpAsync, CancellationToken.None);
        try
        {
            // Joined before the node serves anyone; but Redis being down does not hold the start for long
            // (readiness says so, and the heartbeat keeps trying).
            await JoinAsync().WaitAsync(TimeSpan.FromSeconds(3), cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            LogHeartbeatFailed(_logger, e);
        }
        _beating = Task.Run(HeartbeatLoopAsync, CancellationToken.None);
    }

    private readonly SemaphoreSlim _beat = new(1, 1);

    /// <summary>One heartbeat at a time (the first at start, then the timer's): subscribe if not yet, then beat.</summary>
    private async Task JoinAsync()
    {
        await _beat.WaitAsync();
        try
        {
            await SubscribeAsync();
            await BeatAsync();
        }
        finally
        {
            _beat.Release();
        }
    }

    private async Task SubscribeAsync()
    {
        if (_frames is null)
        {
            var frames = await _redis.GetSubscriber().SubscribeAsync(_nodeChannel);
            frames.OnMessage(Deliver);
            _frames = frames;
        }
        if (_calls is null)
        {
            var calls = await _redis.GetSubscriber().SubscribeAsync(_workerChannel);
            calls.OnMessage(OnCallFrameAsync);
            _calls = calls;
        }
        if (_social is null)
        {
            var social = await _redis.GetSubscriber().SubscribeAsync(_socialChannel);
            social.OnMessage(OnSocialChange);
            _social = social;
        }
    }

    private async Task HeartbeatLoopAsync()
    {
        using var timer = new PeriodicTimer(_options.HeartbeatInterval);
        try
        {
            while (await timer.WaitForNextTickAsync(_stopping.Token))
            {
                try
                {
                    await JoinAsync();
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    LogHeartbeatFailed(_logger, e);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task BeatAsync()
    {
        var db = Db;
        var forgotten = (long)await db.ScriptEvaluateAsync(RedisScripts.Heartbeat, [], [_prefix, NodeId, (long)_options.NodeTtl.TotalMilliseconds]);
        // Reaped while alive (a long pause, Redis restarted empty): every route of this node must be written again.
        if (forgotten == 1 && !_attached.IsEmpty)
        {
            LogRejoined(_logger, NodeId);
            _attached.Clear();
        }

        // Reconcile: routes that a failed write left behind, or that are missing.
        foreach (var user in _attached.Keys)
            if (!_local.HasDevices(user)) await AnnounceAsync(user, await SyncAsync(user));
        foreach (var user in _local.UserIds)
            if (!_attached.ContainsKey(user)) await AnnounceAsync(user, await SyncAsync(user));

        // Nodes that died without goodbye: their users with no device elsewhere are offline now.
        var offline = (RedisResult[]?)await db.ScriptEvaluateAsync(RedisScripts.Reap, [], [_prefix]) ?? [];
        foreach (var user in offline.Select(r => (long)r).Distinct())
        {
            if (_local.HasDevices(user)) continue;
            await AnnounceAsync(user, Change.WentOffline);
        }
    }

    private async Task AnnounceAsync(long userId, Change change)
    {
        if (change == Change.None) return;
        try
        {
            var tracker = _services.GetRequiredService<PresenceTracker>();
            if (change == Change.CameOnline) await tracker.CameOnlineAsync(userId);
            else await tracker.WentOfflineAsync(userId);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogAnnounceFailed(_logger, e, userId);
        }
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync();
        await _beating;
        // What other nodes still have to get goes out first, then the goodbye.
        _outbox.Writer.TryComplete();
        await _pumping.WaitAsync(TimeSpan.FromSeconds(5), cancellationToken).ContinueWith(_ => { }, TaskScheduler.Default);
        _gone = true;
        try
        {
            var offline = (RedisResult[]?)await Db.ScriptEvaluateAsync(RedisScripts.Goodbye, [], [_prefix, NodeId])
                .WaitAsync(TimeSpan.FromSeconds(5), cancellationToken) ?? [];
            if (_frames is not null) await _frames.UnsubscribeAsync();
            if (_social is not null) await _social.UnsubscribeAsync();
            if (_calls is not null) await _calls.UnsubscribeAsync();
            foreach (var user in offline.Select(r => (long)r).Distinct()) await AnnounceAsync(user, Change.WentOffline);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // Without a goodbye, the others reap this node when its heartbeat expires.
            LogGoodbyeFailed(_logger, e);
        }
    }

    private readonly record struct Outgoing(long[] UserIds, ReadOnlyMemory<byte> Frame, long Except);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The outbox to other nodes is full ({Capacity} frames): frames for devices on other nodes are dropped (they will sync)")]
    private static partial void LogOutboxFull(ILogger logger, int capacity);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Publishing {Count} frames to other nodes failed; their devices will get the messages by syncing")]
    private static partial void LogPublishFailed(ILogger logger, Exception exception, int count);

    [LoggerMessage(Level = LogLevel.Error, Message = "An envelope from another node could not be read")]
    private static partial void LogEnvelopeFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Taking or giving back the parties of call {CallId} in Redis failed")]
    private static partial void LogClaimFailed(ILogger logger, Exception exception, long callId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Sending a call frame for device {ConnectionId} to another node failed")]
    private static partial void LogDeviceSendFailed(ILogger logger, Exception exception, long connectionId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Writing the route of user {UserId} to Redis failed; the next heartbeat retries")]
    private static partial void LogRouteFailed(ILogger logger, Exception exception, long userId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Reading presence from Redis failed; those users are shown offline")]
    private static partial void LogPresenceReadFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Broadcasting a change (rights, a revoked session) to other nodes failed; they see it when their caches expire")]
    private static partial void LogSocialFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The scale-out heartbeat failed")]
    private static partial void LogHeartbeatFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Node {NodeId} had been reaped while alive; writing its routes again")]
    private static partial void LogRejoined(ILogger logger, string nodeId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Announcing the presence of user {UserId} failed")]
    private static partial void LogAnnounceFailed(ILogger logger, Exception exception, long userId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Saying goodbye to the other nodes failed; they will reap this node when its heartbeat expires")]
    private static partial void LogGoodbyeFailed(ILogger logger, Exception exception);
}
