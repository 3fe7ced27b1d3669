using System.Net;
using System.Net.WebSockets;
using Parley.Client;
using Parley.IntegrationTests.Infrastructure;

namespace Parley.IntegrationTests.Security;

/// <summary>
/// Issue 11, item 2: one allowance of messages per user, drawn on by HTTP and every socket of theirs, and a cap on
/// a user's sockets. The allowance refills so slowly here (one message in 1,000 s) that nothing refills during a test.
/// </summary>
public sealed class PerUserLimitsTests
{
    private static readonly Parley.Server.Http.RateLimitOptions Defaults = new();

    private static Dictionary<string, string?> Limits(int burst) => new()
    {
        ["RateLimits:MessagesPerSecondPerUser"] = "0.001",
        ["RateLimits:MessageBurstPerUser"] = burst.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    [Fact]
    public async Task HttpAndEverySocketOfOneUserDrawOnOneMessageAllowance()
    {
        await using var server = await TestServer.StartAsync(Limits(burst: 10));
        using var alice = await server.NewUserAsync("alice");
        using var bob = await server.NewUserAsync("bob");
        await TestServer.MakeFriendsAsync(alice, bob);
        await using var phone = await ParleyRealtime.ConnectAsync(alice);
        await using var laptop = await ParleyRealtime.ConnectAsync(alice);
        var toBob = SendTarget.User(bob.UserId);

        for (var i = 0; i < 4; i++) await alice.SendMessageAsync(toBob, "text", $"http {i}");
        for (var i = 0; i < 3; i++) await phone.SendMessageAsync(toBob, "text", $"phone {i}");
        for (var i = 0; i < 3; i++) await laptop.SendMessageAsync(toBob, "text", $"laptop {i}");

        var overHttp = await Refused.WithAsync(HttpStatusCode.TooManyRequests, "rate_limited", () => alice.SendMessageAsync(toBob, "text", "one too many"));
        Assert.NotNull(overHttp.RetryAfter);
        var overSocket = await Assert.ThrowsAsync<ParleyRealtimeException>(() => phone.SendMessageAsync(toBob, "text", "one too many"));
        Assert.Equal("rate_limited", overSocket.Code);
        var overOtherSocket = await Assert.ThrowsAsync<ParleyRealtimeException>(() => laptop.SendMessageAsync(toBob, "text", "one too many"));
        Assert.Equal("rate_limited", overOtherSocket.Code);

        // Nothing refused was stored, the sockets stay open, and another user's allowance is their own.
        var conversationId = (await bob.SendMessageAsync(SendTarget.User(alice.UserId), "text", "bob still talks")).ConversationId;
        var history = await bob.GetMessagesAsync(conversationId);
        Assert.Equal(11, history.Count);
        Assert.Equal(WebSocketState.Open, phone.State);
        Assert.Equal("pong", (await laptop.RequestAsync("ping", null)).Type);
    }

    [Fact]
    public async Task TheDefaultBurstLetsAReconnectingClientSendAHundredQueuedMessagesAtOnce()
    {
        await using var server = await TestServer.StartAsync(new Dictionary<string, string?>
        {
            // The defaults (not the test server's high ones), and a frame budget that does not get in the way.
            ["RateLimits:MessagesPerSecondPerUser"] = Defaults.MessagesPerSecondPerUser.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["RateLimits:MessageBurstPerUser"] = Defaults.MessageBurstPerUser.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Gateway:FramesPerSecond"] = "100000",
        });
        using var alice = await server.NewUserAsync("alice");
        using var bob = await server.NewUserAsync("bob");
        await TestServer.MakeFriendsAsync(alice, bob);
        await using var device = await ParleyRealtime.ConnectAsync(alice);

        var acks = await Task.WhenAll(Enumerable.Range(0, 100)
            .Select(i => device.SendMessageAsync(SendTarget.User(bob.UserId), "text", $"queued {i}"))).WaitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(100, acks.Select(a => a.Seq).Distinct().Count());
    }

    [Fact]
    public async Task ASocketPastTheCapClosesTheUsersOldestWithAReason()
    {
        await using var server = await TestServer.StartAsync(new Dictionary<string, string?> { ["Gateway:MaxSocketsPerUser"] = "2" });
        using var alice = await server.NewUserAsync("alice");
        using var oldest = await OpenAsync(server, alice);
        await using var second = await ParleyRealtime.ConnectAsync(alice);
        await second.RequestAsync("ping", null);

        await using var newest = await ParleyRealtime.ConnectAsync(alice);
        await newest.RequestAsync("ping", null);

        var buffer = new byte[4096];
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        WebSocketReceiveResult received;
        do received = await oldest.ReceiveAsync(buffer, timeout.Token);
        while (received.MessageType != WebSocketMessageType.Close);
        Assert.Equal(WebSocketCloseStatus.PolicyViolation, oldest.CloseStatus);
        Assert.StartsWith("too many sockets", oldest.CloseStatusDescription, StringComparison.Ordinal);
        Assert.Equal("pong", (await second.RequestAsync("ping", null)).Type);
        Assert.Equal("pong", (await newest.RequestAsync("ping", null)).Type);
    }

    private static async Task<ClientWebSocket> OpenAsync(TestServer server, ParleyClient client)
    {
        var socket = new ClientWebSocket();
        socket.Options.SetRequestHeader("Authorization", $"Bearer {client.AccessToken}");
        await socket.ConnectAsync(new Uri(server.BaseAddress.ToString().Replace("http://", "ws://", StringComparison.Ordinal) + "ws"), CancellationToken.None);
        // Registered once it has an answer.
        await socket.SendAsync("{\"type\":\"ping\",\"id\":\"1\"}"u8.ToArray(), WebSocketMessageType.Text, true, CancellationToken.None);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await socket.ReceiveAsync(new byte[4096], timeout.Token);
        return socket;
    }
}
