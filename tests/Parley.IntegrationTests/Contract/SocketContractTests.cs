using System.Net;
using System.Net.WebSockets;
using System.Text.Json;
using Parley.IntegrationTests.Infrastructure;
using static Parley.IntegrationTests.Contract.ContractKit;

namespace Parley.IntegrationTests.Contract;

/// <summary>API.md, "The WebSocket: GET /ws", with a raw ClientWebSocket: frames, replies, events and errors as written.</summary>
public sealed class SocketContractTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private readonly TestServer _server = fixture.Server;

    private static object Text(object to, string clientMsgId, string content) => new { to, clientMsgId, type = "text", content };

    [Fact]
    public async Task TheTokenIsTakenFromTheAccessTokenQueryOrTheHeaderAndABadOneIsRefusedAtTheHandshake()
    {
        var alice = await _server.UserAsync("alice");
        await using (var byQuery = await RawSocket.ConnectAsync(_server, alice, inQuery: true))
        {
            var pong = await byQuery.RequestAsync("ping", null);
            Assert.Equal("pong", RawSocket.Type(pong));
        }
        await using (var byHeader = await RawSocket.ConnectAsync(_server, alice, inQuery: false))
            Assert.Equal("pong", RawSocket.Type(await byHeader.RequestAsync("ping", null)));

        using var refused = new ClientWebSocket();
        await Assert.ThrowsAnyAsync<WebSocketException>(() => refused.ConnectAsync(RawSocket.Address(_server, "bad.token.here"), CancellationToken.None));
        (await _server.GetAsync(null, "ws?access_token=bad.token.here")).Problem(HttpStatusCode.Unauthorized, "unauthorized");
        // Signed in, but not a WebSocket request.
        (await _server.GetAsync(null, $"ws?access_token={Uri.EscapeDataString(alice.Token)}")).Problem(HttpStatusCode.BadRequest, "websocket_required");
    }

    [Fact]
    public async Task PingIsAnsweredWithPongCarryingTheRequestId()
    {
        var alice = await _server.UserAsync("alice");
        await using var socket = await RawSocket.ConnectAsync(_server, alice);
        await socket.SendTextAsync("{\"type\":\"ping\",\"id\":\"p-42\"}");
        var pong = await socket.WaitAsync(f => RawSocket.Id(f) == "p-42");
        Assert.Equal("pong", RawSocket.Type(pong));
    }

    [Fact]
    public async Task UnknownMalformedAndOversizedFramesGetErrorFramesAndTheConnectionStaysUp()
    {
        var alice = await _server.UserAsync("alice");
        await using var socket = await RawSocket.ConnectAsync(_server, alice);

        await socket.SendTextAsync("{\"type\":\"no.such.type\",\"id\":\"u1\",\"data\":{}}");
        var unknown = await socket.WaitAsync(f => RawSocket.Id(f) == "u1");
        AssertError(unknown, "unknown_type");

        await socket.SendTextAsync("{this is not json");
        AssertError(await socket.WaitAsync(f => RawSocket.Type(f) == "error" && RawSocket.Data(f).GetProperty("code").GetString() == "invalid_frame"), "invalid_frame");

        await socket.SendTextAsync("[1,2,3]");
        await socket.SendTextAsync("{\"type\":\"ping\",\"id\":42}");
        await socket.SendTextAsync("{\"id\":\"t1\",\"data\":{}}");
        AssertError(await socket.WaitAsync(f => RawSocket.Id(f) == "t1"), "invalid_frame");
        Assert.Equal(4, (await socket.SoFarAsync()).Count(f => RawSocket.Type(f) == "error" && RawSocket.Data(f).GetProperty("code").GetString() == "invalid_frame"));

        await socket.SendTextAsync("{\"type\":\"ping\",\"id\":\"big\",\"data\":{\"pad\":\"" + new string('x', 70 * 1024) + "\"}}");
        AssertError(await socket.WaitAsync(f => RawSocket.Type(f) == "error" && RawSocket.Data(f).GetProperty("code").GetString() == "frame_too_large"), "frame_too_large");

        await socket.SendBinaryAsync([1, 2, 3]);
        var binary = await socket.WaitAsync(f => RawSocket.Type(f) == "error" && RawSocket.Data(f).GetProperty("code").GetString() == "binary_not_supported");
        Assert.Null(RawSocket.Id(binary));

        // Data of the wrong shape.
        await socket.SendTextAsync("{\"type\":\"msg.send\",\"id\":\"w1\",\"data\":\"not an object\"}");
        AssertError(await socket.WaitAsync(f => RawSocket.Id(f) == "w1"), "validation_failed");
        await socket.SendTextAsync("{\"type\":\"msg.read\",\"id\":\"w2\",\"data\":{\"conversationId\":5,\"seq\":\"x\"}}");
        AssertError(await socket.WaitAsync(f => RawSocket.Id(f) == "w2"), "validation_failed");

        Assert.Equal(WebSocketState.Open, socket.State);
        Assert.Equal("pong", RawSocket.Type(await socket.RequestAsync("ping", null)));
    }

    [Fact]
    public async Task MsgSendToAUserAGroupOrAConversationIsAckedAndDeliveredAsMsgNew()
    {
        var (alice, bob) = await _server.FriendsAsync();
        await using var alicePhone = await RawSocket.ConnectAsync(_server, alice);
        await using var aliceLaptop = await RawSocket.ConnectAsync(_server, alice, inQuery: false);
        await using var bobPhone = await RawSocket.ConnectAsync(_server, bob);

        var ackFrame = await alicePhone.RequestAsync("msg.send", Text(new { userId = bob.Id }, "ws-1", "hello over the socket"));
        Assert.Equal("msg.ack", RawSocket.Type(ackFrame));
        var ack = RawSocket.Data(ackFrame);
        AssertAck(ack, "ws-1");
        Assert.Equal(["clientMsgId", "conversationId", "messageId", "sentAt", "seq"], ack.EnumerateObject().Select(p => p.Name).Order());
        var conversation = ack.GetProperty("conversationId").GetString()!;

        foreach (var device in new[] { bobPhone, aliceLaptop })
        {
            var frame = await device.WaitAsync("msg.new", m => m.GetProperty("clientMsgId").GetString() == "ws-1");
            Assert.Null(RawSocket.Id(frame));
            var message = RawSocket.Data(frame);
            AssertMessage(message, conversation, alice.Id, "text");
            Assert.Equal(ack.GetProperty("messageId").GetString(), message.GetProperty("id").GetString());
            Assert.Equal(ack.GetProperty("seq").GetInt64(), message.GetProperty("seq").GetInt64());
            Assert.Equal(ack.GetProperty("sentAt").GetString(), message.GetProperty("sentAt").GetString());
            Assert.Equal("hello over the socket", message.GetProperty("content").GetString());
        }

        var byConversation = RawSocket.Data(await bobPhone.RequestAsync("msg.send", Text(new { conversationId = conversation }, "ws-2", "reply")));
        AssertAck(byConversation, "ws-2", conversation);
        Assert.Equal(2, byConversation.GetProperty("seq").GetInt64());

        var group = await alice.Sdk.CreateGroupAsync("socket club", new[] { bob.Id });
        var byGroup = RawSocket.Data(await bobPhone.RequestAsync("msg.send", Text(new { groupId = group.Id }, "ws-3", "hi group")));
        AssertAck(byGroup, "ws-3");
        var groupMessage = RawSocket.Data(await alicePhone.WaitAsync("msg.new", m => m.GetProperty("clientMsgId").GetString() == "ws-3"));
        AssertMessage(groupMessage, byGroup.GetProperty("conversationId").GetString(), bob.Id, "text");

        // Refusals come back as error frames with the request's id.
        var stranger = await _server.UserAsync("stranger");
        await using var strangerSocket = await RawSocket.ConnectAsync(_server, stranger);
        AssertError(await strangerSocket.RequestAsync("msg.send", Text(new { userId = alice.Id }, "s-1", "hi")), "not_friends");
        AssertError(await strangerSocket.RequestAsync("msg.send", Text(new { groupId = group.Id }, "s-2", "hi")), "not_group_member");
        AssertError(await strangerSocket.RequestAsync("msg.send", Text(new { conversationId = conversation }, "s-3", "hi")), "conversation_not_found");
        AssertError(await alicePhone.RequestAsync("msg.send", new { to = new { userId = bob.Id }, type = "text", content = "no id" }), "validation_failed");
        AssertError(await alicePhone.RequestAsync("msg.send", Text(new { userId = bob.Id }, "too-long", new string('a', 4001))), "message_too_large");
    }

    [Fact]
    public async Task SendingTheSameClientMsgIdAgainReturnsTheFirstAckAndStoresNothingNew()
    {
        var (alice, bob) = await _server.FriendsAsync();
        await using var socket = await RawSocket.ConnectAsync(_server, alice);
        var first = RawSocket.Data(await socket.RequestAsync("msg.send", Text(new { userId = bob.Id }, "dup-1", "once")));
        var again = RawSocket.Data(await socket.RequestAsync("msg.send", Text(new { userId = bob.Id }, "dup-1", "once")));
        Assert.Equal(first.GetRawText(), again.GetRawText());
        // Over HTTP too, the retry of a socket send gets the socket's ack.
        var overHttp = (await _server.PostAsync(alice, "api/v1/messages", Text(new { userId = bob.Id }, "dup-1", "once"))).Ok();
        Assert.Equal(first.GetRawText(), overHttp.GetRawText());

        var conversation = first.GetProperty("conversationId").GetString()!;
        var history = (await _server.GetAsync(bob, $"api/v1/conversations/{conversation}/messages")).Ok();
        Assert.Single(history.EnumerateArray());
    }

    [Fact]
    public async Task MsgReadIsAnsweredOkAndTheOtherMembersGetMsgReadWithConversationUserAndSeq()
    {
        var (alice, bob) = await _server.FriendsAsync();
        var conversation = (await _server.FirstMessageAsync(alice, bob, "read me")).GetProperty("conversationId").GetString()!;
        await using var aliceSocket = await RawSocket.ConnectAsync(_server, alice);
        await using var bobSocket = await RawSocket.ConnectAsync(_server, bob);

        var ok = await bobSocket.RequestAsync("msg.read", new { conversationId = conversation, seq = 1 });
        Assert.Equal("ok", RawSocket.Type(ok));
        var receipt = RawSocket.Data(await aliceSocket.WaitAsync("msg.read"));
        Assert.Null(RawSocket.Id(await aliceSocket.WaitAsync(f => RawSocket.Type(f) == "msg.read")));
        AssertId(receipt, "conversationId", conversation);
        AssertId(receipt, "userId", bob.Id);
        Assert.Equal(1, AssertNumber(receipt, "seq"));

        var stranger = await _server.UserAsync("stranger");
        await using var strangerSocket = await RawSocket.ConnectAsync(_server, stranger);
        AssertError(await strangerSocket.RequestAsync("msg.read", new { conversationId = conversation, seq = 1 }), "conversation_not_found");
    }

    [Fact]
    public async Task MsgSyncWithNothingSendsEverythingUnreadAndWithConversationsWhatFollowsEachSeqThenMsgSynced()
    {
        var (alice, bob) = await _server.FriendsAsync();
        var carol = await _server.UserAsync("carol");
        await TestServer.MakeFriendsAsync(bob.Sdk, carol.Sdk);
        var withAlice = (await _server.FirstMessageAsync(alice, bob, "a1")).GetProperty("conversationId").GetString()!;
        await _server.SendTextAsync(alice, withAlice, "a2");
        await _server.SendTextAsync(alice, withAlice, "a3");
        var withCarol = (await _server.FirstMessageAsync(carol, bob, "c1")).GetProperty("conversationId").GetString()!;
        await _server.PostAsync(bob, $"api/v1/conversations/{withAlice}/read", new { seq = 1 });

        await using var socket = await RawSocket.ConnectAsync(_server, bob);
        var id = await socket.SendAsync("msg.sync", new { });
        var synced = await socket.WaitAsync(f => RawSocket.Id(f) == id);
        Assert.Equal("msg.synced", RawSocket.Type(synced));
        var frames = await socket.SoFarAsync();
        var batches = frames.TakeWhile(f => RawSocket.Id(f) != id).Where(f => RawSocket.Type(f) == "msg.batch").Select(RawSocket.Data).ToList();
        var byConversation = batches.GroupBy(b => b.GetProperty("conversationId").GetString()!)
            .ToDictionary(g => g.Key, g => g.SelectMany(b => b.GetProperty("messages").EnumerateArray()).ToList());
        Assert.Equal([2, 3], byConversation[withAlice].Select(m => m.GetProperty("seq").GetInt64()));
        Assert.Equal([1], byConversation[withCarol].Select(m => m.GetProperty("seq").GetInt64()));
        foreach (var batch in batches)
        {
            AssertId(batch, "conversationId");
            foreach (var message in Prop(batch, "messages").EnumerateArray()) AssertMessage(message, batch.GetProperty("conversationId").GetString());
        }

        // Explicit pointers: everything after each seq, whatever was read.
        var explicitId = await socket.SendAsync("msg.sync", new { conversations = new Dictionary<string, long> { [withAlice] = 0 } });
        Assert.Equal("msg.synced", RawSocket.Type(await socket.WaitAsync(f => RawSocket.Id(f) == explicitId)));
        var all = await socket.SoFarAsync();
        var start = all.FindIndex(f => RawSocket.Id(f) == id);
        var second = all.Skip(start + 1).TakeWhile(f => RawSocket.Id(f) != explicitId).Where(f => RawSocket.Type(f) == "msg.batch").Select(RawSocket.Data).ToList();
        Assert.All(second, b => Assert.Equal(withAlice, b.GetProperty("conversationId").GetString()));
        Assert.Equal([1, 2, 3], second.SelectMany(b => b.GetProperty("messages").EnumerateArray()).Select(m => m.GetProperty("seq").GetInt64()));

        // Nothing after the newest: no batch, still msg.synced.
        var emptyId = await socket.SendAsync("msg.sync", new { conversations = new Dictionary<string, long> { [withCarol] = 1 } });
        Assert.Equal("msg.synced", RawSocket.Type(await socket.WaitAsync(f => RawSocket.Id(f) == emptyId)));
        var last = await socket.SoFarAsync();
        var tail = last.Skip(last.FindIndex(f => RawSocket.Id(f) == explicitId) + 1).TakeWhile(f => RawSocket.Id(f) != emptyId);
        Assert.DoesNotContain(tail, f => RawSocket.Type(f) == "msg.batch");
    }

    [Fact]
    public async Task TypingGoesToTheOtherMembersWithConversationAndUser()
    {
        var (alice, bob) = await _server.FriendsAsync();
        var conversation = (await _server.FirstMessageAsync(alice, bob)).GetProperty("conversationId").GetString()!;
        await using var aliceSocket = await RawSocket.ConnectAsync(_server, alice);
        await using var bobSocket = await RawSocket.ConnectAsync(_server, bob);

        await aliceSocket.SendAsync("typing", new { conversationId = conversation });
        var typing = RawSocket.Data(await bobSocket.WaitAsync("typing"));
        AssertId(typing, "conversationId", conversation);
        AssertId(typing, "userId", alice.Id);
        Assert.DoesNotContain(await aliceSocket.SoFarAsync(), f => RawSocket.Type(f) == "typing");
    }

    [Fact]
    public async Task RepliesAndMentionsCarryTheirContractShapes()
    {
        var (alice, bob) = await _server.FriendsAsync();
        var group = await alice.Sdk.CreateGroupAsync("quotes", new[] { bob.Id });
        await using var aliceSocket = await RawSocket.ConnectAsync(_server, alice);
        await using var bobSocket = await RawSocket.ConnectAsync(_server, bob);
        var quoted = RawSocket.Data(await bobSocket.RequestAsync("msg.send", Text(new { groupId = group.Id }, "q-1", "what time?")));
        var conversation = quoted.GetProperty("conversationId").GetString()!;

        await aliceSocket.RequestAsync("msg.send", new
        {
            to = new { conversationId = conversation }, clientMsgId = "q-2", type = "text", content = "noon",
            replyTo = quoted.GetProperty("messageId").GetString(), mentions = new[] { bob.Id },
        });
        var reply = RawSocket.Data(await bobSocket.WaitAsync("msg.new", m => m.GetProperty("clientMsgId").GetString() == "q-2"));
        AssertMessage(reply, conversation, alice.Id, "text");
        var replyTo = Prop(reply, "replyTo");
        AssertId(replyTo, "messageId", quoted.GetProperty("messageId").GetString());
        Assert.Equal(quoted.GetProperty("seq").GetInt64(), AssertNumber(replyTo, "seq"));
        AssertId(replyTo, "senderId", bob.Id);
        AssertString(replyTo, "type", "text");
        AssertString(replyTo, "preview", "what time?");
        Assert.False(AssertBool(replyTo, "recalled"));
        Assert.Equal([bob.Id], Prop(reply, "mentions").EnumerateArray().Select(m => m.GetString()));

        // The same JSON in the history as in msg.new.
        var stored = (await _server.GetAsync(bob, $"api/v1/conversations/{conversation}/messages?limit=1")).Ok().EnumerateArray().Single();
        Assert.Equal(reply.GetRawText(), stored.GetRawText());
        var plain = (await _server.GetAsync(bob, $"api/v1/conversations/{conversation}/messages?afterSeq=0")).Ok().EnumerateArray()
            .Single(m => m.GetProperty("clientMsgId").GetString() == "q-1");
        Assert.True(Absent(plain, "replyTo") && Absent(plain, "mentions"));
        Assert.Equal(JsonValueKind.Null, Prop(plain, "file").ValueKind);

        AssertError(await aliceSocket.RequestAsync("msg.send", new { to = new { conversationId = conversation }, clientMsgId = "q-3", type = "text", content = "?", replyTo = "123" }),
            "invalid_reply");
    }

    [Fact]
    public async Task FriendAndPresenceEventsCarryTheirContractShapes()
    {
        var alice = await _server.UserAsync("alice");
        var carol = await _server.UserAsync("carol");
        await using var aliceSocket = await RawSocket.ConnectAsync(_server, alice);

        var asked = (await _server.PostAsync(carol, "api/v1/friend-requests", new { userId = alice.Id, message = "hi" })).Ok(HttpStatusCode.Created);
        var requestId = AssertString(asked, "id");
        var request = Prop(RawSocket.Data(await aliceSocket.WaitAsync("friend.request")), "request");
        AssertId(request, "id", requestId);
        AssertId(request, "fromUserId", carol.Id);
        AssertId(request, "toUserId", alice.Id);
        AssertString(request, "status", "pending");
        AssertTimestamp(request, "createdAt");

        (await _server.PostAsync(alice, $"api/v1/friend-requests/{requestId}/accept", null)).Ok();
        var added = Prop(RawSocket.Data(await aliceSocket.WaitAsync("friend.added")), "friend");
        AssertId(added, "userId", carol.Id);
        AssertBool(added, "online");
        AssertTimestamp(added, "since");

        await using (var carolSocket = await RawSocket.ConnectAsync(_server, carol))
        {
            var online = RawSocket.Data(await aliceSocket.WaitAsync("presence", p => p.GetProperty("online").GetBoolean()));
            AssertId(online, "userId", carol.Id);
            Assert.Equal(["online", "userId"], online.EnumerateObject().Select(p => p.Name).Order());
        }
        var offline = RawSocket.Data(await aliceSocket.WaitAsync("presence", p => !p.GetProperty("online").GetBoolean()));
        AssertId(offline, "userId", carol.Id);

        Assert.Equal(HttpStatusCode.NoContent, (await _server.CallAsync(alice, HttpMethod.Delete, $"api/v1/friends/{carol.Id}")).Status);
        AssertId(RawSocket.Data(await aliceSocket.WaitAsync("friend.removed")), "userId", carol.Id);
    }

    [Fact]
    public async Task GroupEventsCarryTheirContractShapes()
    {
        var (alice, bob) = await _server.FriendsAsync();
        await using var bobSocket = await RawSocket.ConnectAsync(_server, bob);
        await using var aliceSocket = await RawSocket.ConnectAsync(_server, alice);

        var group = (await _server.PostAsync(alice, "api/v1/groups", new { name = "events", memberIds = new[] { bob.Id } })).Ok(HttpStatusCode.Created);
        var groupId = AssertString(group, "id");
        var joined = RawSocket.Data(await bobSocket.WaitAsync("group.member.joined"));
        AssertId(joined, "groupId", groupId);
        Assert.Contains(Prop(joined, "members").EnumerateArray(), m => m.GetProperty("userId").GetString() == bob.Id);

        (await _server.PatchAsync(alice, $"api/v1/groups/{groupId}", new { name = "renamed" })).Ok();
        var updated = Prop(RawSocket.Data(await bobSocket.WaitAsync("group.updated")), "group");
        AssertId(updated, "id", groupId);
        AssertString(updated, "name", "renamed");

        Assert.Equal(HttpStatusCode.NoContent, (await _server.CallAsync(bob, HttpMethod.Delete, $"api/v1/groups/{groupId}/members/{bob.Id}")).Status);
        var left = RawSocket.Data(await aliceSocket.WaitAsync("group.member.left"));
        AssertId(left, "groupId", groupId);
        AssertId(left, "userId", bob.Id);
        AssertString(left, "reason", "left");

        Assert.Equal(HttpStatusCode.NoContent, (await _server.CallAsync(alice, HttpMethod.Delete, $"api/v1/groups/{groupId}")).Status);
        var dissolved = RawSocket.Data(await aliceSocket.WaitAsync("group.dissolved"));
        AssertId(dissolved, "groupId", groupId);
        AssertId(dissolved, "by", alice.Id);
    }

    private static void AssertError(JsonElement frame, string code)
    {
        Assert.True(RawSocket.Type(frame) == "error", $"Expected an error frame {code}, got {frame.GetRawText()}");
        var data = RawSocket.Data(frame);
        AssertString(data, "code", code);
        AssertString(data, "message");
    }
}
