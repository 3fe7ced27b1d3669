using System.Net;
using Parley.Client;
using Parley.IntegrationTests.Groups;
using Parley.IntegrationTests.Infrastructure;

namespace Parley.IntegrationTests.Conversations;

public sealed class ConversationListTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private readonly TestServer _server = fixture.Server;

    [Fact]
    public async Task TheListShowsPeersAndGroupsNewestActivityFirstWithPinnedOnTop()
    {
        using var alice = await _server.NewUserAsync("alice");
        using var bob = await _server.NewFriendAsync(alice, "bob");
        using var carol = await _server.NewFriendAsync(alice, "carol");
        await alice.SetRemarkAsync(bob.UserId, "Bobby");
        await using var aliceSocket = await ParleyRealtime.ConnectAsync(alice);
        await using var bobSocket = await ParleyRealtime.ConnectAsync(bob);
        var online = await aliceSocket.NextEventAsync("presence");
        Assert.Equal(bob.UserId, online.Data.GetProperty("userId").GetString());

        var withBob = await bob.SendMessageAsync(SendTarget.User(alice.UserId), "text", "hi alice");
        var group = await alice.CreateGroupAsync("Lunch", [bob.UserId, carol.UserId]);
        var withCarol = await carol.SendMessageAsync(SendTarget.User(alice.UserId), "text", "hey");

        var rows = await alice.AllConversationsAsync();
        Assert.Equal([withCarol.ConversationId, group.Id, withBob.ConversationId], rows.Select(r => r.Id));

        var bobRow = rows[2];
        Assert.Equal("direct", bobRow.Kind);
        Assert.Equal(bob.UserId, bobRow.Peer!.Id);
        Assert.Equal("bob", bobRow.Peer.Nickname);
        Assert.Equal("Bobby", bobRow.Peer.Remark);
        Assert.Equal("Bobby", bobRow.Peer.Name);
        Assert.True(bobRow.Online);
        Assert.Null(bobRow.Group);
        Assert.Equal(withBob.MessageId, bobRow.LastMessage!.Id);
        Assert.Equal("hi alice", bobRow.LastMessage.Preview);
        Assert.Equal("text", bobRow.LastMessage.Type);
        Assert.Equal(bob.UserId, bobRow.LastMessage.SenderId);
        Assert.False(bobRow.LastMessage.Recalled);
        Assert.Equal(withBob.SentAt, bobRow.LastActivityAt);
        Assert.Equal((1, 0, 1), (bobRow.LastSeq, bobRow.ReadSeq, bobRow.UnreadCount));
        Assert.Equal(1, bobRow.PeerReadSeq);
        Assert.False(bobRow.Pinned || bobRow.Muted || bobRow.Hidden || bobRow.Mentioned);

        var carolRow = rows[0];
        Assert.Equal("carol", carolRow.Peer!.Name);
        Assert.Null(carolRow.Peer.Remark);
        Assert.False(carolRow.Online);

        var groupRow = rows[1];
        Assert.Equal("group", groupRow.Kind);
        Assert.Null(groupRow.Peer);
        Assert.Null(groupRow.Online);
        Assert.Null(groupRow.PeerReadSeq);
        Assert.Equal(new GroupSummary(group.Id, "Lunch", null, 3), groupRow.Group);
        // The group's story starts with its creation, written by the creator (so not unread for them).
        Assert.Equal("system", groupRow.LastMessage!.Type);
        Assert.Equal("alice created \"Lunch\" with bob, carol", groupRow.LastMessage.Preview);
        Assert.Equal(0, groupRow.UnreadCount);
        Assert.Equal(1, (await bob.GetConversationAsync(group.Id)).UnreadCount);

        // Pinned rows come first whatever their age; a new message moves a row up among its peers.
        await alice.UpdateConversationAsync(withBob.ConversationId, pinned: true);
        await bob.SendMessageAsync(SendTarget.Group(group.Id), "text", "where?");
        rows = await alice.AllConversationsAsync();
        Assert.Equal([withBob.ConversationId, group.Id, withCarol.ConversationId], rows.Select(r => r.Id));
        Assert.True(rows[0].Pinned);
        Assert.Equal("where?", rows[1].LastMessage!.Preview);
        Assert.Equal(1, rows[1].UnreadCount);

        // The single row is the same row.
        Assert.Equal(rows[1], await alice.GetConversationAsync(group.Id));
    }

    [Fact]
    public async Task OnlineIsShownOnlyToFriendsWhoHaveNotBlockedEachOther()
    {
        var (alice, bob) = await _server.FriendsAsync();
        var ack = await alice.SendMessageAsync(SendTarget.User(bob.UserId), "text", "hi");
        await using var aliceSocket = await ParleyRealtime.ConnectAsync(alice);
        await using var bobSocket = await ParleyRealtime.ConnectAsync(bob);
        await aliceSocket.NextEventAsync("presence");
        Assert.True((await alice.GetConversationAsync(ack.ConversationId)).Online);

        await bob.BlockAsync(alice.UserId);
        Assert.False((await alice.GetConversationAsync(ack.ConversationId)).Online);
        Assert.False((await bob.GetConversationAsync(ack.ConversationId)).Online);
        await bob.UnblockAsync(alice.UserId);
        Assert.True((await alice.GetConversationAsync(ack.ConversationId)).Online);

        await bob.RemoveFriendAsync(alice.UserId);
        var row = await alice.GetConversationAsync(ack.ConversationId);
        Assert.False(row.Online);
        Assert.Equal("bob", row.Peer!.Name);
    }

    [Fact]
    public async Task PreviewsCutLongTextAndShowEmoji()
    {
        var (alice, bob) = await _server.FriendsAsync();
        var longText = string.Concat(Enumerable.Repeat("0123456789", 12));
        var ack = await alice.SendMessageAsync(SendTarget.User(bob.UserId), "text", "line one\nline two");
        Assert.Equal("line one line two", (await bob.GetConversationAsync(ack.ConversationId)).LastMessage!.Preview);

        await alice.SendMessageAsync(SendTarget.User(bob.UserId), "text", longText);
        var preview = (await bob.GetConversationAsync(ack.ConversationId)).LastMessage!.Preview;
        Assert.Equal(80, preview.Length);
        Assert.Equal(longText[..79] + "…", preview);

        await alice.SendMessageAsync(SendTarget.User(bob.UserId), "emoji", "🎉");
        var row = await bob.GetConversationAsync(ack.ConversationId);
        Assert.Equal(("emoji", "🎉", 3L), (row.LastMessage!.Type, row.LastMessage.Preview, row.UnreadCount));
    }

    [Fact]
    public async Task AttachmentsArePreviewedByKindAndFileName()
    {
        var (alice, bob) = await _server.FriendsAsync();
        var picture = await alice.UploadFileAsync(new MemoryStream(Files.TestFiles.Png(2, 2)), "dot.png", null, FileKinds.Image);
        var ack = await alice.SendMessageAsync(SendTarget.User(bob.UserId), "image", null, new { fileId = picture.FileId });
        var row = await bob.GetConversationAsync(ack.ConversationId);
        Assert.Equal(("image", "[image]"), (row.LastMessage!.Type, row.LastMessage.Preview));

        var report = await alice.UploadFileAsync(new MemoryStream("quarterly numbers"u8.ToArray()), "report.txt", "text/plain", FileKinds.File);
        await alice.SendMessageAsync(SendTarget.User(bob.UserId), "file", null, new { fileId = report.FileId });
        Assert.Equal("[file] report.txt", (await bob.GetConversationAsync(ack.ConversationId)).LastMessage!.Preview);
    }

    [Fact]
    public async Task ACallRecordIsPreviewedAsACall()
    {
        var (alice, bob) = await _server.FriendsAsync();
        await using var alicePhone = await ParleyRealtime.ConnectAsync(alice);
        await using var bobPhone = await ParleyRealtime.ConnectAsync(bob);
        var callId = await alicePhone.InviteCallAsync(bob.UserId, "video");
        await bobPhone.NextEventAsync("call.incoming");
        await bobPhone.RejectCallAsync(callId);
        var record = await bobPhone.NextEventAsync("msg.new");
        Assert.Equal("call", record.Data.GetProperty("type").GetString());

        var row = await bob.GetConversationAsync(record.Data.GetProperty("conversationId").GetString()!);
        Assert.Equal(("call", "[video call]"), (row.LastMessage!.Type, row.LastMessage.Preview));
    }

    [Fact]
    public async Task ThePreviewSkipsMessagesDeletedOrClearedForMeOnlyAndShowsRecalls()
    {
        var (alice, bob) = await _server.FriendsAsync();
        var first = await alice.SendMessageAsync(SendTarget.User(bob.UserId), "text", "first");
        var second = await alice.SendMessageAsync(SendTarget.User(bob.UserId), "text", "second");

        await bob.DeleteForMeAsync(first.ConversationId, second.MessageId);
        Assert.Equal("first", (await bob.GetConversationAsync(first.ConversationId)).LastMessage!.Preview);
        Assert.Equal("second", (await alice.GetConversationAsync(first.ConversationId)).LastMessage!.Preview);

        await bob.ClearConversationAsync(first.ConversationId);
        var cleared = await bob.GetConversationAsync(first.ConversationId);
        Assert.Null(cleared.LastMessage);
        Assert.Equal(0, cleared.UnreadCount);
        Assert.Equal("second", (await alice.GetConversationAsync(first.ConversationId)).LastMessage!.Preview);

        var third = await alice.SendMessageAsync(SendTarget.User(bob.UserId), "text", "third");
        var row = await bob.GetConversationAsync(first.ConversationId);
        Assert.Equal(("third", 1L), (row.LastMessage!.Preview, row.UnreadCount));

        await alice.RecallAsync(first.ConversationId, third.MessageId);
        row = await bob.GetConversationAsync(first.ConversationId);
        Assert.Equal(third.MessageId, row.LastMessage!.Id);
        Assert.True(row.LastMessage.Recalled);
        Assert.Equal("[recalled]", row.LastMessage.Preview);
    }

    [Fact]
    public async Task AHiddenConversationLeavesTheListUntilANewMessageAndMyOtherDevicesFollow()
    {
        var (alice, bob) = await _server.FriendsAsync();
        var ack = await bob.SendMessageAsync(SendTarget.User(alice.UserId), "text", "psst");
        await using var aliceLaptop = await ParleyRealtime.ConnectAsync(alice);

        var hidden = await alice.UpdateConversationAsync(ack.ConversationId, hidden: true);
        Assert.True(hidden.Hidden);
        var updated = await aliceLaptop.NextEventAsync("conversation.updated");
        Assert.Equal(ack.ConversationId, updated.Data.GetProperty("conversationId").GetString());
        Assert.True(updated.Data.GetProperty("hidden").GetBoolean());
        Assert.Null(await alice.RowAsync(ack.ConversationId));
        Assert.NotNull(await bob.RowAsync(ack.ConversationId));
        Assert.True((await alice.GetConversationAsync(ack.ConversationId)).Hidden);

        await bob.SendMessageAsync(SendTarget.User(alice.UserId), "text", "still there?");
        var back = await alice.RowAsync(ack.ConversationId);
        Assert.NotNull(back);
        Assert.False(back.Hidden);
        Assert.Equal("still there?", back.LastMessage!.Preview);

        // Unhiding by hand works too.
        await alice.UpdateConversationAsync(ack.ConversationId, hidden: true);
        Assert.Null(await alice.RowAsync(ack.ConversationId));
        await alice.UpdateConversationAsync(ack.ConversationId, hidden: false);
        Assert.NotNull(await alice.RowAsync(ack.ConversationId));
    }

    [Fact]
    public async Task PinAndMuteArePerUserAndReachMyOtherDevices()
    {
        var (alice, bob) = await _server.FriendsAsync();
        var ack = await bob.SendMessageAsync(SendTarget.User(alice.UserId), "text", "hello");
        await using var alicePhone = await ParleyRealtime.ConnectAsync(alice);

        var row = await alice.UpdateConversationAsync(ack.ConversationId, pinned: true, muted: true);
        Assert.True(row.Pinned && row.Muted);
        var updated = await alicePhone.NextEventAsync("conversation.updated");
        Assert.True(updated.Data.GetProperty("pinned").GetBoolean());
        Assert.True(updated.Data.GetProperty("muted").GetBoolean());
        Assert.False(updated.Data.GetProperty("hidden").GetBoolean());

        var bobsRow = await bob.GetConversationAsync(ack.ConversationId);
        Assert.False(bobsRow.Pinned || bobsRow.Muted);

        row = await alice.UpdateConversationAsync(ack.ConversationId, muted: false);
        Assert.True(row.Pinned);
        Assert.False(row.Muted);
        updated = await alicePhone.NextEventAsync("conversation.updated");
        Assert.False(updated.Data.GetProperty("muted").GetBoolean());
        Assert.True((await alice.RowAsync(ack.ConversationId))!.Pinned);
    }

    [Fact]
    public async Task PagesFollowTheOrderWithoutGapsOrRepeats()
    {
        using var alice = await _server.NewUserAsync("alice");
        var ids = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            using var friend = await _server.NewFriendAsync(alice, $"friend{i}");
            ids.Add((await friend.SendMessageAsync(SendTarget.User(alice.UserId), "text", $"m{i}")).ConversationId);
        }
        await alice.UpdateConversationAsync(ids[1], pinned: true);
        await alice.UpdateConversationAsync(ids[3], pinned: true);
        string[] expected = [ids[3], ids[1], ids[4], ids[2], ids[0]];

        var first = await alice.ListConversationsAsync(limit: 2);
        Assert.Equal(expected[..2], first.Conversations.Select(c => c.Id));
        Assert.NotNull(first.NextCursor);
        var second = await alice.ListConversationsAsync(limit: 2, cursor: first.NextCursor);
        Assert.Equal(expected[2..4], second.Conversations.Select(c => c.Id));
        var third = await alice.ListConversationsAsync(limit: 2, cursor: second.NextCursor);
        Assert.Equal(expected[4..], third.Conversations.Select(c => c.Id));
        Assert.Null(third.NextCursor);

        Assert.Equal(expected, (await alice.AllConversationsAsync(pageSize: 1)).Select(c => c.Id));
        var whole = await alice.ListConversationsAsync();
        Assert.Equal(expected, whole.Conversations.Select(c => c.Id));
        Assert.Null(whole.NextCursor);

        await Refused.WithAsync(HttpStatusCode.BadRequest, "validation_failed", () => alice.ListConversationsAsync(limit: 0));
        await Refused.WithAsync(HttpStatusCode.BadRequest, "validation_failed", () => alice.ListConversationsAsync(limit: 201));
        await Refused.WithAsync(HttpStatusCode.BadRequest, "validation_failed", () => alice.ListConversationsAsync(cursor: "not-a-cursor"));
    }

    [Fact]
    public async Task LeftAndDissolvedGroupsAreNotListed()
    {
        using var cast = await GroupCast.StartAsync(_server);
        Assert.NotNull(await cast.Member.RowAsync(cast.GroupId));
        await cast.Member.LeaveGroupAsync(cast.GroupId);
        Assert.Null(await cast.Member.RowAsync(cast.GroupId));
        Assert.NotNull(await cast.Admin.RowAsync(cast.GroupId));

        await cast.Owner.DissolveGroupAsync(cast.GroupId);
        Assert.Null(await cast.Admin.RowAsync(cast.GroupId));
        Assert.Null(await cast.Owner.RowAsync(cast.GroupId));
    }

    [Fact]
    public async Task OutsidersCanNeitherSeeNorChangeAConversation()
    {
        var (alice, bob) = await _server.FriendsAsync();
        using var stranger = await _server.NewUserAsync("stranger");
        var direct = await alice.SendMessageAsync(SendTarget.User(bob.UserId), "text", "private");
        using var cast = await GroupCast.StartAsync(_server);
        var inGroup = await cast.Owner.SendMessageAsync(SendTarget.Group(cast.GroupId), "text", "members only");

        Assert.Empty(await stranger.AllConversationsAsync());
        Assert.Null(await cast.Outsider.RowAsync(cast.GroupId));

        await Refused.WithAsync(HttpStatusCode.NotFound, "conversation_not_found", () => stranger.GetConversationAsync(direct.ConversationId));
        await Refused.WithAsync(HttpStatusCode.NotFound, "conversation_not_found", () => stranger.UpdateConversationAsync(direct.ConversationId, pinned: true));
        await Refused.WithAsync(HttpStatusCode.NotFound, "conversation_not_found", () => stranger.GetReceiptsAsync(direct.ConversationId, direct.MessageId));
        await Refused.WithAsync(HttpStatusCode.NotFound, "conversation_not_found", () => stranger.MarkReadAsync(direct.ConversationId, 1));
        await Refused.WithAsync(HttpStatusCode.NotFound, "conversation_not_found", () => stranger.GetConversationAsync("12345"));
        await Refused.WithAsync(HttpStatusCode.NotFound, "conversation_not_found", () => stranger.GetConversationAsync("nonsense"));

        await Refused.WithAsync(HttpStatusCode.Forbidden, "not_group_member", () => cast.Outsider.GetConversationAsync(cast.GroupId));
        await Refused.WithAsync(HttpStatusCode.Forbidden, "not_group_member", () => cast.Outsider.UpdateConversationAsync(cast.GroupId, muted: true));
        await Refused.WithAsync(HttpStatusCode.Forbidden, "not_group_member", () => cast.Outsider.GetReceiptsAsync(cast.GroupId, inGroup.MessageId));
        await Refused.WithAsync(HttpStatusCode.Forbidden, "not_group_member", () => cast.Outsider.MarkReadAsync(cast.GroupId, 1));

        // Nothing changed for the members.
        Assert.False((await alice.GetConversationAsync(direct.ConversationId)).Pinned);
        Assert.False((await cast.Member.GetConversationAsync(cast.GroupId)).Muted);
    }
}
