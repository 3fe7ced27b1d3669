using System.Net;
using System.Text.Json;
using Parley.IntegrationTests.Files;
using Parley.IntegrationTests.Infrastructure;
using static Parley.IntegrationTests.Contract.ContractKit;

namespace Parley.IntegrationTests.Contract;

/// <summary>API.md, "Conversations and messages", over raw HTTP: every row of the table, field by field.</summary>
public sealed class ConversationsContractTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private readonly TestServer _server = fixture.Server;

    private static string Messages(string conversationId) => $"api/v1/conversations/{conversationId}/messages";

    [Fact]
    public async Task AMessageAddressedToAUserOrAGroupCreatesOrFindsTheConversationAndTheReplyCarriesItsId()
    {
        var (alice, bob) = await _server.FriendsAsync();

        var first = await _server.PostAsync(alice, "api/v1/messages",
            new { to = new { userId = bob.Id }, clientMsgId = "first-1", type = "text", content = "hello bob" });
        var ack = first.Ok();
        AssertAck(ack, "first-1");
        Assert.Equal(1, ack.GetProperty("seq").GetInt64());
        var conversation = ack.GetProperty("conversationId").GetString()!;

        // The same rules and reply on the conversation's own path, with or without a `to` that names it.
        var second = (await _server.PostAsync(alice, Messages(conversation), new { clientMsgId = "first-2", type = "text", content = "two" })).Ok();
        AssertAck(second, "first-2", conversation);
        Assert.Equal(2, second.GetProperty("seq").GetInt64());
        var third = (await _server.PostAsync(alice, Messages(conversation),
            new { to = new { conversationId = conversation }, clientMsgId = "first-3", type = "text", content = "three" })).Ok();
        AssertAck(third, "first-3", conversation);
        Assert.Equal(3, third.GetProperty("seq").GetInt64());
        // A body copied from a socket msg.send, addressed to the peer, lands in the same conversation.
        var fourth = (await _server.PostAsync(alice, Messages(conversation),
            new { to = new { userId = bob.Id }, clientMsgId = "first-4", type = "text", content = "four" })).Ok();
        AssertAck(fourth, "first-4", conversation);
        Assert.Equal(4, fourth.GetProperty("seq").GetInt64());
        // ... but one that names someone else is refused.
        var carol = await _server.UserAsync("carol");
        await TestServer.MakeFriendsAsync(alice.Sdk, carol.Sdk);
        (await _server.PostAsync(alice, Messages(conversation),
            new { to = new { userId = carol.Id }, clientMsgId = "first-5", type = "text", content = "wrong" })).Problem(HttpStatusCode.BadRequest, "validation_failed");

        // Before the conversation exists, the path cannot name it: a `to` of {userId} is followed, and the ack carries the new id.
        var first2 = (await _server.PostAsync(carol, Messages(alice.Id),
            new { to = new { userId = alice.Id }, clientMsgId = "carol-1", type = "text", content = "hi alice, carol here" })).Ok();
        AssertAck(first2, "carol-1");
        Assert.Equal(1, first2.GetProperty("seq").GetInt64());
        Assert.NotEqual(conversation, first2.GetProperty("conversationId").GetString());
        var again2 = (await _server.PostAsync(carol, Messages("new"),
            new { to = new { userId = alice.Id }, clientMsgId = "carol-2", type = "text", content = "again" })).Ok();
        AssertAck(again2, "carol-2", first2.GetProperty("conversationId").GetString());
        // ... but a conversation of mine in the path is never redirected, and an outsider gets nothing from it.
        (await _server.PostAsync(carol, Messages(first2.GetProperty("conversationId").GetString()!),
            new { to = new { conversationId = conversation }, clientMsgId = "carol-3", type = "text", content = "redirect?" })).Problem(HttpStatusCode.BadRequest, "validation_failed");
        (await _server.PostAsync(carol, Messages(conversation), new { to = new { userId = bob.Id }, clientMsgId = "carol-4", type = "text", content = "hi" }))
            .Problem(HttpStatusCode.Forbidden, "not_friends");

        // Bob answers with `to: {userId}` and gets the same conversation.
        var answer = (await _server.PostAsync(bob, "api/v1/messages",
            new { to = new { userId = alice.Id }, clientMsgId = "answer-1", type = "text", content = "hi alice" })).Ok();
        AssertAck(answer, "answer-1", conversation);
        Assert.Equal(5, answer.GetProperty("seq").GetInt64());

        // A group, addressed by its id.
        var group = await alice.Sdk.CreateGroupAsync("contract", new[] { bob.Id });
        var toGroup = (await _server.PostAsync(bob, "api/v1/messages",
            new { to = new { groupId = group.Id }, clientMsgId = "group-1", type = "text", content = "hi all" })).Ok();
        AssertAck(toGroup, "group-1");
        var groupConversation = toGroup.GetProperty("conversationId").GetString()!;
        Assert.NotEqual(conversation, groupConversation);
        var viaPath = (await _server.PostAsync(alice, Messages(groupConversation),
            new { to = new { groupId = group.Id }, clientMsgId = "group-2", type = "text", content = "hello" })).Ok();
        AssertAck(viaPath, "group-2", groupConversation);
        Assert.Equal(toGroup.GetProperty("seq").GetInt64() + 1, viaPath.GetProperty("seq").GetInt64());
    }

    [Fact]
    public async Task SendingTheSameClientMsgIdAgainReturnsTheFirstAckAndStoresNothingNew()
    {
        var (alice, bob) = await _server.FriendsAsync();
        var body = new { to = new { userId = bob.Id }, clientMsgId = "once-only", type = "text", content = "just once" };
        var first = (await _server.PostAsync(alice, "api/v1/messages", body)).Ok();
        var again = (await _server.PostAsync(alice, "api/v1/messages", body)).Ok();
        Assert.Equal(first.GetRawText(), again.GetRawText());
        var conversation = first.GetProperty("conversationId").GetString()!;
        var viaPath = (await _server.PostAsync(alice, Messages(conversation), new { clientMsgId = "once-only", type = "text", content = "just once" })).Ok();
        Assert.Equal(first.GetRawText(), viaPath.GetRawText());

        // At the same moment, over HTTP and the socket: one message, one ack for all.
        await using var socket = await RawSocket.ConnectAsync(_server, alice);
        var racing = new { to = new { conversationId = conversation }, clientMsgId = "raced", type = "text", content = "at once" };
        var overHttp = Enumerable.Range(0, 6).Select(_ => _server.PostAsync(alice, "api/v1/messages", racing)).ToList();
        var overSocket = Enumerable.Range(0, 3).Select(_ => socket.SendAsync("msg.send", racing)).ToList();
        var socketIds = await Task.WhenAll(overSocket);
        var acks = (await Task.WhenAll(overHttp)).Select(r => r.Ok().GetRawText()).ToList();
        foreach (var id in socketIds)
        {
            var frame = await socket.WaitAsync(f => RawSocket.Id(f) == id);
            Assert.Equal("msg.ack", RawSocket.Type(frame));
            acks.Add(RawSocket.Data(frame).GetRawText());
        }
        Assert.Single(acks.Distinct());

        var history = (await _server.GetAsync(bob, Messages(conversation))).Ok();
        Assert.Equal(2, history.GetArrayLength());
    }

    [Fact]
    public async Task TheConversationListHasTheContractShapePinnedFirstThenByLastActivity()
    {
        var (alice, bob) = await _server.FriendsAsync();
        var carol = await _server.UserAsync("carol");
        await TestServer.MakeFriendsAsync(alice.Sdk, carol.Sdk);
        var withBob = (await _server.FirstMessageAsync(bob, alice, "from bob")).GetProperty("conversationId").GetString()!;
        var withCarol = (await _server.FirstMessageAsync(carol, alice, "from carol")).GetProperty("conversationId").GetString()!;
        var group = await alice.Sdk.CreateGroupAsync("club", new[] { bob.Id });
        var inGroup = (await _server.PostAsync(bob, "api/v1/messages",
            new { to = new { groupId = group.Id }, clientMsgId = Guid.NewGuid().ToString(), type = "text", content = "group hello" })).Ok();
        var groupConversation = inGroup.GetProperty("conversationId").GetString()!;

        var list = (await _server.GetAsync(alice, "api/v1/conversations")).Ok();
        var rows = Prop(list, "conversations").EnumerateArray().ToList();
        Assert.Equal([groupConversation, withCarol, withBob], rows.Select(r => r.GetProperty("id").GetString()));

        var direct = rows.Single(r => r.GetProperty("id").GetString() == withBob);
        AssertId(direct, "id");
        AssertString(direct, "kind", "direct");
        AssertId(Prop(direct, "peer"), "id", bob.Id);
        AssertBool(direct, "online");
        Assert.Equal(1, AssertNumber(direct, "lastSeq"));
        Assert.Equal(0, AssertNumber(direct, "readSeq"));
        Assert.Equal(1, AssertNumber(direct, "unreadCount"));
        Assert.False(AssertBool(direct, "pinned"));
        Assert.False(AssertBool(direct, "muted"));
        var preview = Prop(direct, "lastMessage");
        AssertId(preview, "id");
        AssertId(preview, "senderId", bob.Id);
        Assert.Equal(1, AssertNumber(preview, "seq"));
        AssertString(preview, "preview", "from bob");
        Assert.Equal(AssertTimestamp(preview, "sentAt"), AssertTimestamp(direct, "lastActivityAt"));
        AssertString(preview, "type", "text");
        Assert.False(AssertBool(preview, "recalled"));

        var groupRow = rows.Single(r => r.GetProperty("id").GetString() == groupConversation);
        AssertString(groupRow, "kind", "group");
        AssertId(Prop(groupRow, "group"), "id", group.Id);
        AssertString(Prop(groupRow, "group"), "name", "club");
        Assert.True(Absent(groupRow, "peer"));

        // Pinned first; the PATCH answers with my updated row.
        var pinned = (await _server.PatchAsync(alice, $"api/v1/conversations/{withBob}", new { pinned = true, muted = true })).Ok();
        AssertId(pinned, "id", withBob);
        Assert.True(AssertBool(pinned, "pinned"));
        Assert.True(AssertBool(pinned, "muted"));
        var after = (await _server.GetAsync(alice, "api/v1/conversations")).Ok();
        Assert.Equal([withBob, groupConversation, withCarol], Prop(after, "conversations").EnumerateArray().Select(r => r.GetProperty("id").GetString()));
        (await _server.PatchAsync(alice, $"api/v1/conversations/{withBob}", new { pinned = "yes" })).Problem(HttpStatusCode.BadRequest, "invalid_json");

        // Bob's settings are his own.
        var bobsRow = (await _server.GetAsync(bob, $"api/v1/conversations/{withBob}")).Ok();
        Assert.False(AssertBool(bobsRow, "pinned"));
    }

    [Fact]
    public async Task HistoryIsNewestFirstWithBeforeSeqOldestFirstWithAfterSeqAndLeavesOutWhatIDeleted()
    {
        var (alice, bob) = await _server.FriendsAsync();
        var conversation = (await _server.FirstMessageAsync(alice, bob, "m1")).GetProperty("conversationId").GetString()!;
        var acks = new List<JsonElement>();
        for (var i = 2; i <= 6; i++) acks.Add(await _server.SendTextAsync(i % 2 == 0 ? bob : alice, conversation, $"m{i}"));

        static List<long> Seqs(JsonElement page) => page.EnumerateArray().Select(m => m.GetProperty("seq").GetInt64()).ToList();

        var newest = (await _server.GetAsync(alice, $"{Messages(conversation)}?limit=3")).Ok();
        Assert.Equal([6, 5, 4], Seqs(newest));
        var before = (await _server.GetAsync(alice, $"{Messages(conversation)}?beforeSeq=4&limit=2")).Ok();
        Assert.Equal([3, 2], Seqs(before));
        var after = (await _server.GetAsync(alice, $"{Messages(conversation)}?afterSeq=1&limit=3")).Ok();
        Assert.Equal([2, 3, 4], Seqs(after));
        Assert.Empty((await _server.GetAsync(alice, $"{Messages(conversation)}?afterSeq=6")).Ok().EnumerateArray());

        foreach (var message in newest.EnumerateArray()) AssertMessage(message, conversation, type: "text");
        var m5 = newest.EnumerateArray().Single(m => m.GetProperty("seq").GetInt64() == 5);
        AssertId(m5, "senderId", alice.Id);
        Assert.Equal("m5", m5.GetProperty("content").GetString());
        Assert.False(m5.GetProperty("recalled").GetBoolean());
        Assert.Equal(acks[3].GetProperty("messageId").GetString(), m5.GetProperty("id").GetString());
        Assert.Equal(acks[3].GetProperty("sentAt").GetString(), m5.GetProperty("sentAt").GetString());
        Assert.Equal(acks[3].GetProperty("clientMsgId").GetString(), m5.GetProperty("clientMsgId").GetString());

        // Delete for me: 204, gone from my history only.
        var deleted = await _server.CallAsync(alice, HttpMethod.Delete, $"{Messages(conversation)}/{m5.GetProperty("id").GetString()}");
        Assert.Equal(HttpStatusCode.NoContent, deleted.Status);
        Assert.Equal([6, 4, 3], Seqs((await _server.GetAsync(alice, $"{Messages(conversation)}?limit=3")).Ok()));
        Assert.Equal([4, 6], Seqs((await _server.GetAsync(alice, $"{Messages(conversation)}?afterSeq=3")).Ok()));
        Assert.Equal([6, 5, 4], Seqs((await _server.GetAsync(bob, $"{Messages(conversation)}?limit=3")).Ok()));
        (await _server.CallAsync(alice, HttpMethod.Delete, $"{Messages(conversation)}/123456789")).Problem(HttpStatusCode.NotFound, "message_not_found");
    }

    [Fact]
    public async Task MarkingReadAnswersTheReceiptAndTheOtherMemberSeesMsgRead()
    {
        var (alice, bob) = await _server.FriendsAsync();
        var conversation = (await _server.FirstMessageAsync(alice, bob, "one")).GetProperty("conversationId").GetString()!;
        await _server.SendTextAsync(alice, conversation, "two");
        await using var alicesSocket = await RawSocket.ConnectAsync(_server, alice);

        var read = (await _server.PostAsync(bob, $"api/v1/conversations/{conversation}/read", new { seq = 2 })).Ok();
        AssertId(read, "conversationId", conversation);
        AssertId(read, "userId", bob.Id);
        Assert.Equal(2, AssertNumber(read, "seq"));

        var receipt = RawSocket.Data(await alicesSocket.WaitAsync("msg.read"));
        AssertId(receipt, "conversationId", conversation);
        AssertId(receipt, "userId", bob.Id);
        Assert.Equal(2, AssertNumber(receipt, "seq"));
        Assert.Equal(["conversationId", "seq", "userId"], receipt.EnumerateObject().Select(p => p.Name).Order());

        var row = (await _server.GetAsync(bob, $"api/v1/conversations/{conversation}")).Ok();
        Assert.Equal(2, AssertNumber(row, "readSeq"));
        Assert.Equal(0, AssertNumber(row, "unreadCount"));

        var stranger = await _server.UserAsync("stranger");
        (await _server.PostAsync(stranger, $"api/v1/conversations/{conversation}/read", new { seq = 1 })).Problem(HttpStatusCode.NotFound, "conversation_not_found");
    }

    [Fact]
    public async Task TheSenderRecallsAndEveryoneSeesItRecalled()
    {
        var (alice, bob) = await _server.FriendsAsync();
        var ack = await _server.FirstMessageAsync(alice, bob, "oops");
        var conversation = ack.GetProperty("conversationId").GetString()!;
        var messageId = ack.GetProperty("messageId").GetString()!;
        await using var bobsSocket = await RawSocket.ConnectAsync(_server, bob);

        (await _server.PostAsync(bob, $"{Messages(conversation)}/{messageId}/recall", null)).Problem(HttpStatusCode.Forbidden, "not_message_sender");
        var recalled = (await _server.PostAsync(alice, $"{Messages(conversation)}/{messageId}/recall", null)).Ok();
        AssertMessage(recalled, conversation, alice.Id, "text");
        Assert.True(recalled.GetProperty("recalled").GetBoolean());
        Assert.Equal("", recalled.GetProperty("content").GetString());

        var recalledEvent = RawSocket.Data(await bobsSocket.WaitAsync("msg.recalled"));
        AssertId(recalledEvent, "conversationId", conversation);
        AssertId(recalledEvent, "messageId", messageId);
        Assert.Equal(1, AssertNumber(recalledEvent, "seq"));

        var history = (await _server.GetAsync(bob, Messages(conversation))).Ok().EnumerateArray().Single();
        Assert.True(history.GetProperty("recalled").GetBoolean());
        Assert.Equal("", history.GetProperty("content").GetString());
        (await _server.PostAsync(alice, $"{Messages(conversation)}/123456789/recall", null)).Problem(HttpStatusCode.NotFound, "message_not_found");
        var stranger = await _server.UserAsync("stranger");
        (await _server.PostAsync(stranger, $"{Messages(conversation)}/{messageId}/recall", null)).Problem(HttpStatusCode.NotFound, "conversation_not_found");
    }

    [Fact]
    public async Task SearchFindsWhatICanSeeAndOnlyMembersMaySearch()
    {
        var (alice, bob) = await _server.FriendsAsync();
        var conversation = (await _server.FirstMessageAsync(alice, bob, "the quick brown fox")).GetProperty("conversationId").GetString()!;
        await _server.SendTextAsync(bob, conversation, "lazy dog");
        var later = await _server.SendTextAsync(bob, conversation, "another quick one");

        var hits = (await _server.GetAsync(alice, $"{Messages(conversation)}/search?q=quick")).Ok();
        Assert.Equal([3, 1], hits.EnumerateArray().Select(m => m.GetProperty("seq").GetInt64()));
        foreach (var hit in hits.EnumerateArray()) AssertMessage(hit, conversation, type: "text");

        await _server.CallAsync(alice, HttpMethod.Delete, $"{Messages(conversation)}/{later.GetProperty("messageId").GetString()}");
        Assert.Equal([1], (await _server.GetAsync(alice, $"{Messages(conversation)}/search?q=QUICK")).Ok().EnumerateArray().Select(m => m.GetProperty("seq").GetInt64()));

        var stranger = await _server.UserAsync("stranger");
        (await _server.GetAsync(stranger, $"{Messages(conversation)}/search?q=quick")).Problem(HttpStatusCode.NotFound, "conversation_not_found");
        (await _server.GetAsync(alice, $"{Messages(conversation)}/search?q=")).Problem(HttpStatusCode.BadRequest, "validation_failed");
    }

    [Fact]
    public async Task OnlyMembersReadAndWrite()
    {
        var (alice, bob) = await _server.FriendsAsync();
        var conversation = (await _server.FirstMessageAsync(alice, bob)).GetProperty("conversationId").GetString()!;
        var stranger = await _server.UserAsync("stranger");

        (await _server.GetAsync(stranger, Messages(conversation))).Problem(HttpStatusCode.NotFound, "conversation_not_found");
        (await _server.PostAsync(stranger, Messages(conversation), new { clientMsgId = "s1", type = "text", content = "hi" }))
            .Problem(HttpStatusCode.NotFound, "conversation_not_found");
        (await _server.PostAsync(stranger, "api/v1/messages", new { to = new { userId = alice.Id }, clientMsgId = "s2", type = "text", content = "hi" }))
            .Problem(HttpStatusCode.Forbidden, "not_friends");
        (await _server.PatchAsync(stranger, $"api/v1/conversations/{conversation}", new { pinned = true })).Problem(HttpStatusCode.NotFound, "conversation_not_found");
        (await _server.CallAsync(stranger, HttpMethod.Delete, $"{Messages(conversation)}/1")).Problem(HttpStatusCode.NotFound, "conversation_not_found");

        var group = await alice.Sdk.CreateGroupAsync("members only", new[] { bob.Id });
        var groupConversation = (await _server.PostAsync(alice, "api/v1/messages",
            new { to = new { groupId = group.Id }, clientMsgId = "g1", type = "text", content = "hi" })).Ok().GetProperty("conversationId").GetString()!;
        (await _server.PostAsync(stranger, "api/v1/messages", new { to = new { groupId = group.Id }, clientMsgId = "s3", type = "text", content = "hi" }))
            .Problem(HttpStatusCode.Forbidden, "not_group_member");
        (await _server.GetAsync(stranger, Messages(groupConversation))).Problem(HttpStatusCode.Forbidden, "not_group_member");
        (await _server.PostAsync(alice, "api/v1/messages", new { to = new { userId = alice.Id }, clientMsgId = "self", type = "text", content = "me" }))
            .Problem(HttpStatusCode.BadRequest, "cannot_message_self");
    }

    [Fact]
    public async Task FilesUploadAsTheContractSaysAndOnlyThoseWhoCanSeeAMessageCarryingThemMayFetchThem()
    {
        var (alice, bob) = await _server.FriendsAsync();
        var conversation = (await _server.FirstMessageAsync(alice, bob)).GetProperty("conversationId").GetString()!;
        var png = TestFiles.Png(4, 3);

        var upload = await ConventionsContractTests.UploadAsync(_server, alice, png, "cat.png", "image");
        var file = upload.Ok(HttpStatusCode.Created);
        var fileId = AssertString(file, "fileId");
        AssertFile(file, fileId);
        AssertString(file, "name", "cat.png");
        Assert.Equal(png.Length, AssertNumber(file, "size"));
        AssertString(file, "contentType", "image/png");
        Assert.Equal(4, AssertNumber(file, "width"));
        Assert.Equal(3, AssertNumber(file, "height"));

        // An upload may be larger than the JSON body limit (1 MiB).
        var large = new byte[2 * 1024 * 1024];
        Random.Shared.NextBytes(large);
        var big = (await ConventionsContractTests.UploadAsync(_server, alice, large, "big.bin")).Ok(HttpStatusCode.Created);
        Assert.Equal(large.Length, AssertNumber(big, "size"));
        AssertString(big, "contentType", "application/octet-stream");

        // Bob cannot fetch it until a message he can see carries it.
        (await _server.GetAsync(bob, $"api/v1/files/{fileId}")).Problem(HttpStatusCode.NotFound, "file_not_found");
        var own = await _server.CallAsync(alice, HttpMethod.Get, file.GetProperty("url").GetString()!.TrimStart('/'));
        Assert.Equal(HttpStatusCode.OK, own.Status);
        Assert.Equal("image/png", own.MediaType);

        var sent = (await _server.PostAsync(alice, Messages(conversation),
            new { clientMsgId = "img-1", type = "image", content = "a cat", file = new { fileId } })).Ok();
        AssertAck(sent, "img-1", conversation);
        var message = (await _server.GetAsync(bob, Messages(conversation))).Ok().EnumerateArray().First();
        AssertMessage(message, conversation, alice.Id, "image");
        Assert.Equal("a cat", message.GetProperty("content").GetString());
        var descriptor = Prop(message, "file");
        AssertFile(descriptor, fileId);
        Assert.Equal(png.Length, descriptor.GetProperty("size").GetInt64());
        Assert.Equal("image/png", descriptor.GetProperty("contentType").GetString());

        var download = await _server.CallAsync(bob, HttpMethod.Get, $"api/v1/files/{fileId}");
        Assert.Equal(HttpStatusCode.OK, download.Status);
        Assert.Equal("image/png", download.MediaType);
        Assert.Equal(png.Length, download.ContentHeaders.ContentLength);

        // As for <img src>, the token may come as access_token.
        var byQuery = await _server.GetAsync(null, $"api/v1/files/{fileId}?access_token={Uri.EscapeDataString(bob.Token)}");
        Assert.Equal(HttpStatusCode.OK, byQuery.Status);
        Assert.Equal("image/png", byQuery.MediaType);

        var stranger = await _server.UserAsync("stranger");
        (await _server.GetAsync(stranger, $"api/v1/files/{fileId}")).Problem(HttpStatusCode.NotFound, "file_not_found");
        (await _server.GetAsync(null, $"api/v1/files/{fileId}?access_token={Uri.EscapeDataString(stranger.Token)}")).Problem(HttpStatusCode.NotFound, "file_not_found");
        (await _server.GetAsync(null, $"api/v1/files/{fileId}")).Problem(HttpStatusCode.Unauthorized, "unauthorized");
        (await _server.PostAsync(alice, Messages(conversation), new { clientMsgId = "img-2", type = "image", file = new { fileId = "123456789" } }))
            .Problem(HttpStatusCode.BadRequest, "file_not_found");

        // After a recall the file can no longer be reached through the message.
        await _server.PostAsync(alice, $"{Messages(conversation)}/{sent.GetProperty("messageId").GetString()}/recall", null);
        (await _server.GetAsync(bob, $"api/v1/files/{fileId}")).Problem(HttpStatusCode.NotFound, "file_not_found");
        var recalled = (await _server.GetAsync(bob, Messages(conversation))).Ok().EnumerateArray().First();
        Assert.True(Absent(recalled, "file"));
    }
}
