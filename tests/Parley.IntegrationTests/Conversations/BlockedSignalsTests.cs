using Parley.Client;
using Parley.IntegrationTests.Groups;
using Parley.IntegrationTests.Infrastructure;

namespace Parley.IntegrationTests.Conversations;

/// <summary>
/// Read receipts and typing are presence-like: nobody across a block (either way) gets mine, as with presence.
/// "Not delivered" is proved without waiting: a later event that the device does get arrives first.
/// </summary>
public sealed class BlockedSignalsTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private readonly TestServer _server = fixture.Server;

    [Fact]
    public async Task APersonIBlockedGetsNoReadReceiptOfMineInADirectConversation()
    {
        var (alice, bob) = await _server.FriendsAsync();
        var ack = await bob.SendMessageAsync(SendTarget.User(alice.UserId), "text", "hi");
        await bob.SendMessageAsync(SendTarget.User(alice.UserId), "text", "there");
        await bob.SendMessageAsync(SendTarget.User(alice.UserId), "text", "you");
        await alice.BlockAsync(bob.UserId);
        await using var bobPhone = await ParleyRealtime.ConnectAsync(bob);
        await using var aliceLaptop = await ParleyRealtime.ConnectAsync(alice);

        await alice.MarkReadAsync(ack.ConversationId, 2);
        // My own other devices still hear of my read.
        var mine = await aliceLaptop.NextEventAsync("msg.read");
        Assert.Equal(alice.UserId, mine.Data.GetProperty("userId").GetString());

        // A later event for Bob (his own pin, from his laptop's request) comes with no receipt of Alice's before it.
        await bob.UpdateConversationAsync(ack.ConversationId, pinned: true);
        Assert.DoesNotContain("msg.read", await TypesUntilAsync(bobPhone, "conversation.updated"));
        // Nor does the list show him how far she read.
        Assert.Null((await bob.GetConversationAsync(ack.ConversationId)).PeerReadSeq);
        Assert.Null((await alice.GetConversationAsync(ack.ConversationId)).PeerReadSeq);

        // Unblocked, receipts flow again.
        await alice.UnblockAsync(bob.UserId);
        await alice.MarkReadAsync(ack.ConversationId, 3);
        var after = await bobPhone.NextEventAsync("msg.read");
        Assert.Equal((alice.UserId, 3L), (after.Data.GetProperty("userId").GetString(), after.Data.GetProperty("seq").GetInt64()));
    }

    [Fact]
    public async Task InAGroupNeitherSideOfABlockGetsTheOthersReceiptsOrTyping()
    {
        using var cast = await GroupCast.StartAsync(_server);
        // The member blocks the admin; the owner is on good terms with both.
        await cast.Member.BlockAsync(cast.Admin.UserId);
        var ack = await cast.Owner.SendMessageAsync(SendTarget.Group(cast.GroupId), "text", "read me");
        await using var adminSocket = await ParleyRealtime.ConnectAsync(cast.Admin);
        await using var memberSocket = await ParleyRealtime.ConnectAsync(cast.Member);
        await using var ownerSocket = await ParleyRealtime.ConnectAsync(cast.Owner);

        // The member reads: the owner hears it, the admin does not.
        await cast.Member.MarkReadAsync(cast.GroupId, ack.Seq);
        Assert.Equal(cast.Member.UserId, (await ownerSocket.NextEventAsync("msg.read")).Data.GetProperty("userId").GetString());
        // The admin reads: the owner hears it, the member does not.
        await cast.Admin.MarkReadAsync(cast.GroupId, ack.Seq);
        Assert.Equal(cast.Admin.UserId, (await ownerSocket.NextEventAsync("msg.read")).Data.GetProperty("userId").GetString());
        // The admin's first receipt is its own (the member's, had it come, would be first), and so for the member.
        Assert.Equal(cast.Admin.UserId, (await adminSocket.NextEventAsync("msg.read")).Data.GetProperty("userId").GetString());
        Assert.Equal(cast.Member.UserId, (await memberSocket.NextEventAsync("msg.read")).Data.GetProperty("userId").GetString());
        // The owner reads: both hear that.
        var ownerAck = await cast.Admin.SendMessageAsync(SendTarget.Group(cast.GroupId), "text", "one more");
        await cast.Owner.MarkReadAsync(cast.GroupId, ownerAck.Seq);
        Assert.Equal(cast.Owner.UserId, (await adminSocket.NextEventAsync("msg.read")).Data.GetProperty("userId").GetString());
        Assert.Equal(cast.Owner.UserId, (await memberSocket.NextEventAsync("msg.read")).Data.GetProperty("userId").GetString());

        // Typing: the member types; the owner sees it, the admin does not (the owner's typing comes first).
        await memberSocket.SendRawAsync(Typing(cast.GroupId));
        Assert.Equal(cast.Member.UserId, (await ownerSocket.NextEventAsync("typing")).Data.GetProperty("userId").GetString());
        await adminSocket.SendRawAsync(Typing(cast.GroupId));
        Assert.Equal(cast.Admin.UserId, (await ownerSocket.NextEventAsync("typing")).Data.GetProperty("userId").GetString());
        await ownerSocket.SendRawAsync(Typing(cast.GroupId));
        Assert.Equal(cast.Owner.UserId, (await adminSocket.NextEventAsync("typing")).Data.GetProperty("userId").GetString());
        Assert.Equal(cast.Owner.UserId, (await memberSocket.NextEventAsync("typing")).Data.GetProperty("userId").GetString());

        // Receipts on a message: the owner (its sender) sees both; the member's view leaves the admin out, and the other way round.
        var forOwner = await cast.Owner.GetReceiptsAsync(cast.GroupId, ack.MessageId);
        Assert.Equal(2, forOwner.MemberCount);
        Assert.Equal([cast.Admin.UserId, cast.Member.UserId], forOwner.ReadBy!.Select(r => r.UserId).Order());
        var forMember = await cast.Member.GetReceiptsAsync(cast.GroupId, ack.MessageId);
        Assert.Equal((1, 1), (forMember.ReadCount, forMember.MemberCount));
        var forAdmin = await cast.Admin.GetReceiptsAsync(cast.GroupId, ack.MessageId);
        Assert.Equal((1, 1), (forAdmin.ReadCount, forAdmin.MemberCount));
    }

    /// <summary>The types of the frames that arrive before the next <paramref name="type"/> one (which is consumed).</summary>
    private static async Task<List<string>> TypesUntilAsync(ParleyRealtime socket, string type)
    {
        var seen = new List<string>();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (true)
        {
            var frame = await socket.Events.ReadAsync(timeout.Token);
            if (frame.Type == type) return seen;
            seen.Add(frame.Type);
        }
    }

    private static string Typing(string conversationId) => $"{{\"type\":\"typing\",\"data\":{{\"conversationId\":\"{conversationId}\"}}}}";
}
