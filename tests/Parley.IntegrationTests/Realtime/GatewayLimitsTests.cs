using System.Net.WebSockets;
using Parley.Client;
using Parley.IntegrationTests.Infrastructure;

namespace Parley.IntegrationTests.Realtime;

/// <summary>The gateway's protections, each on a server configured with small limits so that they trip quickly.</summary>
public sealed class GatewayLimitsTests
{
    [Fact]
    public async Task AConnectionThatStopsAnsweringPingsIsClosed()
    {
        // Clocks long enough for a busy machine: a live device answers a ping within 5 s however loaded the machine is.
        var timeout = TimeSpan.FromSeconds(5);
        await using var server = await TestServer.StartAsync(new Dictionary<string, string?>
        {
            ["Gateway:KeepAliveInterval"] = "00:00:01",
            ["Gateway:KeepAliveTimeout"] = timeout.ToString(),
        });
        using var alice = await server.NewUserAsync();
        using var bob = await server.NewUserAsync();
        using var carol = await server.NewUserAsync();
        await TestServer.MakeFriendsAsync(alice, bob);
        await TestServer.MakeFriendsAsync(alice, carol);
        await using var watcher = await ParleyRealtime.ConnectAsync(alice);

        // A live device (its socket is read, so it answers pings); connected first, it outlives the dead one.
        await using var live = await ParleyRealtime.ConnectAsync(carol);
        Assert.True(await NextPresenceAsync(watcher, carol.UserId));

        // A device that went dead: it never reads, so it never answers the server's pings.
        using var dead = new ClientWebSocket();
        dead.Options.KeepAliveInterval = TimeSpan.Zero; // and sends no pongs of its own
        dead.Options.SetRequestHeader("Authorization", $"Bearer {bob.AccessToken}");
        await dead.ConnectAsync(new Uri($"ws://{server.BaseAddress.Authority}/ws"), CancellationToken.None);
        var connected = System.Diagnostics.Stopwatch.StartNew();
        Assert.True(await NextPresenceAsync(watcher, bob.UserId));

        // The server gives up on it once a ping has gone unanswered for the timeout (not sooner), and says it is offline.
        Assert.False(await NextPresenceAsync(watcher, bob.UserId, TimeSpan.FromSeconds(60)));
        Assert.True(connected.Elapsed >= timeout, $"closed after {connected.Elapsed}, before a ping could be {timeout} overdue");

        // The dead device's connection really is gone: reading it now ends (a close or a broken connection), it does not wait.
        var buffer = new byte[4096];
        using var giveUp = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        try
        {
            while ((await dead.ReceiveAsync(buffer, giveUp.Token)).MessageType != WebSocketMessageType.Close) { }
        }
        catch (WebSocketException)
        {
        }

        // The live device, connected longer and answering every ping, is still connected (and was never reported offline above).
        Assert.Equal(WebSocketState.Open, live.State);
        Assert.Equal("pong", (await live.RequestAsync("ping", null, TimeSpan.FromSeconds(30))).Type);
    }

    /// <summary>The next presence event about <paramref name="userId"/>: true when online. Anyone else going offline fails the test.</summary>
    private static async Task<bool> NextPresenceAsync(ParleyRealtime watcher, string userId, TimeSpan? timeout = null)
    {
        var wait = timeout ?? TimeSpan.FromSeconds(30);
        using var cancel = new CancellationTokenSource(wait);
        while (true)
        {
            ServerFrame e;
            try
            {
                e = await watcher.Events.ReadAsync(cancel.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"no presence event about user {userId} within {wait}");
            }
            if (e.Type != "presence") continue;
            var online = e.Data.GetProperty("online").GetBoolean();
            if (e.Data.GetProperty("userId").GetString() == userId) return online;
            Assert.True(online, $"someone else went offline: {e.Data}");
        }
    }

    [Fact]
    public async Task ASlowReaderIsCutOffWithoutSlowingTheSenderAndCatchesUpBySync()
    {
        await using var server = await TestServer.StartAsync(new Dictionary<string, string?>
        {
            ["Gateway:OutboxCapacity"] = "16",
            ["Gateway:FramesPerSecond"] = "100000",
        });
        using var alice = await server.NewUserAsync();
        using var bob = await server.NewUserAsync();
        await TestServer.MakeFriendsAsync(alice, bob);
        await using var sender = await ParleyRealtime.ConnectAsync(alice);

        using var slow = new ClientWebSocket();
        slow.Options.SetRequestHeader("Authorization", $"Bearer {bob.AccessToken}");
        await slow.ConnectAsync(new Uri($"ws://{server.BaseAddress.Authority}/ws"), CancellationToken.None);
        await sender.NextEventAsync("presence");

        // Big messages fill the socket buffers quickly; the slow device never reads.
        var text = new string('x', 3900);
        var acks = new List<MessageAck>();
        var cutOff = false;
        for (var i = 0; i < 3000 && !cutOff; i++)
        {
            acks.Add(await sender.SendMessageAsync(SendTarget.User(bob.UserId), "text", $"{i} {text}"));
            while (sender.Events.TryRead(out var e)) cutOff |= e.Type == "presence" && !e.Data.GetProperty("online").GetBoolean();
        }
        if (!cutOff) cutOff = !(await sender.NextEventAsync("presence", TimeSpan.FromSeconds(10))).Data.GetProperty("online").GetBoolean();
        Assert.True(cutOff, "the slow device was never disconnected");

        // Nothing was lost: the device reconnects and syncs everything the sender got an ack for.
        await using var again = await ParleyRealtime.ConnectAsync(bob);
        var syncing = again.RequestAsync("msg.sync", new { }, TimeSpan.FromSeconds(30));
        var seqs = new List<long>();
        while (seqs.Count < acks.Count)
        {
            var batch = await again.NextEventAsync("msg.batch", TimeSpan.FromSeconds(30));
            seqs.AddRange(batch.Data.GetProperty("messages").EnumerateArray().Select(m => m.GetProperty("seq").GetInt64()));
        }
        await syncing;
        Assert.Equal(acks.Select(a => a.Seq), seqs);
    }

    [Fact]
    public async Task AReplyLongerThanTheOutboxWaitsForRoomInsteadOfCuttingTheDeviceOff()
    {
        // An outbox of one frame and pages of five: the sync's twelve pages and its end each wait for the one before.
        await using var server = await TestServer.StartAsync(new Dictionary<string, string?>
        {
            ["Gateway:OutboxCapacity"] = "1",
            ["Messaging:MaxPage"] = "5",
        });
        using var alice = await server.NewUserAsync();
        using var bob = await server.NewUserAsync();
        await TestServer.MakeFriendsAsync(alice, bob);
        var acks = new List<MessageAck>();
        await using (var sender = await ParleyRealtime.ConnectAsync(alice))
        {
            for (var i = 0; i < 60; i++) acks.Add(await sender.SendMessageAsync(SendTarget.User(bob.UserId), "text", $"m{i}"));
        }

        await using var device = await ParleyRealtime.ConnectAsync(bob);
        var syncing = device.RequestAsync("msg.sync", new { }, TimeSpan.FromSeconds(30));
        var seqs = new List<long>();
        var batches = 0;
        while (seqs.Count < acks.Count)
        {
            var batch = await device.NextEventAsync("msg.batch", TimeSpan.FromSeconds(30));
            batches++;
            seqs.AddRange(batch.Data.GetProperty("messages").EnumerateArray().Select(m => m.GetProperty("seq").GetInt64()));
        }
        var done = await syncing;
        Assert.Equal(acks.Select(a => a.Seq), seqs);
        Assert.Equal(12, batches);
        Assert.Equal(60, done.Data.GetProperty("messages").GetInt32());
        // Still connected, and still answering.
        Assert.Equal(WebSocketState.Open, device.State);
        Assert.Equal("pong", (await device.RequestAsync("ping", null)).Type);
    }

    [Fact]
    public async Task AnOutboxOfNoFramesIsRefusedAtStart()
    {
        var error = await Assert.ThrowsAnyAsync<Exception>(() => TestServer.StartAsync(new Dictionary<string, string?>
        {
            ["Gateway:OutboxCapacity"] = "0",
        }));
        Assert.Contains("Gateway:OutboxCapacity", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AFloodOfFramesIsRefusedAndThenTheConnectionIsClosed()
    {
        await using var server = await TestServer.StartAsync(new Dictionary<string, string?>
        {
            ["Gateway:FramesPerSecond"] = "5",
            ["Gateway:MaxRejectedFrames"] = "20",
        });
        using var alice = await server.NewUserAsync();
        await using var socket = await ParleyRealtime.ConnectAsync(alice);
        for (var i = 0; i < 200 && socket.State == WebSocketState.Open; i++)
        {
            try
            {
                await socket.SendRawAsync($"{{\"type\":\"ping\",\"id\":\"f{i}\"}}");
            }
            catch (WebSocketException)
            {
                break;
            }
        }
        await socket.Closed.WaitAsync(TimeSpan.FromSeconds(10));
        var received = new List<ServerFrame>();
        while (socket.Events.TryRead(out var frame)) received.Add(frame);
        Assert.True(received.Any(f => f.Type == "error" && f.Data.GetProperty("code").GetString() == "rate_limited"),
            "no rate_limited error; got: " + string.Join(", ", received.Select(f => f.Type)) + $"; state {socket.State} {socket.CloseStatus}");
        Assert.Equal(WebSocketCloseStatus.PolicyViolation, socket.CloseStatus);
    }

    [Fact]
    public async Task TheSdkDeviceRetriesRateLimitedSendsUntilEachIsStored()
    {
        await using var server = await TestServer.StartAsync(new Dictionary<string, string?>
        {
            ["Gateway:FramesPerSecond"] = "10",
            ["Gateway:MaxRejectedFrames"] = "100000",
        });
        using var alice = await server.NewUserAsync();
        using var bob = await server.NewUserAsync();
        await TestServer.MakeFriendsAsync(alice, bob);
        await using var device = await ParleyChat.StartAsync(alice);

        var sends = Enumerable.Range(0, 60).Select(i => device.SendAsync(SendTarget.User(bob.UserId), "text", $"burst {i}")).ToList();
        var acks = await Task.WhenAll(sends).WaitAsync(TimeSpan.FromSeconds(60));
        Assert.Equal(Enumerable.Range(1, 60).Select(i => (long)i), acks.Select(a => a.Seq).Order());
        Assert.Equal(0, device.Unacked);
    }
}
