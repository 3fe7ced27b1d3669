using Parley.Client;
using Parley.IntegrationTests.Infrastructure;

namespace Parley.IntegrationTests.ScaleOut;

/// <summary>Edits and reactions made on one node reach devices on the other (through the router, like msg.new).</summary>
public sealed class MessageFeaturesAcrossNodesTests
{
    [Fact]
    public async Task AnEditAndAReactionOnOneNodeReachDevicesOnTheOther()
    {
        await using var nodes = await TwoNodes.StartAsync();
        var alice = await nodes.NewUserAsync("alice");
        var bob = await nodes.NewUserAsync("bob");
        await TestServer.MakeFriendsAsync(alice.OnA, bob.OnA);
        await using var aliceLaptop = await TwoNodes.ConnectAsync(alice.OnA);
        await using var bobPhone = await TwoNodes.ConnectAsync(bob.OnA);
        var sent = await alice.OnB.SendMessageAsync(SendTarget.User(bob.Id), "text", "typo heer");
        await bobPhone.NextEventAsync("msg.new");

        await alice.OnB.EditMessageAsync(sent.ConversationId, sent.MessageId, "typo here");
        foreach (var device in new[] { aliceLaptop, bobPhone })
        {
            var edited = await device.NextEventAsync("msg.edited");
            Assert.Equal(sent.MessageId, edited.Data.GetProperty("messageId").GetString());
            Assert.Equal("typo here", edited.Data.GetProperty("content").GetString());
        }

        await bob.OnB.AddReactionAsync(sent.ConversationId, sent.MessageId, "👍");
        var reaction = await aliceLaptop.NextEventAsync("msg.reaction");
        Assert.Equal(bob.Id, reaction.Data.GetProperty("userId").GetString());
        Assert.True(reaction.Data.GetProperty("added").GetBoolean());
    }
}
