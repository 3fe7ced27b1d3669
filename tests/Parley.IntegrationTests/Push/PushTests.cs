using System.Buffers.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Parley.Client;
using Parley.IntegrationTests.Infrastructure;
using Parley.Server.Storage;

namespace Parley.IntegrationTests.Push;

/// <summary>
/// A server that pushes to the test's own push service (<see cref="WebPushReceiver"/>) on loopback. Fold windows are
/// off and sends go one at a time, so notifications arrive in the order their messages were stored: a later
/// notification to the same browser is then proof that an earlier one was not sent.
/// </summary>
public sealed class PushFixture : IAsyncLifetime
{
    public static readonly Dictionary<string, string?> Settings = new()
    {
        ["Push:AllowLoopbackEndpoints"] = "true",
        ["Push:FoldWindow"] = "00:00:00",
        ["Push:MaxConcurrentSends"] = "1",
    };

    public TestServer Server { get; private set; } = null!;
    public WebPushReceiver Receiver { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Receiver = await WebPushReceiver.StartAsync();
        Server = await TestServer.StartAsync(Settings);
    }

    public async Task DisposeAsync()
    {
        await Server.DisposeAsync();
        await Receiver.DisposeAsync();
    }
}

public sealed class PushTests(PushFixture fixture) : IClassFixture<PushFixture>
{
    private TestServer Server => fixture.Server;
    private WebPushReceiver Receiver => fixture.Receiver;

    private async Task<(ParleyClient Alice, ParleyClient Bob, WebPushReceiver.Browser BobsBrowser)> FriendsWithBobSubscribedAsync()
    {
        var alice = await Server.NewUserAsync("alice");
        var bob = await Server.NewUserAsync("bob");
        await TestServer.MakeFriendsAsync(alice, bob);
        var browser = Receiver.NewBrowser("bob");
        await browser.SubscribeAsync(bob);
        return (alice, bob, browser);
    }

    [Fact]
    public async Task TheVapidPublicKeyIsAP256PointThatStaysTheSame()
    {
        var first = await Server.NewClient().GetVapidPublicKeyAsync();
        var again = await Server.NewClient().GetVapidPublicKeyAsync();
        var point = Base64Url.DecodeFromChars(first.PublicKey);
        Assert.Equal(65, point.Length);
        Assert.Equal(4, point[0]);
        Assert.DoesNotContain('=', first.PublicKey);
        Assert.Equal(first, again);
    }

    [Fact]
    public async Task AMessageForAMemberWithNoConnectedDeviceArrivesAsAnEncryptedSignedWebPush()
    {
        var (alice, bob, browser) = await FriendsWithBobSubscribedAsync();
        var ack = await alice.SendMessageAsync(SendTarget.User(bob.UserId), "text", "lunch at noon?");

        var push = await browser.NextAsync();
        Assert.Equal("message", push.Payload.Type);
        Assert.Equal(ack.ConversationId, push.Payload.ConversationId);
        Assert.Equal(ack.Seq, push.Payload.Seq);
        Assert.Equal("alice", push.Payload.Title);
        Assert.Equal("lunch at noon?", push.Payload.Body);
        Assert.Equal(1, push.Payload.UnreadTotal);
        Assert.Equal((await Server.NewClient().GetVapidPublicKeyAsync()).PublicKey, push.VapidKey);
        Assert.Contains(push.Urgency, new[] { "", "normal" }); // RFC 8030: no Urgency header means normal
        Assert.True(push.TimeToLive > 0);
        Assert.Equal("c" + ack.ConversationId, push.Topic);
        Assert.Empty(Receiver.Rejected);
    }

    [Fact]
    public async Task AConnectedMemberIsNotPushedButIsOnceTheirLastDeviceHasGone()
    {
        var (alice, bob, browser) = await FriendsWithBobSubscribedAsync();
        var device = await ParleyRealtime.ConnectAsync(bob);
        await device.RequestAsync("ping", null);
        await alice.SendMessageAsync(SendTarget.User(bob.UserId), "text", "you are here");
        await device.NextEventAsync("msg.new");
        await device.DisposeAsync();
        // Offline now (the server's presence is updated when the socket has closed): wait until a push comes, then it must be the later one.
        var later = await SendUntilPushedAsync(alice, bob, browser);
        Assert.NotEqual("you are here", later.Payload.Body);
    }

    [Fact]
    public async Task AMutedConversationProducesNoPush()
    {
        var (alice, bob, browser) = await FriendsWithBobSubscribedAsync();
        var first = await alice.SendMessageAsync(SendTarget.User(bob.UserId), "text", "one");
        Assert.Equal("one", (await browser.NextAsync()).Payload.Body);
        await bob.UpdateConversationAsync(first.ConversationId, muted: true);
        await alice.SendMessageAsync(SendTarget.User(bob.UserId), "text", "muted");

        // The barrier: a message in another conversation, stored after it, is pushed; the muted one before it never was.
        var carol = await Server.NewUserAsync("carol");
        await TestServer.MakeFriendsAsync(carol, bob);
        await carol.SendMessageAsync(SendTarget.User(bob.UserId), "text", "from carol");
        Assert.Equal("from carol", (await browser.NextAsync()).Payload.Body);
    }

    [Fact]
    public async Task ABlockedSenderInAGroupProducesNoPush()
    {
        var (alice, bob, browser) = await FriendsWithBobSubscribedAsync();
        var carol = await Server.NewUserAsync("carol");
        await TestServer.MakeFriendsAsync(alice, carol);
        var group = await alice.CreateGroupAsync("trio", [bob.UserId, carol.UserId], joinApproval: true);
        await bob.BlockAsync(carol.UserId);
        await carol.SendMessageAsync(SendTarget.Group(group.Id), "text", "from the blocked");
        await alice.SendMessageAsync(SendTarget.Group(group.Id), "text", "from alice");

        var push = await browser.NextAsync();
        Assert.Equal("trio", push.Payload.Title);
        Assert.Equal("alice: from alice", push.Payload.Body);
    }

    [Fact]
    public async Task TheSendersOwnDevicesAreNotPushed()
    {
        var (alice, bob, bobsBrowser) = await FriendsWithBobSubscribedAsync();
        var alicesBrowser = Receiver.NewBrowser("alice");
        await alicesBrowser.SubscribeAsync(alice);
        await alice.SendMessageAsync(SendTarget.User(bob.UserId), "text", "mine");
        Assert.Equal("mine", (await bobsBrowser.NextAsync()).Payload.Body);

        await bob.SendMessageAsync(SendTarget.User(alice.UserId), "text", "reply");
        var alices = await alicesBrowser.NextAsync();
        Assert.Equal("reply", alices.Payload.Body);
        Assert.Equal("bob", alices.Payload.Title);
    }

    [Fact]
    public async Task ASubscriptionThePushServiceCallsGoneIsDropped()
    {
        var (alice, bob, browser) = await FriendsWithBobSubscribedAsync();
        browser.Gone = true;
        await alice.SendMessageAsync(SendTarget.User(bob.UserId), "text", "into the void");
        await EventuallyAsync(async () =>
        {
            await using var scope = Server.Services.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<ParleyDb>();
            return !await db.PushSubscriptions.AnyAsync(s => s.Address == browser.Endpoint.AbsoluteUri);
        }, "the gone subscription to be dropped");
        Assert.Equal(1, browser.Requests);
    }

    [Fact]
    public async Task LoggingOutEndsTheDevicesPushes()
    {
        var (alice, bob, browser) = await FriendsWithBobSubscribedAsync();
        var otherBrowser = Receiver.NewBrowser("bob-phone");
        var phone = Server.NewClient();
        await phone.LoginAsync(bob.Session!.User.Phone!, "correct horse 1");
        await otherBrowser.SubscribeAsync(phone);
        await bob.LogoutAsync();

        await alice.SendMessageAsync(SendTarget.User(bob.UserId), "text", "after logout");
        Assert.Equal("after logout", (await otherBrowser.NextAsync()).Payload.Body);
        await alice.SendMessageAsync(SendTarget.User(bob.UserId), "text", "second");
        Assert.Equal("second", (await otherBrowser.NextAsync()).Payload.Body);
        Assert.Equal(0, browser.Requests);
    }

    [Fact]
    public async Task DeletingTheAccountDropsItsPushAddresses()
    {
        var (_, bob, browser) = await FriendsWithBobSubscribedAsync();
        await bob.DeleteAccountAsync("correct horse 1");
        await using var scope = Server.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ParleyDb>();
        Assert.False(await db.PushSubscriptions.AnyAsync(s => s.Address == browser.Endpoint.AbsoluteUri));
    }

    [Fact]
    public async Task UnsubscribingStopsThePushes()
    {
        var (alice, bob, browser) = await FriendsWithBobSubscribedAsync();
        await bob.UnsubscribePushAsync(browser.Endpoint.ToString());
        var other = Receiver.NewBrowser("bob-other");
        await other.SubscribeAsync(bob);
        await alice.SendMessageAsync(SendTarget.User(bob.UserId), "text", "hello");
        Assert.Equal("hello", (await other.NextAsync()).Payload.Body);
        Assert.Equal(0, browser.Requests);
    }

    [Fact]
    public async Task ACallToAUserWithNoConnectedDeviceRingsThroughPush()
    {
        var (alice, bob, browser) = await FriendsWithBobSubscribedAsync();
        await using var caller = await ParleyRealtime.ConnectAsync(alice);
        var callId = await caller.InviteCallAsync(bob.UserId, "video");

        var push = await browser.NextAsync();
        Assert.Equal("call", push.Payload.Type);
        Assert.Equal(callId, push.Payload.CallId);
        Assert.Equal("alice", push.Payload.Title);
        Assert.Equal("Incoming video call", push.Payload.Body);
        Assert.Equal("high", push.Urgency);
    }

    [Fact]
    public async Task AnFcmTokenIsKeptAndReplacingItIsNotAnError()
    {
        var bob = await Server.NewUserAsync("bob");
        var first = await bob.SubscribeMobilePushAsync("fcm", "fcm-token-" + Guid.NewGuid().ToString("N"));
        Assert.Equal("fcm", first.Kind);
        var again = await bob.SubscribeMobilePushAsync("fcm", "fcm-token-" + Guid.NewGuid().ToString("N"));
        Assert.NotEqual(first.Id, again.Id);
    }

    [Theory]
    [InlineData("http://push.example.com/send/1", "invalid_push_endpoint")]
    [InlineData("https://10.1.2.3/send/1", "invalid_push_endpoint")]
    [InlineData("https://169.254.169.254/latest/meta-data", "invalid_push_endpoint")]
    [InlineData("https://[fd00::1]/send", "invalid_push_endpoint")]
    [InlineData("ftp://127.0.0.1/x", "invalid_push_endpoint")]
    [InlineData("not a url", "invalid_push_endpoint")]
    public async Task AnEndpointThatIsNotHttpsOnAPublicAddressIsRefused(string endpoint, string code)
    {
        var bob = await Server.NewUserAsync("bob");
        var browser = Receiver.NewBrowser("keys");
        var error = await Assert.ThrowsAsync<ParleyApiException>(() => bob.SubscribeWebPushAsync(endpoint, browser.P256dh, browser.Auth));
        Assert.Equal(400, (int)error.Status);
        Assert.Equal(code, error.Code);
    }

    [Fact]
    public async Task BadKeysAndUnknownKindsAreRefused()
    {
        var bob = await Server.NewUserAsync("bob");
        var browser = Receiver.NewBrowser("bad");
        var badKey = await Assert.ThrowsAsync<ParleyApiException>(() => bob.SubscribeWebPushAsync(browser.Endpoint.ToString(), "AAAA", browser.Auth));
        Assert.Equal("validation_failed", badKey.Code);
        var badAuth = await Assert.ThrowsAsync<ParleyApiException>(() => bob.SubscribeWebPushAsync(browser.Endpoint.ToString(), browser.P256dh, "not-base64!"));
        Assert.Equal("validation_failed", badAuth.Code);
        var kind = await Assert.ThrowsAsync<ParleyApiException>(() => bob.SubscribeMobilePushAsync("carrier-pigeon", "x"));
        Assert.Equal("validation_failed", kind.Code);
        var response = await Server.NewClient().SendRawAsync(HttpMethod.Post, "api/v1/push/subscriptions", new { kind = "fcm", token = "t" }, authenticated: false);
        Assert.Equal(401, (int)response.StatusCode);
    }

    /// <summary>Waits (up to 20 s, checking every 100 ms) for <paramref name="condition"/>; fails with <paramref name="what"/>.</summary>
    private static async Task EventuallyAsync(Func<Task<bool>> condition, string what)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline) Assert.Fail($"Timed out waiting for {what}.");
            await Task.Delay(100);
        }
    }

    private static async Task<ReceivedPush> SendUntilPushedAsync(ParleyClient alice, ParleyClient bob, WebPushReceiver.Browser browser)
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        for (var i = 0; ; i++)
        {
            await alice.SendMessageAsync(SendTarget.User(bob.UserId), "text", $"knock {i}");
            try
            {
                return await browser.NextAsync(TimeSpan.FromSeconds(2));
            }
            catch (TimeoutException) when (!deadline.IsCancellationRequested)
            {
            }
        }
    }
}
