using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Parley.Server.ScaleOut;
using Parley.Server.ScaleOut.Redis;
using Parley.Server.Storage;
using StackExchange.Redis;

namespace Parley.IntegrationTests.ScaleOut.Contract;

/// <summary>
/// One node's Redis scale-out, built as the server builds it (bus, router, presence, relay, change feed and the
/// lifetime service that joins and leaves) over <see cref="RecordingDevices"/>, on the test run's real Redis
/// (PARLEY_TEST_REDIS: without it, or with Redis away, the test fails). Nodes of one test share a key prefix of
/// their own.
/// </summary>
internal sealed class RedisTestNode : IAsyncDisposable
{
    private readonly IConnectionMultiplexer _redis;
    private readonly RedisScaleOutService _lifetime;

    private RedisTestNode(IConnectionMultiplexer redis, string prefix, int worker)
    {
        _redis = redis;
        var options = Options.Create(new ScaleOutOptions
        {
            KeyPrefix = prefix,
            HeartbeatInterval = TimeSpan.FromMilliseconds(250),
            NodeTtl = TimeSpan.FromSeconds(5),
        });
        Bus = new RedisNodeBus(redis, new IdGenerator(worker, TimeProvider.System), options, NullLogger<RedisNodeBus>.Instance);
        Router = new RedisMessageRouter(Bus, Devices);
        Presence = new RedisPresenceStore(Bus, Devices, NullLogger<RedisPresenceStore>.Instance);
        Relay = new RedisCallRelay(Bus, Devices, NullLogger<RedisCallRelay>.Instance);
        Changes = new RedisChangeFeed(Bus, NullLogger<RedisChangeFeed>.Instance);
        _lifetime = new RedisScaleOutService(Bus, Presence, Router, Relay, Changes, new NoAnnouncements(), NullLogger<RedisScaleOutService>.Instance);
    }

    public RecordingDevices Devices { get; } = new();
    public RedisNodeBus Bus { get; }
    public RedisMessageRouter Router { get; }
    public RedisPresenceStore Presence { get; }
    public RedisCallRelay Relay { get; }
    public RedisChangeFeed Changes { get; }

    public ContractNode AsContractNode() => new(Router, Presence, Devices);

    public static string NewPrefix() => $"parley-contract-{Guid.NewGuid():N}:";

    /// <summary>Builds a node; <paramref name="beforeStart"/> subscribes to what must be heard from the start (as features do when they are built).</summary>
    public static async Task<RedisTestNode> StartAsync(string prefix, int worker, Action<RedisTestNode>? beforeStart = null)
    {
        var redis = await ConnectionMultiplexer.ConnectAsync(TwoNodes.Redis);
        var node = new RedisTestNode(redis, prefix, worker);
        beforeStart?.Invoke(node);
        await node._lifetime.StartAsync(CancellationToken.None);
        return node;
    }

    public async ValueTask DisposeAsync()
    {
        await _lifetime.StopAsync(CancellationToken.None);
        await _redis.CloseAsync();
        _redis.Dispose();
    }

    private sealed class NoAnnouncements : IPresenceAnnouncer
    {
        public Task CameOnlineAsync(long userId) => Task.CompletedTask;

        public Task WentOfflineAsync(long userId) => Task.CompletedTask;
    }
}
