using Parley.Client;
using Parley.IntegrationTests.Conversations;
using Parley.IntegrationTests.Infrastructure;

namespace Parley.IntegrationTests.MessageFeatures;

public sealed class TypingThrottleTests
{
    [Fact]
    public async Task TypingIsRelayedAtMostOncePerIntervalPerUserAndConversation()
    {
        // An interval far longer than the burst takes even on a busy machine (the default is 3 s): the test is about the
        // throttle, not the clock.
        await using var server = await TestServer.StartAsync(new Dictionary<string, string?> { ["Messaging:TypingInterval"] = "00:10:00" });
        var (alice, bob) = await server.FriendsAsync();
        var sent = await alice.TextAsync(SendTarget.User(bob.UserId), "hi");
        await using var alicePhone = await alice.DeviceAsync();
        await using var aliceLaptop = await alice.DeviceAsync();
        await using var bobPhone = await bob.DeviceAsync();

        var typing = $"{{\"type\":\"typing\",\"data\":{{\"conversationId\":\"{sent.ConversationId}\"}}}}";
        for (var i = 0; i < 5; i++)
        {
            await alicePhone.SendRawAsync(typing);
            await aliceLaptop.SendRawAsync(typing);
        }
        // Pings answered: every typing frame before them has been handled.
        await alicePhone.RequestAsync("ping", null);
        await aliceLaptop.RequestAsync("ping", null);
        var marker = await alice.TextAsync(SendTarget.User(bob.UserId), "marker");

        Assert.Equal("typing", (await bobPhone.NextOfAsync("typing", "msg.new")).Type);
        var next = await bobPhone.NextOfAsync("typing", "msg.new");
        Assert.Equal("msg.new", next.Type);
        Assert.Equal(marker.MessageId, next.Data.GetProperty("id").GetString());
    }
}
