using System.Net;
using Parley.Client;
using Parley.IntegrationTests.Groups;
using Parley.IntegrationTests.Infrastructure;

namespace Parley.IntegrationTests.Conversations;

public sealed class ReadStateTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private readonly TestServer _server = fixture.Server;

    [Fact]
    public async Task ReadingOnOneDeviceMovesTheCountsAndTellsThePeerAndMyOtherDevices()
    {
        var (alice, bob) = await _server.FriendsAsync();
        await using var alicePhone = await ParleyRealtime.ConnectAsync(alice);
        await using var aliceLaptop = await ParleyRealtime.ConnectAsync(alice);
        await using var bobPhone = await ParleyRealtime.ConnectAsync(bob);

        MessageAck last = null!;
        for (var i = 1; i <= 3; i++) last = await bob.SendMessageAsync(SendTarget.User(alice.UserId), "text", $"m{i}");
        var row = await alice.GetConversationAsync(last.ConversationId);
        Assert.Equal((3L, 0L, 3L), (row.LastSeq, row.ReadSeq, row.UnreadCount));
        // The sender's own pointer moves with their sends, so their count is only the others' messages.
        Assert.Equal(0, (await bob.GetConversationAsync(last.ConversationId)).UnreadCount);

        Assert.Equal(2, await alicePhone.MarkReadAsync(last.ConversationId, 2));
        foreach (var device in new[] { aliceLaptop, bobPhone })
        {
            var receipt = await device.NextEventAsync("msg.read");
            Assert.Equal(last.ConversationId, receipt.Data.GetProperty("conversationId").GetString());
            Assert.Equal(alice.UserId, receipt.Data.GetProperty("userId").GetString());
            Assert.Equal(2, receipt.Data.GetProperty("seq").GetInt64());
        }
        row = await alice.GetConversationAsync(last.ConversationId);
        Assert.Equal((2L, 1L), (row.ReadSeq, row.UnreadCount));
        Assert.Equal(2, (await bob.GetConversationAsync(last.ConversationId)).PeerReadSeq);

        // Backwards is a no-op that tells nobody; beyond the end is clamped to the last message.
        Assert.Equal(2, await aliceLaptop.MarkReadAsync(last.ConversationId, 1));
        await alice.MarkReadAsync(last.ConversationId, 1000);
        var clamped = await bobPhone.NextEventAsync("msg.read");
        Assert.Equal(3, clamped.Data.GetProperty("seq").GetInt64());
        row = await alice.GetConversationAsync(last.ConversationId);
        Assert.Equal((3L, 0L), (row.ReadSeq, row.UnreadCount));
        Assert.Equal(3, (await alice.GetConversationAsync(last.ConversationId)).ReadSeq);
        Assert.Equal(3, (await bob.GetConversationAsync(last.ConversationId)).PeerReadSeq);

        await Refused.WithAsync(HttpStatusCode.BadRequest, "validation_failed", () => alice.MarkReadAsync(last.ConversationId, -1));
    }

    [Fact]
    public async Task AGroupReceiptReachesEveryMembersDevices()
    {
        using var cast = await GroupCast.StartAsync(_server);
        await using var ownerSocket = await ParleyRealtime.ConnectAsync(cast.Owner);
        await using var memberOtherDevice = await ParleyRealtime.ConnectAsync(cast.Member);
        var ack = await cast.Admin.SendMessageAsync(SendTarget.Group(cast.GroupId), "text", "read me");
        // The member has read nothing yet (the group's system messages count too).
        Assert.Equal(ack.Seq, (await cast.Member.GetConversationAsync(cast.GroupId)).UnreadCount);

        await cast.Member.MarkReadAsync(cast.GroupId, ack.Seq);
        foreach (var device in new[] { ownerSocket, memberOtherDevice })
        {
            var receipt = await device.NextEventAsync("msg.read");
            Assert.Equal(cast.Member.UserId, receipt.Data.GetProperty("userId").GetString());
            Assert.Equal(ack.Seq, receipt.Data.GetProperty("seq").GetInt64());
        }
        Assert.Equal(0, (await cast.Member.GetConversationAsync(cast.GroupId)).UnreadCount);
        Assert.Equal(1, (await cast.Owner.GetConversationAsync(cast.GroupId)).UnreadCount);
    }
}
