using Parley.Client;
using Parley.IntegrationTests.Infrastructure;

namespace Parley.IntegrationTests.ScaleOut;

/// <summary>
/// Delivery between nodes is best effort (a full outbox drops frames; a node can die between storing a message and
/// publishing it); what is stored is never lost to a device that stays connected: the device syncs the gap a later
/// message shows, and a resend of a message that another process stored is delivered again (docs/protocol.md, "Server to client (events)").
/// </summary>
public sealed class LostDeliveryTests
{
    [Fact]
    public async Task ADeviceThatMissesFramesBetweenNodesSyncsTheGapWithoutReconnecting()
    {
        // An outbox to the other node of one frame: a burst of messages on node B reaches node A only in part.
        await using var nodes = await TwoNodes.StartAsync(new Dictionary<string, string?> { ["ScaleOut:OutboxCapacity"] = "1" });
        var alice = await nodes.NewUserAsync("alice");
        var bob = await nodes.NewUserAsync("bob");
        await TestServer.MakeFriendsAsync(alice.OnA, bob.OnA);
        await using var bobOnA = await ParleyChat.StartAsync(bob.OnA);
        await using var aliceOnB = await TwoNodes.ConnectAsync(alice.OnB);

        const int burst = 60;
        var acks = await Task.WhenAll(Enumerable.Range(0, burst).Select(i => aliceOnB.SendMessageAsync(SendTarget.User(bob.Id), "text", $"burst {i}")));
        Assert.Contains(nodes.B.Log.Lines, line => line.Contains("outbox to other nodes is full", StringComparison.Ordinal));
        // One more, alone (the outbox has room for it): bob's device sees it skip ahead and syncs what lies between.
        var last = await aliceOnB.SendMessageAsync(SendTarget.User(bob.Id), "text", "after the burst");

        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var received = new List<MessageView>();
        while (received.Count < burst + 1) received.Add(await bobOnA.Messages.ReadAsync(deadline.Token));
        Assert.Equal(Enumerable.Range(1, burst + 1).Select(i => (long)i), received.Select(m => m.Seq).Order());
        Assert.Equal(acks.Select(a => a.MessageId).Append(last.MessageId).Order(), received.Select(m => m.Id).Order());
        Assert.Equal(0, bobOnA.Reconnects);
    }

    [Fact]
    public async Task AResendReachingANodeThatDidNotStoreTheMessageDeliversItAgainAndOneToTheNodeThatDidDoesNot()
    {
        await using var nodes = await TwoNodes.StartAsync();
        var alice = await nodes.NewUserAsync("alice");
        var bob = await nodes.NewUserAsync("bob");
        await TestServer.MakeFriendsAsync(alice.OnA, bob.OnA);
        await using var bobOnA = await TwoNodes.ConnectAsync(bob.OnA);

        var first = await alice.OnA.SendMessageAsync(SendTarget.User(bob.Id), "text", "stored on A", clientMsgId: "resent");
        Assert.Equal(first.MessageId, (await bobOnA.NextEventAsync("msg.new")).Data.GetProperty("id").GetString());

        // Node B did not store it: for all B knows, A died before delivering it, so B delivers it again (same id and seq).
        Assert.Equal(first, await alice.OnB.SendMessageAsync(SendTarget.User(bob.Id), "text", "stored on A", clientMsgId: "resent"));
        var again = await bobOnA.NextEventAsync("msg.new");
        Assert.Equal(first.MessageId, again.Data.GetProperty("id").GetString());
        Assert.Equal(first.Seq, again.Data.GetProperty("seq").GetInt64());

        // Node A stored and delivered it itself: a resend there gets the ack and nothing more, so bob's next msg.new is the next message.
        Assert.Equal(first, await alice.OnA.SendMessageAsync(SendTarget.User(bob.Id), "text", "stored on A", clientMsgId: "resent"));
        var next = await alice.OnA.SendMessageAsync(SendTarget.User(bob.Id), "text", "next");
        Assert.Equal(next.MessageId, (await bobOnA.NextEventAsync("msg.new")).Data.GetProperty("id").GetString());
    }
}
