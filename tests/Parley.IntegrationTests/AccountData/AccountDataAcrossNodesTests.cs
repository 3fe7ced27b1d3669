using System.Net.WebSockets;
using Parley.Client;
using Parley.IntegrationTests.Conversations;
using Parley.IntegrationTests.Infrastructure;
using Parley.IntegrationTests.ScaleOut;

namespace Parley.IntegrationTests.AccountData;

/// <summary>Two nodes: an account erased on one has its sockets closed on the other; a retention change reaches members on both.</summary>
public sealed class AccountDataAcrossNodesTests
{
    [Fact]
    public async Task AnAccountErasedOnOneNodeHasItsSocketOnTheOtherClosed()
    {
        await using var nodes = await TwoNodes.StartAsync();
        using var alice = await nodes.NewUserAsync("alice");
        await using var onA = await TwoNodes.ConnectAsync(alice.OnA);
        await onA.RequestAsync("ping", null);

        await alice.OnB.DeleteAccountAsync("correct horse 1");

        await onA.Closed.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(WebSocketCloseStatus.PolicyViolation, onA.CloseStatus);
        await Refused.WithAsync(System.Net.HttpStatusCode.Unauthorized, "unauthorized", () => alice.OnA.GetMeAsync());
    }

    [Fact]
    public async Task ADisappearingMessagesChangeOnOneNodeReachesMembersOnTheOther()
    {
        await using var nodes = await TwoNodes.StartAsync();
        using var alice = await nodes.NewUserAsync("alice");
        using var bob = await nodes.NewUserAsync("bob");
        await TestServer.MakeFriendsAsync(alice.OnA, bob.OnA);
        var first = await alice.OnA.SendMessageAsync(SendTarget.User(bob.Id), "text", "hi");
        await using var bobOnB = await TwoNodes.ConnectAsync(bob.OnB);
        await bobOnB.RequestAsync("ping", null);

        await alice.OnA.SetMessageTtlAsync(first.ConversationId, 30);

        var frame = await bobOnB.NextOfAsync("conversation.updated");
        Assert.Equal(30, frame.Data.GetProperty("messageTtlSeconds").GetInt32());
        var next = await bob.OnB.SendMessageAsync(SendTarget.User(alice.Id), "text", "short-lived");
        var stored = (await alice.OnA.GetMessagesAsync(first.ConversationId)).Single(m => m.Id == next.MessageId);
        Assert.Equal(stored.SentAt.AddSeconds(30), stored.ExpiresAt);
    }
}
