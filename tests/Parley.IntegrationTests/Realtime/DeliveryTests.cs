using System.Net;
using System.Net.WebSockets;
using System.Text.Json;
using Parley.Client;
using Parley.IntegrationTests.Infrastructure;

namespace Parley.IntegrationTests.Realtime;

public sealed class DeliveryTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private readonly TestServer _server = fixture.Server;

    private async Task<(ParleyClient Alice, ParleyClient Bob)> FriendsAsync()
    {
        var alice = await _server.NewUserAsync("alice");
        var bob = await _server.NewUserAsync("bob");
        await TestServer.MakeFriendsAsync(alice, bob);
        return (alice, bob);
    }

    [Fact]
    public async Task AMessageIsAckedThenDeliveredToThePeerAndTheSendersOtherDevices()
    {
        var (alice, bob) = await FriendsAsync();
        await using var alicePhone = await ParleyRealtime.ConnectAsync(alice);
        await using var aliceLaptop = await ParleyRealtime.ConnectAsync(alice);
        await using var bobPhone = await ParleyRealtime.ConnectAsync(bob);

        var ack = await alicePhone.SendMessageAsync(SendTarget.User(bob.UserId), "text", "hello bob");
        Assert.Equal(1, ack.Seq);

        foreach (var device in new[] { bobPhone, aliceLaptop })
        {
            var delivered = await device.NextEventAsync("msg.new");
            Assert.Equal(ack.MessageId, delivered.Data.GetProperty("id").GetString());
            Assert.Equal("hello bob", delivered.Data.GetProperty("content").GetString());
            Assert.Equal(alice.UserId, delivered.Data.GetProperty("senderId").GetString());
            Assert.Equal(ack.ConversationId, delivered.Data.GetProperty("conversationId").GetString());
        }

        var history = await bob.GetMessagesAsync(ack.ConversationId);
        Assert.Equal("hello bob", Assert.Single(history).Content.GetString());
    }

    [Fact]
    public async Task ResendingTheSameClientMsgIdReturnsTheFirstAckAndStoresNothingNew()
    {
        var (alice, bob) = await FriendsAsync();
        await using var socket = await ParleyRealtime.ConnectAsync(alice);
        var first = await socket.SendMessageAsync(SendTarget.User(bob.UserId), "text", "once", clientMsgId: "retry-me");
        var again = await socket.SendMessageAsync(SendTarget.User(bob.UserId), "text", "once", clientMsgId: "retry-me");
        var overHttp = await alice.SendMessageAsync(SendTarget.User(bob.UserId), "text", "once", clientMsgId: "retry-me");
        Assert.Equal(first, again);
        Assert.Equal(first, overHttp);
        Assert.Single(await alice.GetMessagesAsync(first.ConversationId));
    }

    [Fact]
    public async Task AResendAmongABurstOfNewMessagesGetsItsFirstAckAndEveryNewOneIsStoredOnceWithoutGaps()
    {
        // The committer stores a batch without looking resends up; the unique index refuses one, and the batch is redone
        // with the lookup. Sent without waiting for acks, so that the resends and the new messages share batches.
        var (alice, bob) = await FriendsAsync();
        await using var socket = await ParleyRealtime.ConnectAsync(alice);
        var first = await socket.SendMessageAsync(SendTarget.User(bob.UserId), "text", "first", clientMsgId: "burst-old");
        var burst = Enumerable.Range(0, 60).Select(i => i % 10 == 5
            ? socket.SendMessageAsync(SendTarget.User(bob.UserId), "text", "first", clientMsgId: "burst-old")
            : socket.SendMessageAsync(SendTarget.User(bob.UserId), "text", $"new {i}", clientMsgId: $"burst-{i}")).ToList();
        var acks = await Task.WhenAll(burst);

        Assert.All(acks.Where(a => a.ClientMsgId == "burst-old"), ack => Assert.Equal(first, ack));
        var history = await alice.GetMessagesAsync(first.ConversationId, limit: 100);
        Assert.Equal(Enumerable.Range(1, 55).Select(i => (long)i), history.Select(m => m.Seq).Order());
        Assert.Equal(55, history.Select(m => m.ClientMsgId).Distinct().Count());
        Assert.All(acks.Where(a => a.ClientMsgId != "burst-old"), ack => Assert.Contains(history, m => m.Id == ack.MessageId && m.Seq == ack.Seq));
    }

    [Fact]
    public async Task OnlyFriendsCanMessageEachOther()
    {
        using var alice = await _server.NewUserAsync();
        using var stranger = await _server.NewUserAsync();
        await using var socket = await ParleyRealtime.ConnectAsync(alice);
        var refusal = await Assert.ThrowsAsync<ParleyRealtimeException>(() => socket.SendMessageAsync(SendTarget.User(stranger.UserId), "text", "hi"));
        Assert.Equal("not_friends", refusal.Code);
        await Refused.WithAsync(HttpStatusCode.Forbidden, "not_friends", () => alice.SendMessageAsync(SendTarget.User(stranger.UserId), "text", "hi"));
    }

    [Fact]
    public async Task ABlockedFriendCannotMessage()
    {
        var (alice, bob) = await FriendsAsync();
        await bob.BlockAsync(alice.UserId);
        await Refused.WithAsync(HttpStatusCode.Forbidden, "blocked", () => alice.SendMessageAsync(SendTarget.User(bob.UserId), "text", "hi"));
    }

    [Fact]
    public async Task ConcurrentSendersInOneGroupGetGaplessIncreasingSeqs()
    {
        using var owner = await _server.NewUserAsync("owner");
        var members = new List<ParleyClient>();
        for (var i = 0; i < 3; i++)
        {
            var member = await _server.NewUserAsync($"m{i}");
            await TestServer.MakeFriendsAsync(owner, member);
            members.Add(member);
        }
        var group = await owner.CreateGroupAsync("busy", members.Select(m => m.UserId));
        var senders = new List<ParleyRealtime>();
        foreach (var client in members.Append(owner)) senders.Add(await ParleyRealtime.ConnectAsync(client));

        var acks = await Task.WhenAll(senders.Select(async (socket, s) =>
        {
            var mine = new List<MessageAck>();
            for (var i = 0; i < 25; i++) mine.Add(await socket.SendMessageAsync(SendTarget.Group(group.Id), "text", $"{s}-{i}"));
            return mine;
        }));
        // Seq 1 is the group's "created" system message.
        var seqs = acks.SelectMany(a => a).Select(a => a.Seq).Order().ToList();
        Assert.Equal(Enumerable.Range(2, 100).Select(i => (long)i), seqs);
        // Each sender's own messages keep their order.
        Assert.All(acks, mine => Assert.Equal(mine.Select(a => a.Seq).Order(), mine.Select(a => a.Seq)));

        var stored = await owner.GetMessagesAsync(group.Id, afterSeq: 0, limit: 200);
        Assert.Equal(Enumerable.Range(1, 101).Select(i => (long)i), stored.Select(m => m.Seq));
        Assert.Equal("system", stored[0].Type);
        foreach (var socket in senders) await socket.DisposeAsync();
    }

    [Fact]
    public async Task AnOfflineUserCatchesUpWithSync()
    {
        var (alice, bob) = await FriendsAsync();
        MessageAck last = null!;
        for (var i = 1; i <= 5; i++) last = await alice.SendMessageAsync(SendTarget.User(bob.UserId), "text", $"while you were out {i}");

        await using var bobPhone = await ParleyRealtime.ConnectAsync(bob);
        var done = bobPhone.RequestAsync("msg.sync", new { });
        var batch = await bobPhone.NextEventAsync("msg.batch");
        var synced = await done;
        Assert.Equal("msg.synced", synced.Type);
        var messages = batch.Data.GetProperty("messages").EnumerateArray().ToList();
        Assert.Equal(new long[] { 1, 2, 3, 4, 5 }, messages.Select(m => m.GetProperty("seq").GetInt64()));
        Assert.Equal(last.ConversationId, batch.Data.GetProperty("conversationId").GetString());

        // After reading up to 3, an "everything unread" sync starts at 4; an explicit afterSeq is honoured as given.
        await bob.MarkReadAsync(last.ConversationId, 3);
        var again = bobPhone.RequestAsync("msg.sync", new { });
        var rest = await bobPhone.NextEventAsync("msg.batch");
        await again;
        Assert.Equal(new long[] { 4, 5 }, rest.Data.GetProperty("messages").EnumerateArray().Select(m => m.GetProperty("seq").GetInt64()));

        var explicitSync = bobPhone.RequestAsync("msg.sync", new { conversations = new Dictionary<string, long> { [last.ConversationId] = 4 } });
        var tail = await bobPhone.NextEventAsync("msg.batch");
        await explicitSync;
        Assert.Equal(5, Assert.Single(tail.Data.GetProperty("messages").EnumerateArray()).GetProperty("seq").GetInt64());
    }

    [Fact]
    public async Task HistoryPagesNewestFirstBeforeASeqAndOldestFirstAfterOne()
    {
        var (alice, bob) = await FriendsAsync();
        MessageAck ack = null!;
        for (var i = 1; i <= 6; i++) ack = await alice.SendMessageAsync(SendTarget.User(bob.UserId), "text", $"m{i}");
        Assert.Equal(new long[] { 6, 5 }, (await bob.GetMessagesAsync(ack.ConversationId, limit: 2)).Select(m => m.Seq));
        Assert.Equal(new long[] { 4, 3 }, (await bob.GetMessagesAsync(ack.ConversationId, beforeSeq: 5, limit: 2)).Select(m => m.Seq));
        Assert.Equal(new long[] { 3, 4, 5 }, (await bob.GetMessagesAsync(ack.ConversationId, afterSeq: 2, limit: 3)).Select(m => m.Seq));

        using var outsider = await _server.NewUserAsync();
        await Refused.WithAsync(HttpStatusCode.NotFound, "conversation_not_found", () => outsider.GetMessagesAsync(ack.ConversationId));
    }

    [Fact]
    public async Task ReadingSendsAReceiptToTheOtherSide()
    {
        var (alice, bob) = await FriendsAsync();
        await using var aliceSocket = await ParleyRealtime.ConnectAsync(alice);
        var ack = await aliceSocket.SendMessageAsync(SendTarget.User(bob.UserId), "text", "read me");
        await using var bobSocket = await ParleyRealtime.ConnectAsync(bob);
        var ok = await bobSocket.RequestAsync("msg.read", new { conversationId = ack.ConversationId, seq = ack.Seq });
        Assert.Equal(ack.Seq, ok.Data.GetProperty("seq").GetInt64());
        var receipt = await aliceSocket.NextEventAsync("msg.read");
        Assert.Equal(bob.UserId, receipt.Data.GetProperty("userId").GetString());
        Assert.Equal(ack.Seq, receipt.Data.GetProperty("seq").GetInt64());
    }

    [Fact]
    public async Task BadFramesGetErrorsAndTheConnectionLivesOn()
    {
        using var alice = await _server.NewUserAsync();
        await using var socket = await ParleyRealtime.ConnectAsync(alice);
        await socket.SendRawAsync("this is not json");
        Assert.Equal("invalid_frame", (await socket.NextEventAsync("error")).Data.GetProperty("code").GetString());
        await socket.SendRawAsync("{\"type\":\"no.such.thing\",\"id\":\"7\"}");
        Assert.Equal("unknown_type", (await socket.NextEventAsync("error")).Data.GetProperty("code").GetString());
        await socket.SendRawAsync("{\"type\":\"msg.send\",\"data\":{\"to\":{\"userId\":\"1\"},\"clientMsgId\":\"x\",\"type\":\"text\",\"content\":\"" + new string('a', 70_000) + "\"}}");
        Assert.Equal("frame_too_large", (await socket.NextEventAsync("error")).Data.GetProperty("code").GetString());

        var pong = await socket.RequestAsync("ping", null);
        Assert.Equal("pong", pong.Type);
        Assert.Equal(WebSocketState.Open, socket.State);
    }

    [Fact]
    public async Task FramesOfEverySizeUpToTheLimitAreReadWhole()
    {
        // The gateway reads into a 4 KiB buffer and doubles it for a larger frame: texts below and above 4 KiB, then a
        // frame of exactly the limit, which takes every doubling.
        var (alice, bob) = await FriendsAsync();
        await using var aliceSocket = await ParleyRealtime.ConnectAsync(alice);
        await using var bobSocket = await ParleyRealtime.ConnectAsync(bob);
        foreach (var length in new[] { 4000, 1500, 3000 })
        {
            var text = string.Concat(Enumerable.Range(0, length).Select(i => i % 7 == 0 ? '€' : (char)('a' + i % 26)));
            var ack = await aliceSocket.SendMessageAsync(SendTarget.User(bob.UserId), "text", text);
            var delivered = await bobSocket.NextEventAsync("msg.new");
            Assert.Equal(ack.MessageId, delivered.Data.GetProperty("id").GetString());
            Assert.Equal(text, delivered.Data.GetProperty("content").GetString());
        }

        // A frame of exactly the limit (64 KiB) is read whole and answered; one byte more is refused.
        static string PingOf(int frameBytes, string id)
        {
            var head = "{\"type\":\"ping\",\"id\":\"" + id + "\",\"data\":{\"pad\":\"";
            const string tail = "\"}}";
            return head + new string('x', frameBytes - head.Length - tail.Length) + tail;
        }
        await aliceSocket.SendRawAsync(PingOf(64 * 1024, "edge"));
        var pong = await aliceSocket.NextEventAsync("pong");
        Assert.Equal("edge", pong.Id);
        await aliceSocket.SendRawAsync(PingOf(64 * 1024 + 1, "over"));
        Assert.Equal("frame_too_large", (await aliceSocket.NextEventAsync("error")).Data.GetProperty("code").GetString());
        Assert.Equal("pong", (await aliceSocket.RequestAsync("ping", null)).Type);
    }

    [Fact]
    public async Task TheHandshakeNeedsAValidTokenFromTheHeaderOrTheQuery()
    {
        using var anonymous = new ClientWebSocket();
        var uri = new Uri($"ws://{_server.BaseAddress.Authority}/ws");
        var refused = await Assert.ThrowsAsync<WebSocketException>(() => anonymous.ConnectAsync(uri, CancellationToken.None));
        Assert.Contains("401", refused.Message, StringComparison.Ordinal);

        using var user = await _server.NewUserAsync();
        using var browserLike = new ClientWebSocket();
        await browserLike.ConnectAsync(new Uri($"{uri}?access_token={user.AccessToken}"), CancellationToken.None);
        Assert.Equal(WebSocketState.Open, browserLike.State);
    }

    [Fact]
    public async Task FriendsSeePresenceAndTheFriendListShowsWhoIsOnline()
    {
        var (alice, bob) = await FriendsAsync();
        await using var aliceSocket = await ParleyRealtime.ConnectAsync(alice);
        var bobSocket = await ParleyRealtime.ConnectAsync(bob);
        var online = await aliceSocket.NextEventAsync("presence");
        Assert.Equal(bob.UserId, online.Data.GetProperty("userId").GetString());
        Assert.True(online.Data.GetProperty("online").GetBoolean());
        Assert.True((await alice.GetFriendsAsync()).Single(f => f.UserId == bob.UserId).Online);

        await bobSocket.DisposeAsync();
        var offline = await aliceSocket.NextEventAsync("presence");
        Assert.False(offline.Data.GetProperty("online").GetBoolean());
        Assert.False((await alice.GetFriendsAsync()).Single(f => f.UserId == bob.UserId).Online);
    }

    [Fact]
    public async Task MalformedSendsAreRefusedWithValidationErrors()
    {
        var (alice, bob) = await FriendsAsync();
        await Refused.WithAsync(HttpStatusCode.BadRequest, "validation_failed", () => alice.SendMessageAsync(SendTarget.User(bob.UserId), "text", ""));
        await Refused.WithAsync(HttpStatusCode.BadRequest, "validation_failed", () => alice.SendMessageAsync(SendTarget.User(bob.UserId), "call", "x"));
        await Refused.WithAsync(HttpStatusCode.BadRequest, "validation_failed", () => alice.SendMessageAsync(SendTarget.User(bob.UserId), "image", null));
        await Refused.WithAsync(HttpStatusCode.BadRequest, "validation_failed", () => alice.SendMessageAsync(new SendTarget(), "text", "to nobody"));
        // PostgreSQL cannot store NUL in text: a 400 for the sender, never a failed batch for everyone.
        await Refused.WithAsync(HttpStatusCode.BadRequest, "validation_failed", () => alice.SendMessageAsync(SendTarget.User(bob.UserId), "text", "a\0b"));
        await Refused.WithAsync(HttpStatusCode.BadRequest, "invalid_json", () => alice.UpdateMeAsync(new UpdateProfileRequest { Nickname = "nul\0name" }));
        // A descriptor the client made up is not a file: attachments are uploaded first (see Files/).
        await Refused.WithAsync(HttpStatusCode.BadRequest, "validation_failed", () => alice.SendMessageAsync(SendTarget.User(bob.UserId), "image", null,
            new { name = "cat.png", size = 1234, contentType = "image/png", url = "https://files.example.test/cat.png", width = 64, height = 48 }));
        var uploaded = await alice.UploadFileAsync(new MemoryStream(Files.TestFiles.Png(64, 48)), "cat.png", "image/png", FileKinds.Image);
        var image = await alice.SendMessageAsync(SendTarget.User(bob.UserId), "image", null, new { fileId = uploaded.FileId });
        var stored = Assert.Single(await bob.GetMessagesAsync(image.ConversationId));
        Assert.Equal("image", stored.Type);
        Assert.Equal(64, stored.File!.Value.GetProperty("width").GetInt32());
    }
}
