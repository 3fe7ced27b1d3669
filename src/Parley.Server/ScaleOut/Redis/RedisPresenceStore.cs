using System.Collections.Concurrent;
using StackExchange.Redis;

namespace Parley.Server.ScaleOut.Redis;

/// <summary>
/// Presence across nodes, and the routes the router reads. Redis holds per user the set of nodes where the user
/// has a device (<c>route:{user}</c>), written when a user's first device connects here and removed when their last
/// one leaves (and per node the set of its users, for its goodbye or its reaping). A user is online while some node
/// with a live heartbeat routes them. The heartbeat itself (renewal, reaping dead nodes, reconciling this node's
/// routes with its devices) is run by <see cref="RedisScaleOutService"/> through <see cref="HeartbeatAsync"/>, which
/// returns the presence changes it found for the service to announce.
/// </summary>
public sealed partial class RedisPresenceStore : IPresenceStore
{
    private readonly RedisNodeBus _bus;
    private readonly ILocalDelivery _local;
    private readonly ILogger<RedisPresenceStore> _logger;
    private readonly SemaphoreSlim[] _stripes = Enumerable.Range(0, 64).Select(_ => new SemaphoreSlim(1, 1)).ToArray();

    /// <summary>The users this node has told Redis it routes (it has, or had, a device of theirs).</summary>
    private readonly ConcurrentDictionary<long, byte> _attached = new();

    private volatile bool _gone;

    public RedisPresenceStore(RedisNodeBus bus, ILocalDelivery local, ILogger<RedisPresenceStore> logger)
    {
        _bus = bus;
        _local = local;
        _logger = logger;
    }

    public async ValueTask<bool> DeviceAddedAsync(long userId, bool firstHere) => await SyncAsync(userId) == Change.CameOnline;

    public async ValueTask<bool> DeviceRemovedAsync(long userId, bool lastHere) => await SyncAsync(userId) == Change.WentOffline;

    public async ValueTask<IReadOnlySet<long>> OnlineAsync(IReadOnlyCollection<long> userIds, CancellationToken cancellationToken)
    {
        var online = new HashSet<long>();
        var ask = new List<long>();
        foreach (var user in userIds)
        {
            // This node's own devices need no question.
            if (_local.HasDevices(user)) online.Add(user);
            else ask.Add(user);
        }
        if (ask.Count == 0) return online;
        try
        {
            var values = new RedisValue[ask.Count + 1];
            values[0] = _bus.Prefix;
            for (var i = 0; i < ask.Count; i++) values[i + 1] = ask[i];
            var flags = (RedisResult[]?)await _bus.Db.ScriptEvaluateAsync(RedisScripts.Online, [], values).WaitAsync(cancellationToken) ?? [];
            for (var i = 0; i < flags.Length && i < ask.Count; i++)
                if ((long)flags[i] == 1) online.Add(ask[i]);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogPresenceReadFailed(_logger, e);
        }
        return online;
    }

    private enum Change
    {
        None,
        CameOnline,
        WentOffline,
    }

    /// <summary>
    /// Makes Redis's routes for the user match this node's devices (one user at a time, in the order the changes
    /// happened): first device here → attach, last device gone → detach. Never throws.
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
            var result = (long)await _bus.Db.ScriptEvaluateAsync(here ? RedisScripts.Attach : RedisScripts.Detach, [], [_bus.Prefix, _bus.NodeId, userId]);
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

    /// <summary>
    /// One heartbeat: renews this node's, writes its routes again if it had been reaped while alive, reconciles its
    /// routes with its devices (a write that failed heals) and reaps nodes whose heartbeat expired. Returns who came
    /// online or went offline thereby (to be announced). Throws when Redis cannot be reached.
    /// </summary>
    public async Task<IReadOnlyList<(long UserId, bool Online)>> HeartbeatAsync()
    {
        var changes = new List<(long, bool)>();
        var db = _bus.Db;
        var forgotten = (long)await db.ScriptEvaluateAsync(RedisScripts.Heartbeat, [], [_bus.Prefix, _bus.NodeId, (long)_bus.Options.NodeTtl.TotalMilliseconds]);
        // Reaped while alive (a long pause, Redis restarted empty): every route of this node must be written again.
        if (forgotten == 1 && !_attached.IsEmpty)
        {
            LogRejoined(_logger, _bus.NodeId);
            _attached.Clear();
        }

        // Reconcile: routes that a failed write left behind, or that are missing.
        foreach (var user in _attached.Keys)
            if (!_local.HasDevices(user)) Note(changes, user, await SyncAsync(user));
        foreach (var user in _local.UserIds)
            if (!_attached.ContainsKey(user)) Note(changes, user, await SyncAsync(user));

        // Nodes that died without goodbye: their users with no device elsewhere are offline now.
        var offline = (RedisResult[]?)await db.ScriptEvaluateAsync(RedisScripts.Reap, [], [_bus.Prefix]) ?? [];
        foreach (var user in offline.Select(r => (long)r).Distinct())
            if (!_local.HasDevices(user)) changes.Add((user, false));
        return changes;
    }

    private static void Note(List<(long, bool)> changes, long userId, Change change)
    {
        if (change != Change.None) changes.Add((userId, change == Change.CameOnline));
    }

    /// <summary>This node leaves (graceful stop): its routes go; returns its users who thereby went offline everywhere. Throws when Redis cannot be reached.</summary>
    public async Task<IReadOnlyList<long>> GoodbyeAsync()
    {
        _gone = true;
        var offline = (RedisResult[]?)await _bus.Db.ScriptEvaluateAsync(RedisScripts.Goodbye, [], [_bus.Prefix, _bus.NodeId]) ?? [];
        return offline.Select(r => (long)r).Distinct().ToList();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Writing the route of user {UserId} to Redis failed; the next heartbeat retries")]
    private static partial void LogRouteFailed(ILogger logger, Exception exception, long userId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Reading presence from Redis failed; those users are shown offline")]
    private static partial void LogPresenceReadFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Node {NodeId} had been reaped while alive; writing its routes again")]
    private static partial void LogRejoined(ILogger logger, string nodeId);
}
