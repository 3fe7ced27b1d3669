using Microsoft.Extensions.DependencyInjection;
using Parley.Client;
using Parley.IntegrationTests.Infrastructure;
using Parley.IntegrationTests.ScaleOut;
using Parley.Server.Events;
using Parley.Server.Push;

namespace Parley.IntegrationTests.Push;

public sealed class PushFoldingAndPrivacyTests
{
    [Fact]
    public async Task ABurstInOneConversationFoldsIntoOneNotificationWithTheLatestPreview()
    {
        await using var receiver = await WebPushReceiver.StartAsync();
        // A window long enough that a burst sent at once falls inside it even on a busy machine.
        await using var server = await TestServer.StartAsync(new Dictionary<string, string?>(PushFixture.Settings) { ["Push:FoldWindow"] = "00:00:04" });
        var alice = await server.NewUserAsync("alice");
        var bob = await server.NewUserAsync("bob");
        await TestServer.MakeFriendsAsync(alice, bob);
        var browser = receiver.NewBrowser("bob");
        await browser.SubscribeAsync(bob);

        await using var device = await ParleyRealtime.ConnectAsync(alice);
        var sends = Enumerable.Range(1, 5).Select(i => device.SendMessageAsync(SendTarget.User(bob.UserId), "text", $"part {i}")).ToList();
        var acks = await Task.WhenAll(sends);

        var push = await browser.NextAsync();
        Assert.Equal(5, push.Payload.Count);
        Assert.Equal(acks.Max(a => a.Seq), push.Payload.Seq);
        Assert.Equal("part 5", push.Payload.Body);
        Assert.Equal(5, push.Payload.UnreadTotal);
    }

    [Fact]
    public async Task HideContentSendsNewMessageInsteadOfThePreview()
    {
        await using var receiver = await WebPushReceiver.StartAsync();
        await using var server = await TestServer.StartAsync(new Dictionary<string, string?>(PushFixture.Settings) { ["Push:HideContent"] = "true" });
        var alice = await server.NewUserAsync("alice");
        var bob = await server.NewUserAsync("bob");
        await TestServer.MakeFriendsAsync(alice, bob);
        var browser = receiver.NewBrowser("bob");
        await browser.SubscribeAsync(bob);

        await alice.SendMessageAsync(SendTarget.User(bob.UserId), "text", "the secret plan");
        var push = await browser.NextAsync();
        Assert.Equal("New message", push.Payload.Body);
        Assert.DoesNotContain(server.Log.Lines, l => l.Contains("the secret plan", StringComparison.Ordinal));
    }

    [Fact]
    public async Task AnFcmAddressIsHandedOnAsPushRequestedWithTheSameFields()
    {
        var heard = new PushRequestedRecorder();
        await using var server = await TestServer.StartAsync(PushFixture.Settings,
            builder => builder.Services.AddSingleton<IDomainEventHandler<PushRequested>>(heard));
        var alice = await server.NewUserAsync("alice");
        var bob = await server.NewUserAsync("bob");
        await TestServer.MakeFriendsAsync(alice, bob);
        var token = "fcm-" + Guid.NewGuid().ToString("N");
        await bob.SubscribeMobilePushAsync("fcm", token);

        var ack = await alice.SendMessageAsync(SendTarget.User(bob.UserId), "text", "to the phone");
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var requested = await heard.Events.Reader.ReadAsync(cancel.Token);
        Assert.Equal("fcm", requested.Kind);
        Assert.Equal(token, requested.Token);
        Assert.Equal(ack.ConversationId, requested.Payload.ConversationId);
        Assert.Equal("to the phone", requested.Payload.Body);
        Assert.Equal(1, requested.Payload.UnreadTotal);
    }

    private sealed class PushRequestedRecorder : IDomainEventHandler<PushRequested>
    {
        public System.Threading.Channels.Channel<PushRequested> Events { get; } = System.Threading.Channels.Channel.CreateUnbounded<PushRequested>();

        public ValueTask HandleAsync(PushRequested domainEvent, CancellationToken cancellationToken) => Events.Writer.WriteAsync(domainEvent, cancellationToken);
    }
}

/// <summary>Push with two nodes on PostgreSQL and Redis: one key for the cluster, presence across nodes, one notification per message.</summary>
public sealed class PushAcrossNodesTests
{
    [Fact]
    public async Task BothNodesSignWithOneKeyAndAMemberConnectedToTheOtherNodeIsNotPushed()
    {
        await using var receiver = await WebPushReceiver.StartAsync();
        await using var nodes = await TwoNodes.StartAsync(PushFixture.Settings);
        Assert.Equal(await nodes.A.NewClient().GetVapidPublicKeyAsync(), await nodes.B.NewClient().GetVapidPublicKeyAsync());

        var alice = await nodes.NewUserAsync("alice");
        var bob = await nodes.NewUserAsync("bob");
        await TestServer.MakeFriendsAsync(alice.OnA, bob.OnA);
        var browser = receiver.NewBrowser("bob");
        await browser.SubscribeAsync(bob.OnB);

        // Bob is connected to node B; Alice sends through node A, which stores the message and decides about push.
        var device = await TwoNodes.ConnectAsync(bob.OnB);
        await alice.OnA.SendMessageAsync(SendTarget.User(bob.OnA.UserId), "text", "you are on B");
        await device.NextEventAsync("msg.new");
        // Node A decides about push in its own loop, a moment after storing. Carol, never connected, is pushed a message
        // sent after Bob's: once hers arrives, node A has decided about Bob's too, while he was still connected.
        var carol = await nodes.NewUserAsync("carol");
        await TestServer.MakeFriendsAsync(alice.OnA, carol.OnA);
        var carolsBrowser = receiver.NewBrowser("carol");
        await carolsBrowser.SubscribeAsync(carol.OnA);
        await alice.OnA.SendMessageAsync(SendTarget.User(carol.OnA.UserId), "text", "for carol");
        Assert.Equal("for carol", (await carolsBrowser.NextAsync(TimeSpan.FromSeconds(60))).Payload.Body);
        await device.DisposeAsync();

        // Once Bob's last device is gone everywhere (node A sees him offline), the next message is pushed, once, signed
        // with the cluster's key. Waiting for that state rather than knocking again and again: on a busy machine a push
        // can take longer than any short wait, and a second knock would then arrive after the first one's push.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while ((await alice.OnA.GetFriendsAsync()).Single(f => f.UserId == bob.OnA.UserId).Online)
        {
            Assert.True(DateTime.UtcNow < deadline, "node A never saw Bob go offline");
            await Task.Delay(100);
        }
        await alice.OnA.SendMessageAsync(SendTarget.User(bob.OnA.UserId), "text", "knock");
        var push = await browser.NextAsync(TimeSpan.FromSeconds(60));
        Assert.Equal("knock", push.Payload.Body);
        Assert.Equal((await nodes.B.NewClient().GetVapidPublicKeyAsync()).PublicKey, push.VapidKey);
        Assert.Empty(receiver.Rejected);

        // Exactly one node sends each: a barrier message from the other node arrives next, with nothing in between.
        await bob.OnB.SendMessageAsync(SendTarget.User(alice.OnA.UserId), "text", "ping back");
        await alice.OnB.SendMessageAsync(SendTarget.User(bob.OnA.UserId), "text", "barrier");
        Assert.Equal("barrier", (await browser.NextAsync()).Payload.Body);
    }
}
