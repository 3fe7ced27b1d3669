using System.Text.Json;
using Parley.Client;
using Parley.IntegrationTests.Infrastructure;

namespace Parley.IntegrationTests.Calls;

/// <summary>Calls live in memory; a server that dies (SIGKILL) or stops (SIGTERM) mid-call still leaves a <c>dropped</c> record.</summary>
public sealed class CallRestartTests : IAsyncLifetime
{
    private readonly RestartableServer _host = new();

    public Task InitializeAsync() => _host.InitializeAsync();

    public Task DisposeAsync() => _host.DisposeAsync();

    private sealed record Live(string AlicePhone, string ConversationId, string ConnectedCall, string RingingCall);

    /// <summary>Alice in a connected call with bob, and carol's call to dave still ringing.</summary>
    private static async Task<(Live Live, List<IAsyncDisposable> Sockets)> StartCallsAsync(Uri server)
    {
        var (alice, bob) = await RestartableServer.FriendsAsync(server, "call me maybe");
        var (carol, dave) = await RestartableServer.FriendsAsync(server, "call me maybe");
        var conversationId = (await alice.SendMessageAsync(SendTarget.User(bob.UserId), "text", "calling you")).ConversationId;
        var alicePhone = await ParleyRealtime.ConnectAsync(alice);
        var bobPhone = await ParleyRealtime.ConnectAsync(bob);
        var carolPhone = await ParleyRealtime.ConnectAsync(carol);
        var connected = await alicePhone.InviteCallAsync(bob.UserId, "video");
        await bobPhone.AcceptCallAsync(connected);
        await alicePhone.NextEventAsync("call.accepted");
        var ringing = await carolPhone.InviteCallAsync(dave.UserId, "audio");
        return (new Live(alice.Session!.User.Phone!, conversationId, connected, ringing), [alicePhone, bobPhone, carolPhone]);
    }

    private static async Task<JsonElement> RecordAsync(ParleyClient client, string conversationId, string callId)
    {
        var message = Assert.Single(await client.GetMessagesAsync(conversationId), m => m.ClientMsgId == $"call:{callId}");
        Assert.Equal("call", message.Type);
        return message.Content;
    }

    [Fact]
    public async Task CallsLiveWhenTheServerIsKilledAreRecordedAsDroppedAtTheNextStart()
    {
        Live live;
        await using (var server = await _host.StartAsync())
        {
            var (started, sockets) = await StartCallsAsync(server.BaseAddress);
            live = started;
            server.Kill();
            foreach (var socket in sockets) await socket.DisposeAsync();
        }

        await using var restarted = await _host.StartAsync();
        using var alice = new ParleyClient(restarted.BaseAddress);
        await alice.LoginAsync(live.AlicePhone, "call me maybe");
        var record = await RecordAsync(alice, live.ConversationId, live.ConnectedCall);
        Assert.Equal("dropped", record.GetProperty("endReason").GetString());
        Assert.Equal("video", record.GetProperty("media").GetString());
        Assert.Equal(alice.UserId, record.GetProperty("initiatorId").GetString());
        // It was accepted before the kill: the record has its start, and a duration up to the restart.
        Assert.True(record.TryGetProperty("startedAt", out _));
        Assert.True(record.GetProperty("durationMs").GetInt64() >= 0);
        Assert.Contains("Recording 2 calls that were live", restarted.Output, StringComparison.Ordinal);

        // Recorded once: a second start finds nothing left over.
        await restarted.TerminateAsync(TimeSpan.FromSeconds(30));
        await using var again = await _host.StartAsync();
        Assert.DoesNotContain("calls that were live", again.Output, StringComparison.Ordinal);
        using var aliceAgain = new ParleyClient(again.BaseAddress);
        await aliceAgain.LoginAsync(live.AlicePhone, "call me maybe");
        Assert.Single(await aliceAgain.GetMessagesAsync(live.ConversationId), m => m.Type == "call");
    }

    [Fact]
    public async Task CallsLiveAtAGracefulStopAreRecordedAsDroppedBeforeTheServerExits()
    {
        Live live;
        await using (var server = await _host.StartAsync())
        {
            var (started, sockets) = await StartCallsAsync(server.BaseAddress);
            live = started;
            Assert.Equal(0, await server.TerminateAsync(TimeSpan.FromSeconds(30)));
            foreach (var socket in sockets) await socket.DisposeAsync();
        }

        await using var restarted = await _host.StartAsync();
        // Recorded at the stop, so nothing was left for the start to do.
        Assert.DoesNotContain("calls that were live", restarted.Output, StringComparison.Ordinal);
        using var alice = new ParleyClient(restarted.BaseAddress);
        await alice.LoginAsync(live.AlicePhone, "call me maybe");
        var record = await RecordAsync(alice, live.ConversationId, live.ConnectedCall);
        Assert.Equal("dropped", record.GetProperty("endReason").GetString());
        Assert.True(record.TryGetProperty("startedAt", out _));
    }
}
