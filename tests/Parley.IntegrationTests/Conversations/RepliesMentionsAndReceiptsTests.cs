using System.Net;
using Parley.Client;
using Parley.IntegrationTests.Groups;
using Parley.IntegrationTests.Infrastructure;

namespace Parley.IntegrationTests.Conversations;

public sealed class RepliesMentionsAndReceiptsTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private readonly TestServer _server = fixture.Server;

    [Fact]
    public async Task AReplyCarriesAShortQuoteOfTheMessageItAnswers()
    {
        var (alice, bob) = await _server.FriendsAsync();
        await using var bobSocket = await ParleyRealtime.ConnectAsync(bob);
        var question = await alice.SendMessageAsync(SendTarget.User(bob.UserId), "text", "lunch at noon? " + new string('x', 100));
        await bobSocket.NextEventAsync("msg.new");

        var answer = await bobSocket.SendMessageAsync(SendTarget.Conversation(question.ConversationId), "text", "yes", replyTo: question.MessageId);
        var history = await alice.GetMessagesAsync(question.ConversationId);
        var reply = history.Single(m => m.Id == answer.MessageId);
        Assert.Equal(question.MessageId, reply.ReplyTo!.MessageId);
        Assert.Equal(question.Seq, reply.ReplyTo.Seq);
        Assert.Equal(alice.UserId, reply.ReplyTo.SenderId);
        Assert.Equal("text", reply.ReplyTo.Type);
        Assert.Equal(80, reply.ReplyTo.Preview.Length);
        Assert.StartsWith("lunch at noon? xxx", reply.ReplyTo.Preview, StringComparison.Ordinal);
        Assert.False(reply.ReplyTo.Recalled);
        Assert.Null(history.Single(m => m.Id == question.MessageId).ReplyTo);

        // Over HTTP too, and the live copy carries the quote.
        await using var aliceSocket = await ParleyRealtime.ConnectAsync(alice);
        var again = await alice.SendMessageAsync(SendTarget.User(bob.UserId), "text", "great", replyTo: answer.MessageId);
        var live = await bobSocket.NextEventAsync("msg.new");
        Assert.Equal(again.MessageId, live.Data.GetProperty("id").GetString());
        Assert.Equal(answer.MessageId, live.Data.GetProperty("replyTo").GetProperty("messageId").GetString());
        Assert.Equal("yes", live.Data.GetProperty("replyTo").GetProperty("preview").GetString());
    }

    [Fact]
    public async Task ARecalledMessageCanBeRepliedToAndTheQuoteSaysRecalled()
    {
        var (alice, bob) = await _server.FriendsAsync();
        var oops = await alice.SendMessageAsync(SendTarget.User(bob.UserId), "text", "oops");
        await alice.RecallAsync(oops.ConversationId, oops.MessageId);
        Assert.Equal("[recalled]", (await bob.GetConversationAsync(oops.ConversationId)).LastMessage!.Preview);
        Assert.True((await bob.GetConversationAsync(oops.ConversationId)).LastMessage!.Recalled);

        var reply = await bob.SendMessageAsync(SendTarget.Conversation(oops.ConversationId), "text", "what was that?", replyTo: oops.MessageId);
        var quote = (await alice.GetMessagesAsync(oops.ConversationId)).Single(m => m.Id == reply.MessageId).ReplyTo!;
        Assert.True(quote.Recalled);
        Assert.Equal("[recalled]", quote.Preview);
    }

    [Fact]
    public async Task AReplyMustNameAMessageOfTheSameConversation()
    {
        var (alice, bob) = await _server.FriendsAsync();
        using var carol = await _server.NewFriendAsync(alice, "carol");
        var withBob = await alice.SendMessageAsync(SendTarget.User(bob.UserId), "text", "for bob");
        var withCarol = await carol.SendMessageAsync(SendTarget.User(alice.UserId), "text", "for alice");

        await Refused.WithAsync(HttpStatusCode.BadRequest, "invalid_reply",
            () => alice.SendMessageAsync(SendTarget.User(bob.UserId), "text", "re", replyTo: withCarol.MessageId));
        await Refused.WithAsync(HttpStatusCode.BadRequest, "invalid_reply",
            () => alice.SendMessageAsync(SendTarget.User(bob.UserId), "text", "re", replyTo: "123456789"));
        await Refused.WithAsync(HttpStatusCode.BadRequest, "invalid_reply",
            () => alice.SendMessageAsync(SendTarget.User(bob.UserId), "text", "re", replyTo: "not-an-id"));
        await using var socket = await ParleyRealtime.ConnectAsync(bob);
        var refusal = await Assert.ThrowsAsync<ParleyRealtimeException>(
            () => socket.SendMessageAsync(SendTarget.User(alice.UserId), "text", "re", replyTo: withCarol.MessageId));
        Assert.Equal("invalid_reply", refusal.Code);

        // Nothing was stored by the refusals.
        Assert.Single(await bob.GetMessagesAsync(withBob.ConversationId));
    }

    [Fact]
    public async Task MentionsMarkTheMentionedMembersRowsUntilTheyReadPastThem()
    {
        using var cast = await GroupCast.StartAsync(_server);
        await using var memberSocket = await ParleyRealtime.ConnectAsync(cast.Member);
        var named = await memberSocket.SendMessageAsync(SendTarget.Group(cast.GroupId), "text", "@admin look",
            mentions: [cast.Admin.UserId, cast.Admin.UserId]);

        var stored = (await cast.Owner.GetMessagesAsync(cast.GroupId)).Single(m => m.Id == named.MessageId);
        Assert.Equal([cast.Admin.UserId], stored.Mentions);
        Assert.True((await cast.Admin.GetConversationAsync(cast.GroupId)).Mentioned);
        Assert.False((await cast.Owner.GetConversationAsync(cast.GroupId)).Mentioned);
        Assert.False((await cast.Member.GetConversationAsync(cast.GroupId)).Mentioned);

        // A later message does not clear it; reading past the mention does.
        await cast.Owner.SendMessageAsync(SendTarget.Group(cast.GroupId), "text", "noise");
        await cast.Admin.MarkReadAsync(cast.GroupId, named.Seq - 1);
        Assert.True((await cast.Admin.RowAsync(cast.GroupId))!.Mentioned);
        await cast.Admin.MarkReadAsync(cast.GroupId, named.Seq);
        Assert.False((await cast.Admin.RowAsync(cast.GroupId))!.Mentioned);

        // "all" marks everyone else's row.
        var everyone = await cast.Admin.SendMessageAsync(SendTarget.Group(cast.GroupId), "text", "meeting", mentions: ["all"]);
        Assert.Equal(["all"], (await cast.Member.GetMessagesAsync(cast.GroupId)).Single(m => m.Id == everyone.MessageId).Mentions);
        Assert.True((await cast.Member.GetConversationAsync(cast.GroupId)).Mentioned);
        Assert.True((await cast.Owner.GetConversationAsync(cast.GroupId)).Mentioned);
        Assert.False((await cast.Admin.GetConversationAsync(cast.GroupId)).Mentioned);
        await cast.Member.MarkReadAsync(cast.GroupId, everyone.Seq);
        Assert.False((await cast.Member.GetConversationAsync(cast.GroupId)).Mentioned);
        Assert.True((await cast.Owner.GetConversationAsync(cast.GroupId)).Mentioned);
    }

    [Fact]
    public async Task MentionsAreRefusedOutsideGroupsForNonMembersAndForAllFromPlainMembers()
    {
        using var cast = await GroupCast.StartAsync(_server);
        var direct = await cast.Owner.SendMessageAsync(SendTarget.User(cast.Member.UserId), "text", "hi");
        var group = SendTarget.Group(cast.GroupId);

        await Refused.WithAsync(HttpStatusCode.BadRequest, "invalid_mentions",
            () => cast.Owner.SendMessageAsync(SendTarget.Conversation(direct.ConversationId), "text", "@you", mentions: [cast.Member.UserId]));
        await Refused.WithAsync(HttpStatusCode.BadRequest, "invalid_mentions",
            () => cast.Owner.SendMessageAsync(group, "text", "@stranger", mentions: [cast.Outsider.UserId]));
        await Refused.WithAsync(HttpStatusCode.BadRequest, "invalid_mentions",
            () => cast.Owner.SendMessageAsync(group, "text", "@?", mentions: ["somebody"]));
        await Refused.WithAsync(HttpStatusCode.BadRequest, "invalid_mentions",
            () => cast.Owner.SendMessageAsync(group, "text", "@many", mentions: Enumerable.Repeat(cast.Admin.UserId, 51)));
        await Refused.WithAsync(HttpStatusCode.Forbidden, "insufficient_role",
            () => cast.Member.SendMessageAsync(group, "text", "@all", mentions: ["all"]));
        await using var socket = await ParleyRealtime.ConnectAsync(cast.Member);
        var refusal = await Assert.ThrowsAsync<ParleyRealtimeException>(() => socket.SendMessageAsync(group, "text", "@all", mentions: ["all"]));
        Assert.Equal("insufficient_role", refusal.Code);

        Assert.All(await cast.Owner.GetMessagesAsync(cast.GroupId), m => Assert.Equal("system", m.Type));
        Assert.False((await cast.Admin.GetConversationAsync(cast.GroupId)).Mentioned);
    }

    [Fact]
    public async Task GroupReceiptsCountReadersAndOnlyTheSenderSeesWho()
    {
        using var cast = await GroupCast.StartAsync(_server);
        var ack = await cast.Owner.SendMessageAsync(SendTarget.Group(cast.GroupId), "text", "agenda");
        var before = await cast.Owner.GetReceiptsAsync(cast.GroupId, ack.MessageId);
        Assert.Equal((ack.MessageId, ack.Seq, 0, 2), (before.MessageId, before.Seq, before.ReadCount, before.MemberCount));
        Assert.Empty(before.ReadBy!);
        Assert.Equal([cast.Admin.UserId, cast.Member.UserId], before.UnreadBy!.Order());

        await cast.Admin.MarkReadAsync(cast.GroupId, ack.Seq);
        var after = await cast.Owner.GetReceiptsAsync(cast.GroupId, ack.MessageId);
        Assert.Equal(1, after.ReadCount);
        Assert.Equal(2, after.MemberCount);
        Assert.Equal(cast.Admin.UserId, Assert.Single(after.ReadBy!).UserId);
        Assert.Equal([cast.Member.UserId], after.UnreadBy);

        var asMember = await cast.Member.GetReceiptsAsync(cast.GroupId, ack.MessageId);
        Assert.Equal((1, 2), (asMember.ReadCount, asMember.MemberCount));
        Assert.Null(asMember.ReadBy);
        Assert.Null(asMember.UnreadBy);

        // A later message read by someone counts for the earlier one too.
        var later = await cast.Admin.SendMessageAsync(SendTarget.Group(cast.GroupId), "text", "ok");
        await cast.Member.MarkReadAsync(cast.GroupId, later.Seq);
        Assert.Equal(2, (await cast.Admin.GetReceiptsAsync(cast.GroupId, ack.MessageId)).ReadCount);

        await Refused.WithAsync(HttpStatusCode.NotFound, "message_not_found", () => cast.Owner.GetReceiptsAsync(cast.GroupId, "987654321"));
        var elsewhere = await cast.Owner.SendMessageAsync(SendTarget.User(cast.Member.UserId), "text", "dm");
        await Refused.WithAsync(HttpStatusCode.NotFound, "message_not_found", () => cast.Owner.GetReceiptsAsync(cast.GroupId, elsewhere.MessageId));
    }

    [Fact]
    public async Task ADirectMessagesReceiptIsZeroOrOne()
    {
        var (alice, bob) = await _server.FriendsAsync();
        var ack = await alice.SendMessageAsync(SendTarget.User(bob.UserId), "text", "seen?");
        var receipts = await alice.GetReceiptsAsync(ack.ConversationId, ack.MessageId);
        Assert.Equal((0, 1), (receipts.ReadCount, receipts.MemberCount));
        await bob.MarkReadAsync(ack.ConversationId, ack.Seq);
        receipts = await alice.GetReceiptsAsync(ack.ConversationId, ack.MessageId);
        Assert.Equal((1, 1), (receipts.ReadCount, receipts.MemberCount));
        Assert.Equal(new Reader(bob.UserId, ack.Seq), Assert.Single(receipts.ReadBy!));
        Assert.Empty(receipts.UnreadBy!);
    }

    [Fact]
    public async Task AReconnectingDeviceSendsRepliesAndMentionsToo()
    {
        using var cast = await GroupCast.StartAsync(_server);
        var first = await cast.Owner.SendMessageAsync(SendTarget.Group(cast.GroupId), "text", "who is in?");
        await using var chat = await ParleyChat.StartAsync(cast.Member);
        var ack = await chat.SendAsync(SendTarget.Group(cast.GroupId), "text", "me, and admin", replyTo: first.MessageId, mentions: [cast.Admin.UserId]);
        var stored = (await cast.Owner.GetMessagesAsync(cast.GroupId)).Single(m => m.Id == ack.MessageId);
        Assert.Equal(first.MessageId, stored.ReplyTo!.MessageId);
        Assert.Equal("who is in?", stored.ReplyTo.Preview);
        Assert.Equal([cast.Admin.UserId], stored.Mentions);
    }
}
