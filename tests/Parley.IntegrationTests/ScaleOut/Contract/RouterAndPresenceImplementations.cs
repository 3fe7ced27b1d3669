using Parley.Server.ScaleOut;

namespace Parley.IntegrationTests.ScaleOut.Contract;

/// <summary>The contract on one node, in memory (no Redis).</summary>
public sealed class InMemoryRouterAndPresenceTests : RouterAndPresenceContract
{
    private protected override Task<(ContractNode Publisher, ContractNode Holder)> StartNodesAsync()
    {
        var devices = new RecordingDevices();
        var node = new ContractNode(new InMemoryMessageRouter(devices), new InMemoryPresenceStore(devices), devices);
        return Task.FromResult((node, node));
    }

    protected override Task StopNodesAsync() => Task.CompletedTask;
}

/// <summary>The contract on one node of a Redis cluster of two: the devices are on the publisher's node.</summary>
public sealed class RedisSameNodeRouterAndPresenceTests : RouterAndPresenceContract
{
    private RedisTestNode? _node;
    private RedisTestNode? _other;

    private protected override async Task<(ContractNode Publisher, ContractNode Holder)> StartNodesAsync()
    {
        var prefix = RedisTestNode.NewPrefix();
        _node = await RedisTestNode.StartAsync(prefix, worker: 1);
        _other = await RedisTestNode.StartAsync(prefix, worker: 2);
        return (_node.AsContractNode(), _node.AsContractNode());
    }

    protected override async Task StopNodesAsync()
    {
        if (_other is not null) await _other.DisposeAsync();
        if (_node is not null) await _node.DisposeAsync();
    }
}

/// <summary>The contract across two nodes sharing Redis: frames published on one reach devices on the other.</summary>
public sealed class RedisAcrossNodesRouterAndPresenceTests : RouterAndPresenceContract
{
    private RedisTestNode? _publisher;
    private RedisTestNode? _holder;

    private protected override async Task<(ContractNode Publisher, ContractNode Holder)> StartNodesAsync()
    {
        var prefix = RedisTestNode.NewPrefix();
        _publisher = await RedisTestNode.StartAsync(prefix, worker: 1);
        _holder = await RedisTestNode.StartAsync(prefix, worker: 2, node =>
            node.Changes.Subscribe("test.change", id => node.Devices.Log.Enqueue($"change {id}")));
        return (_publisher.AsContractNode(), _holder.AsContractNode());
    }

    protected override async Task StopNodesAsync()
    {
        if (_holder is not null) await _holder.DisposeAsync();
        if (_publisher is not null) await _publisher.DisposeAsync();
    }

    /// <summary>
    /// The change feed shares the router's ordered stream: on the receiving node a change is applied before any
    /// frame published after it is delivered (what keeps a removed friend from posting after friend.removed).
    /// </summary>
    [Fact]
    public async Task AChangeIsAppliedBeforeTheFramesPublishedAfterIt()
    {
        var ann = NewUser();
        var phone = await ConnectAsync(Holder, ann);

        const int rounds = 300;
        for (var i = 0; i < rounds; i++)
        {
            _publisher!.Changes.Publish("test.change", i);
            Publisher.Router.Publish([ann], Frame($"after {i}"));
        }
        for (var i = 0; i < rounds; i++) Assert.Equal($"after {i}", await phone.NextAsync());

        var expected = Enumerable.Range(0, rounds).SelectMany(i => new[] { $"change {i}", $"frame {phone.Id} after {i}" });
        Assert.Equal(expected, _holder!.Devices.Log);
    }

    /// <summary>A change is for the other nodes: the publishing node has applied it already and does not hear it back.</summary>
    [Fact]
    public async Task AChangeIsNotHeardBackByItsPublisher()
    {
        var heard = new List<long>();
        var prefix = RedisTestNode.NewPrefix();
        await using var a = await RedisTestNode.StartAsync(prefix, worker: 3, node => node.Changes.Subscribe("test.change", id => { lock (heard) heard.Add(id); }));
        await using var b = await RedisTestNode.StartAsync(prefix, worker: 4, node =>
            node.Changes.Subscribe("test.change", id => node.Devices.Log.Enqueue($"change {id}")));
        var ann = NewUser();
        var (device, first) = b.Devices.Add(ann);
        await b.Presence.DeviceAddedAsync(ann, first);

        a.Changes.Publish("test.change", 1);
        a.Router.Publish([ann], Frame("after"));
        Assert.Equal("after", await device.NextAsync());
        Assert.Equal(["change 1", $"frame {device.Id} after"], b.Devices.Log);

        // And the other way: what b publishes, a hears, and b does not.
        b.Changes.Publish("test.change", 2);
        var (aDevice, aFirst) = a.Devices.Add(ann);
        await a.Presence.DeviceAddedAsync(ann, aFirst);
        b.Router.Publish([ann], Frame("to a"));
        Assert.Equal("to a", await aDevice.NextAsync());
        lock (heard) Assert.Equal([2L], heard);
        Assert.DoesNotContain("change 2", b.Devices.Log);
    }
}
