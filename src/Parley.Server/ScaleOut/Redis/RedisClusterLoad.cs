using StackExchange.Redis;

namespace Parley.Server.ScaleOut.Redis;

/// <summary>
/// The cluster's load through Redis. Each node writes its socket count to <c>p load:{nodeId}</c> every heartbeat
/// interval, expiring after <see cref="ScaleOutOptions.NodeTtl"/> (a dead node's count goes with it); a read counts the
/// nodes whose heartbeat is live (<c>p nodes</c>), adds their counts, and counts the union of their presence sets
/// (<c>p users:{nodeId}</c>, written by <see cref="RedisPresenceStore"/>) for the online users. The reading node
/// writes its own count first, so its part is exact.
/// </summary>
public sealed partial class RedisClusterLoad(RedisNodeBus bus, INodeConnections connections, ILogger<RedisClusterLoad> logger)
    : BackgroundService, IClusterLoad
{
    private const string Read =
        "local t = redis.call('TIME') local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000) " +
        "local p, reader = ARGV[1], ARGV[2] " +
        "local nodes = redis.call('ZRANGEBYSCORE', p .. 'nodes', now, '+inf') " +
        "local connections, sets = 0, {} " +
        "for _, n in ipairs(nodes) do " +
        "  local c = redis.call('GET', p .. 'load:' .. n) if c then connections = connections + tonumber(c) end " +
        "  sets[#sets + 1] = p .. 'users:' .. n end " +
        "local online = 0 " +
        "if #sets > 0 then local tmp = p .. 'online:' .. reader " +
        "  redis.call('SUNIONSTORE', tmp, unpack(sets)) online = redis.call('SCARD', tmp) redis.call('DEL', tmp) end " +
        "return {#nodes, connections, online}";

    public async Task<ClusterLoad> ReadAsync(CancellationToken cancellationToken)
    {
        await PublishAsync();
        var result = (RedisResult[]?)await bus.Db.ScriptEvaluateAsync(Read, [], [bus.Prefix, bus.NodeId]).WaitAsync(cancellationToken) ?? [];
        return new ClusterLoad(OnlineUsers: (long)result[2], Connections: (long)result[1], Nodes: (long)result[0]);
    }

    private Task<bool> PublishAsync() =>
        bus.Db.StringSetAsync($"{bus.Options.KeyPrefix}load:{bus.NodeId}", connections.Count, bus.Options.NodeTtl);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(bus.Options.HeartbeatInterval);
        try
        {
            do
            {
                try
                {
                    await PublishAsync();
                }
                catch (Exception e) when (e is RedisException or TimeoutException)
                {
                    LogPublishFailed(logger, e);
                }
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping: the key expires with the node's heartbeat.
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Publishing this node's connection count to Redis failed; the next interval tries again")]
    private static partial void LogPublishFailed(ILogger logger, Exception exception);
}
