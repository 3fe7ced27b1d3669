using System.Net;
using System.Net.Http.Json;
using Parley.Client;
using Parley.IntegrationTests.Infrastructure;

namespace Parley.IntegrationTests.ScaleOut;

/// <summary>
/// Rate limits hold across the nodes with Redis (a client cannot get twice the budget from two nodes), and while
/// Redis cannot be reached each node counts alone and chat goes on (issue 11 item 2, issue 15 "Reverse proxies").
/// Allowances refill so slowly here (one in 1,000 s) that nothing refills during a test.
/// </summary>
public sealed class SharedLimitsTests
{
    private static Dictionary<string, string?> MessageLimits(int burst) => new()
    {
        ["RateLimits:MessagesPerSecondPerUser"] = "0.001",
        ["RateLimits:MessageBurstPerUser"] = burst.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    [Fact]
    public async Task OneUsersMessagesAreCountedOnceAcrossBothNodes()
    {
        await using var nodes = await TwoNodes.StartAsync(MessageLimits(burst: 10));
        using var alice = await nodes.NewUserAsync("alice");
        using var bob = await nodes.NewUserAsync("bob");
        await TestServer.MakeFriendsAsync(alice.OnA, bob.OnA);
        await using var laptopOnB = await TwoNodes.ConnectAsync(alice.OnB);
        var toBob = SendTarget.User(bob.Id);

        for (var i = 0; i < 5; i++) await alice.OnA.SendMessageAsync(toBob, "text", $"on A {i}");
        for (var i = 0; i < 5; i++) await laptopOnB.SendMessageAsync(toBob, "text", $"on B {i}");

        await Refused.WithAsync(HttpStatusCode.TooManyRequests, "rate_limited", () => alice.OnA.SendMessageAsync(toBob, "text", "too many on A"));
        await Refused.WithAsync(HttpStatusCode.TooManyRequests, "rate_limited", () => alice.OnB.SendMessageAsync(toBob, "text", "too many on B"));
        Assert.Equal("rate_limited", (await Assert.ThrowsAsync<ParleyRealtimeException>(() => laptopOnB.SendMessageAsync(toBob, "text", "too many"))).Code);
        await bob.OnB.SendMessageAsync(SendTarget.User(alice.Id), "text", "bob's allowance is his own");
    }

    [Fact]
    public async Task TheForwardedAddressOfAClientHasOneRegistrationBudgetAcrossBothNodes()
    {
        await using var nodes = await TwoNodes.StartAsync(new Dictionary<string, string?>
        {
            ["RateLimits:RegisterPerMinute"] = "4",
            ["ForwardedHeaders:KnownProxies:0"] = "127.0.0.1",
        });
        using var a = new HttpClient { BaseAddress = nodes.A.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
        using var b = new HttpClient { BaseAddress = nodes.B.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };

        Assert.Equal(HttpStatusCode.Created, await RegisterAsync(a, nodes.A, "198.51.100.7"));
        Assert.Equal(HttpStatusCode.Created, await RegisterAsync(b, nodes.A, "198.51.100.7"));
        Assert.Equal(HttpStatusCode.Created, await RegisterAsync(a, nodes.A, "198.51.100.7"));
        Assert.Equal(HttpStatusCode.Created, await RegisterAsync(b, nodes.A, "198.51.100.7"));

        Assert.Equal(HttpStatusCode.TooManyRequests, await RegisterAsync(a, nodes.A, "198.51.100.7"));
        Assert.Equal(HttpStatusCode.TooManyRequests, await RegisterAsync(b, nodes.A, "198.51.100.7"));
        // Another client behind the same proxy has a budget of its own.
        Assert.Equal(HttpStatusCode.Created, await RegisterAsync(b, nodes.A, "198.51.100.8"));
    }

    [Fact]
    public async Task WhileRedisCannotBeReachedEachNodeCountsAloneAndChatGoesOn()
    {
        // Both nodes reach Redis through a relay that the test cuts: from then on nothing listens where they look.
        await using var relay = new TcpRelay(TwoNodes.Redis);
        var settings = MessageLimits(burst: 6);
        settings["ConnectionStrings:Redis"] = relay.Endpoint;
        await using var nodes = await TwoNodes.StartAsync(settings);
        using var alice = await nodes.NewUserAsync("alice");
        using var bob = await nodes.NewUserAsync("bob");
        await TestServer.MakeFriendsAsync(alice.OnA, bob.OnA);
        var toBob = SendTarget.User(bob.Id);
        for (var i = 0; i < 2; i++) await alice.OnA.SendMessageAsync(toBob, "text", $"before {i}");

        relay.Cut();

        // Node A's own count saw the first two; node B's saw none. Together they let through more than the shared
        // budget would: the price of going on without Redis.
        for (var i = 0; i < 4; i++) await alice.OnA.SendMessageAsync(toBob, "text", $"on A without Redis {i}");
        await Refused.WithAsync(HttpStatusCode.TooManyRequests, "rate_limited", () => alice.OnA.SendMessageAsync(toBob, "text", "too many on A"));
        for (var i = 0; i < 6; i++) await alice.OnB.SendMessageAsync(toBob, "text", $"on B without Redis {i}");
        await Refused.WithAsync(HttpStatusCode.TooManyRequests, "rate_limited", () => alice.OnB.SendMessageAsync(toBob, "text", "too many on B"));

        var conversation = (await bob.OnA.SendMessageAsync(SendTarget.User(alice.Id), "text", "still here")).ConversationId;
        Assert.Equal(13, (await bob.OnB.GetMessagesAsync(conversation)).Count);

        // Stopping a node whose Redis went away waits for its outbox and goodbye to time out, which can outlast the
        // host's shutdown timeout on a busy machine; closing the connections first makes them fail at once, as when
        // a node dies (TwoNodes.StopBAsync does the same). Not what this test is about.
        foreach (var node in new[] { nodes.A, nodes.B })
            await ((StackExchange.Redis.IConnectionMultiplexer)node.Services.GetService(typeof(StackExchange.Redis.IConnectionMultiplexer))!)
                .CloseAsync(allowCommandsToComplete: false);
    }

    /// <param name="phones">The node whose counter makes the phone numbers (one for both, so that they never collide).</param>
    private static async Task<HttpStatusCode> RegisterAsync(HttpClient http, TestServer phones, string forwardedFor)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "api/v1/auth/register")
        {
            Content = JsonContent.Create(new { phone = phones.UniquePhone(), password = "correct horse 1", nickname = "someone" }),
        };
        request.Headers.Add("X-Forwarded-For", forwardedFor);
        using var response = await http.SendAsync(request);
        return response.StatusCode;
    }
}
