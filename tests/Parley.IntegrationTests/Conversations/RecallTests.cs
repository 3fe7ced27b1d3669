using Microsoft.Extensions.DependencyInjection;
using System.Net;
using Parley.Client;
using Parley.IntegrationTests.Groups;
using Parley.IntegrationTests.Infrastructure;
using MessageType = Parley.Server.Messaging.MessageType;

namespace Parley.IntegrationTests.Conversations;

public sealed class RecallTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private readonly TestServer _server = fixture.Server;

    [Fact]
    public async Task TheSenderRecallsAndEveryDeviceOfEveryMemberHearsIt()
    {
        var (alice, bob) = await _server.FriendsAsync();
        await using var alicePhone = await alice.DeviceAsync();
        await using var aliceLaptop = await alice.DeviceAsync();
        await using var bobPhone = await bob.DeviceAsync();
        var sent = await alice.TextAsync(SendTarget.User(bob.UserId), "a secret recipe");
        await bobPhone.NextOfAsync("msg.new");

        var recalled = await alice.RecallAsync(sent.ConversationId, sent.MessageId);
        Assert.True(recalled.Recalled);
        Assert.Equal(sent.MessageId, recalled.Id);
        Assert.Equal(sent.Seq, recalled.Seq);
        Assert.Equal("", recalled.Content.GetString());
        Assert.Null(recalled.File);

        foreach (var device in new[] { alicePhone, aliceLaptop, bobPhone })
        {
            var frame = await device.NextOfAsync("msg.recalled");
            Assert.Equal(sent.ConversationId, frame.Data.GetProperty("conversationId").GetString());
            Assert.Equal(sent.MessageId, frame.Data.GetProperty("messageId").GetString());
            Assert.Equal(sent.Seq, frame.Data.GetProperty("seq").GetInt64());
            Assert.Equal(alice.UserId, frame.Data.GetProperty("recalledBy").GetString());
        }

        // Recalling again gives the same answer and tells nobody: the next event Bob gets is the next message.
        var again = await alice.RecallAsync(sent.ConversationId, sent.MessageId);
        Assert.Equal(recalled with { Content = again.Content }, again);
        Assert.Equal("", again.Content.GetString());
        await alice.TextAsync(SendTarget.User(bob.UserId), "next");
        Assert.Equal("msg.new", (await bobPhone.NextOfAsync("msg.new", "msg.recalled")).Type);
    }

    [Fact]
    public async Task ARecalledMessagesContentIsGoneFromTheStoreHistorySyncAndSearch()
    {
        var (alice, bob) = await _server.FriendsAsync();
        var sent = await alice.TextAsync(SendTarget.User(bob.UserId), "launch code wobbly-hedgehog");
        Assert.Single(await bob.SearchAsync(sent.ConversationId, "wobbly-hedgehog"));
        if (await _server.IndexEntriesAsync("wobbly-hedgehog") is { } before) Assert.Equal(1, before);

        await alice.RecallAsync(sent.ConversationId, sent.MessageId);

        var stored = await _server.StoredMessageAsync(sent.MessageId);
        Assert.True(stored.Recalled);
        Assert.Equal("\"\"", stored.Content);
        Assert.Null(stored.SearchText);
        Assert.Null(stored.File);
        Assert.Null(stored.FileId);
        if (await _server.IndexEntriesAsync("wobbly-hedgehog") is { } after) Assert.Equal(0, after);

        var history = Assert.Single(await bob.GetMessagesAsync(sent.ConversationId));
        Assert.True(history.Recalled);
        Assert.Equal("", history.Content.GetString());

        await using var bobPhone = await bob.DeviceAsync();
        var synced = Assert.Single(Assert.Single(await bobPhone.SyncAsync(sent.ConversationId, 0)).Messages);
        Assert.True(synced.GetProperty("recalled").GetBoolean());
        Assert.Equal("", synced.GetProperty("content").GetString());

        Assert.Empty(await bob.SearchAsync(sent.ConversationId, "wobbly-hedgehog"));
        Assert.Empty(await bob.SearchAllAsync("wobbly-hedgehog"));
    }

    [Fact]
    public async Task RecallScrubsTheQuotesOfRepliesToIt()
    {
        var (alice, bob) = await _server.FriendsAsync();
        var secret = await alice.TextAsync(SendTarget.User(bob.UserId), "the vault code is plum-zeppelin-42");
        var other = await alice.TextAsync(SendTarget.User(bob.UserId), "keep this quote");
        var reply = await bob.SendMessageAsync(SendTarget.Conversation(secret.ConversationId), "text", "noted", replyTo: secret.MessageId);
        await using var bobSocket = await bob.DeviceAsync();
        var second = await bobSocket.SendMessageAsync(SendTarget.Conversation(secret.ConversationId), "text", "twice", replyTo: secret.MessageId);
        var untouched = await bob.SendMessageAsync(SendTarget.Conversation(secret.ConversationId), "text", "ok", replyTo: other.MessageId);
        Assert.Contains("plum-zeppelin", (await _server.StoredMessageAsync(reply.MessageId)).ReplyTo, StringComparison.Ordinal);

        await alice.RecallAsync(secret.ConversationId, secret.MessageId);

        foreach (var id in new[] { reply.MessageId, second.MessageId })
        {
            var stored = await _server.StoredMessageAsync(id);
            Assert.DoesNotContain("plum-zeppelin", stored.ReplyTo, StringComparison.Ordinal);
            Assert.Equal(long.Parse(secret.MessageId, System.Globalization.CultureInfo.InvariantCulture), stored.ReplyToId);
        }
        var history = await alice.GetMessagesAsync(secret.ConversationId);
        foreach (var id in new[] { reply.MessageId, second.MessageId })
        {
            var quote = history.Single(m => m.Id == id).ReplyTo!;
            Assert.Equal(secret.MessageId, quote.MessageId);
            Assert.Equal(secret.Seq, quote.Seq);
            Assert.Equal(alice.UserId, quote.SenderId);
            Assert.Equal("text", quote.Type);
            Assert.True(quote.Recalled);
            Assert.Equal("[recalled]", quote.Preview);
        }
        Assert.Equal("keep this quote", history.Single(m => m.Id == untouched.MessageId).ReplyTo!.Preview);

        var synced = Assert.Single(await bobSocket.SyncAsync(secret.ConversationId, 0)).Messages;
        Assert.Equal(5, synced.Count);
        Assert.All(synced, m => Assert.DoesNotContain("plum-zeppelin", m.GetRawText(), StringComparison.Ordinal));
    }

    [Fact]
    public async Task AReplyCheckedBeforeTheRecallAndStoredAfterItGetsTheRecalledQuote()
    {
        var (alice, bob) = await _server.FriendsAsync();
        var secret = await alice.TextAsync(SendTarget.User(bob.UserId), "meet at pier-seventeen-b");
        var quoteAtCheck = (await alice.SendMessageAsync(SendTarget.Conversation(secret.ConversationId), "text", "probe", replyTo: secret.MessageId)).MessageId;
        var quote = (await _server.StoredMessageAsync(quoteAtCheck)).ReplyTo!;
        Assert.Contains("pier-seventeen", quote, StringComparison.Ordinal);
        await alice.RecallAsync(secret.ConversationId, secret.MessageId);

        // Bob's send passed its checks (quote taken) before the recall; the committer stores it after.
        var pending = new Parley.Server.Messaging.PendingMessage(senderDeviceId: 0)
        {
            ConversationId = long.Parse(secret.ConversationId, System.Globalization.CultureInfo.InvariantCulture),
            SenderId = long.Parse(bob.UserId, System.Globalization.CultureInfo.InvariantCulture),
            ClientMsgId = $"late-{Guid.NewGuid():N}",
            Type = MessageType.Text,
            Content = "\"late\"",
            SearchText = "late",
            ReplyTo = quote,
            ReplyToId = long.Parse(secret.MessageId, System.Globalization.CultureInfo.InvariantCulture),
            Recipients = [long.Parse(alice.UserId, System.Globalization.CultureInfo.InvariantCulture), long.Parse(bob.UserId, System.Globalization.CultureInfo.InvariantCulture)],
        };
        await _server.Services.GetRequiredService<Parley.Server.Messaging.MessageCommitter>().EnqueueAsync(pending, CancellationToken.None);
        var ack = await pending.Stored.Task.WaitAsync(TimeSpan.FromSeconds(10));

        var stored = await _server.StoredMessageAsync(ack.MessageId);
        Assert.DoesNotContain("pier-seventeen", stored.ReplyTo, StringComparison.Ordinal);
        var view = (await bob.GetMessagesAsync(secret.ConversationId)).Single(m => m.Id == ack.MessageId).ReplyTo!;
        Assert.True(view.Recalled);
        Assert.Equal("[recalled]", view.Preview);
        Assert.Equal(secret.Seq, view.Seq);
    }

    [Fact]
    public async Task ARecalledFileMessageLosesItsFile()
    {
        var (alice, bob) = await _server.FriendsAsync();
        var first = await alice.TextAsync(SendTarget.User(bob.UserId), "a picture follows");
        // Stored straight through the committer, so that the test does not depend on uploading a real file.
        var sent = await _server.ServerMessageAsync(first.ConversationId, alice.UserId, MessageType.Image, "\"\"", [alice.UserId, bob.UserId],
            file: "{\"fileId\":\"77\",\"name\":\"cat.png\",\"size\":10,\"contentType\":\"image/png\",\"url\":\"/api/v1/files/77\"}", fileId: 77);
        Assert.NotNull((await bob.GetMessagesAsync(sent.ConversationId)).Single(m => m.Id == sent.MessageId).File);
        Assert.Equal(77, (await _server.StoredMessageAsync(sent.MessageId)).FileId);

        var recalled = await alice.RecallAsync(sent.ConversationId, sent.MessageId);
        Assert.Null(recalled.File);
        var history = (await bob.GetMessagesAsync(sent.ConversationId)).Single(m => m.Id == sent.MessageId);
        Assert.True(history.Recalled);
        Assert.Null(history.File);
        var stored = await _server.StoredMessageAsync(sent.MessageId);
        Assert.Null(stored.File);
        Assert.Null(stored.FileId);
    }

    [Fact]
    public async Task AfterARecallTheAttachmentCannotBeFetchedThroughTheMessage()
    {
        var (alice, bob) = await _server.FriendsAsync();
        var uploaded = await alice.UploadFileAsync(new MemoryStream(Files.TestFiles.Png(4, 4)), "dot.png", null, "image");
        var sent = await alice.SendMessageAsync(SendTarget.User(bob.UserId), "image", null, new { fileId = uploaded.FileId });
        using (var before = await bob.DownloadFileAsync(uploaded.FileId)) Assert.NotNull(before);

        await alice.RecallAsync(sent.ConversationId, sent.MessageId);
        await Refused.WithAsync(HttpStatusCode.NotFound, "file_not_found", async () => (await bob.DownloadFileAsync(uploaded.FileId)).Dispose());
        Assert.Null((await _server.StoredMessageAsync(sent.MessageId)).FileId);
    }

    [Fact]
    public async Task InADirectConversationOnlyTheSenderMayRecall()
    {
        var (alice, bob) = await _server.FriendsAsync();
        var sent = await alice.TextAsync(SendTarget.User(bob.UserId), "mine");
        await Refused.WithAsync(HttpStatusCode.Forbidden, "not_message_sender", () => bob.RecallAsync(sent.ConversationId, sent.MessageId));

        using var stranger = await _server.NewUserAsync("stranger");
        await Refused.WithAsync(HttpStatusCode.NotFound, "conversation_not_found", () => stranger.RecallAsync(sent.ConversationId, sent.MessageId));
        Assert.False((await bob.GetMessagesAsync(sent.ConversationId)).Single().Recalled);
    }

    [Fact]
    public async Task AnUnknownMessageOrOneOfAnotherConversationIsNotFound()
    {
        var (alice, bob) = await _server.FriendsAsync();
        var carol = await _server.NewFriendAsync(alice, "carol");
        var toBob = await alice.TextAsync(SendTarget.User(bob.UserId), "to bob");
        var toCarol = await alice.TextAsync(SendTarget.User(carol.UserId), "to carol");

        await Refused.WithAsync(HttpStatusCode.NotFound, "message_not_found", () => alice.RecallAsync(toBob.ConversationId, toCarol.MessageId));
        await Refused.WithAsync(HttpStatusCode.NotFound, "message_not_found", () => alice.RecallAsync(toBob.ConversationId, "12345"));
        await Refused.WithAsync(HttpStatusCode.NotFound, "message_not_found", () => alice.RecallAsync(toBob.ConversationId, "not-an-id"));
    }

    [Fact]
    public async Task OwnersRecallAnyonesMessagesAdminsOnlyPlainMembersAndMembersOnlyTheirOwn()
    {
        using var cast = await GroupCast.StartAsync(_server);
        var group = SendTarget.Group(cast.GroupId);
        var byOwner = await cast.Owner.TextAsync(group, "owner speaks");
        var byAdmin = await cast.Admin.TextAsync(group, "admin speaks");
        var byMember1 = await cast.Member.TextAsync(group, "member speaks");
        var byMember2 = await cast.Member.TextAsync(group, "member speaks again");
        var conversation = byOwner.ConversationId;

        await Refused.WithAsync(HttpStatusCode.Forbidden, "not_message_sender", () => cast.Member.RecallAsync(conversation, byAdmin.MessageId));
        await Refused.WithAsync(HttpStatusCode.Forbidden, "insufficient_role", () => cast.Admin.RecallAsync(conversation, byOwner.MessageId));
        await Refused.WithAsync(HttpStatusCode.Forbidden, "not_group_member", () => cast.Outsider.RecallAsync(conversation, byMember1.MessageId));

        await using var memberPhone = await cast.Member.DeviceAsync();
        Assert.True((await cast.Admin.RecallAsync(conversation, byMember1.MessageId)).Recalled);
        var heard = await memberPhone.NextOfAsync("msg.recalled");
        Assert.Equal(cast.Admin.UserId, heard.Data.GetProperty("recalledBy").GetString());
        Assert.True((await cast.Owner.RecallAsync(conversation, byAdmin.MessageId)).Recalled);
        Assert.True((await cast.Member.RecallAsync(conversation, byMember2.MessageId)).Recalled);

        var history = await cast.Member.GetMessagesAsync(conversation);
        Assert.Equal([false, true, true, true], history.OrderBy(m => m.Seq).Where(m => m.Type == "text").Select(m => m.Recalled));
    }

    [Fact]
    public async Task AnAdminRecallsTheMessagesOfSomeoneWhoLeft()
    {
        using var cast = await GroupCast.StartAsync(_server);
        var sent = await cast.Member.TextAsync(SendTarget.Group(cast.GroupId), "bye all");
        await cast.Member.LeaveGroupAsync(cast.GroupId);
        Assert.True((await cast.Admin.RecallAsync(sent.ConversationId, sent.MessageId)).Recalled);
    }

    [Fact]
    public async Task SystemAndCallMessagesCannotBeRecalled()
    {
        using var cast = await GroupCast.StartAsync(_server);
        var members = new[] { cast.Owner.UserId, cast.Admin.UserId, cast.Member.UserId };
        var system = await _server.ServerMessageAsync(cast.GroupId, cast.Owner.UserId, MessageType.System, "{\"event\":\"created\"}", members);
        await Refused.WithAsync(HttpStatusCode.BadRequest, "message_not_recallable", () => cast.Owner.RecallAsync(system.ConversationId, system.MessageId));

        var (alice, bob) = await _server.FriendsAsync();
        var first = await alice.TextAsync(SendTarget.User(bob.UserId), "call me");
        var call = await _server.ServerMessageAsync(first.ConversationId, alice.UserId, MessageType.Call,
            "{\"media\":\"audio\",\"endReason\":\"no_answer\",\"durationMs\":0}", [alice.UserId, bob.UserId]);
        await Refused.WithAsync(HttpStatusCode.BadRequest, "message_not_recallable", () => alice.RecallAsync(call.ConversationId, call.MessageId));
    }
}
