using System.Net;
using Parley.Client;
using Parley.IntegrationTests.Groups;
using Parley.IntegrationTests.Infrastructure;

namespace Parley.IntegrationTests.Conversations;

/// <summary>Delete for me and clear for me. The server's frames hold 4 messages, to see paging around what is deleted.</summary>
public sealed class DeleteForMeTests(SmallPageServerFixture fixture) : IClassFixture<SmallPageServerFixture>
{
    private const int Page = SmallPageServerFixture.PageSize;
    private readonly TestServer _server = fixture.Server;

    private static async Task<List<MessageAck>> SendAsync(ParleyClient from, SendTarget to, int count, string text = "message")
    {
        var acks = new List<MessageAck>();
        for (var i = 1; i <= count; i++) acks.Add(await from.TextAsync(to, $"{text} {i}"));
        return acks;
    }

    /// <summary>The whole history as a user sees it, newest first, page by page (pages here hold at most 4).</summary>
    private static async Task<List<MessageView>> History(ParleyClient client, string conversationId)
    {
        var all = new List<MessageView>();
        while (true)
        {
            var page = await client.GetMessagesAsync(conversationId, beforeSeq: all.Count == 0 ? null : all[^1].Seq, limit: Page);
            all.AddRange(page);
            if (page.Count < Page) return all;
        }
    }

    [Fact]
    public async Task ADeletedMessageIsGoneForMeOnlyAndMyOtherDevicesHearOfIt()
    {
        var (alice, bob) = await _server.FriendsAsync();
        var sent = await SendAsync(alice, SendTarget.User(bob.UserId), 3, "parrot");
        var conversation = sent[0].ConversationId;
        await using var aliceLaptop = await alice.DeviceAsync();
        await using var bobPhone = await bob.DeviceAsync();

        await alice.DeleteForMeAsync(conversation, sent[1].MessageId);

        var heard = await aliceLaptop.NextOfAsync("msg.deleted");
        Assert.Equal(conversation, heard.Data.GetProperty("conversationId").GetString());
        Assert.Equal(sent[1].MessageId, heard.Data.GetProperty("messageId").GetString());
        Assert.Equal(2, heard.Data.GetProperty("seq").GetInt64());

        Assert.Equal([3L, 1L], (await History(alice, conversation)).Select(m => m.Seq));
        Assert.Equal([3L, 2L, 1L], (await History(bob, conversation)).Select(m => m.Seq));
        Assert.Equal([1L, 3L], Assert.Single(await aliceLaptop.SyncAsync(conversation, 0)).Seqs);
        Assert.Equal([3L, 1L], (await alice.SearchAsync(conversation, "parrot")).Select(m => m.Seq));
        Assert.Equal([3L, 1L], (await alice.SearchAllAsync("parrot")).Where(m => m.ConversationId == conversation).Select(m => m.Seq));
        Assert.Equal([3L, 2L, 1L], (await bob.SearchAsync(conversation, "parrot")).Select(m => m.Seq));

        // Again: not an error, and nothing new to tell; Bob heard nothing of it either.
        await alice.DeleteForMeAsync(conversation, sent[1].MessageId);
        await bob.TextAsync(SendTarget.User(alice.UserId), "still here");
        Assert.Equal("msg.new", (await aliceLaptop.NextOfAsync("msg.new", "msg.deleted")).Type);
        Assert.Equal("msg.new", (await bobPhone.NextOfAsync("msg.new", "msg.deleted", "conversation.cleared")).Type);
    }

    [Fact]
    public async Task HistoryPagesStayFullAroundDeletedMessages()
    {
        var (alice, bob) = await _server.FriendsAsync();
        var sent = await SendAsync(alice, SendTarget.User(bob.UserId), 10);
        var conversation = sent[0].ConversationId;
        foreach (var seq in new[] { 3, 4, 5, 8 }) await alice.DeleteForMeAsync(conversation, sent[seq - 1].MessageId);

        Assert.Equal([10L, 9L, 7L], (await alice.GetMessagesAsync(conversation, limit: 3)).Select(m => m.Seq));
        Assert.Equal([6L, 2L, 1L], (await alice.GetMessagesAsync(conversation, beforeSeq: 7, limit: 3)).Select(m => m.Seq));
        Assert.Empty(await alice.GetMessagesAsync(conversation, beforeSeq: 1, limit: 3));
        Assert.Equal([1L, 2L, 6L], (await alice.GetMessagesAsync(conversation, afterSeq: 0, limit: 3)).Select(m => m.Seq));
        Assert.Equal([7L, 9L, 10L], (await alice.GetMessagesAsync(conversation, afterSeq: 6, limit: 3)).Select(m => m.Seq));
    }

    [Fact]
    public async Task SyncFramesStayFullAndSayExactlyWhetherMoreFollow()
    {
        var (alice, bob) = await _server.FriendsAsync();
        var sent = await SendAsync(alice, SendTarget.User(bob.UserId), 11);
        var conversation = sent[0].ConversationId;
        // 11 messages, 3 deleted: 8 left, exactly two full frames, and the second says no more follow.
        foreach (var seq in new[] { 2, 5, 6 }) await alice.DeleteForMeAsync(conversation, sent[seq - 1].MessageId);
        await using var socket = await alice.DeviceAsync();

        var batches = await socket.SyncAsync(conversation, 0);
        Assert.Equal(2, batches.Count);
        Assert.Equal([1L, 3L, 4L, 7L], batches[0].Seqs);
        Assert.True(batches[0].HasMore);
        Assert.Equal([8L, 9L, 10L, 11L], batches[1].Seqs);
        Assert.False(batches[1].HasMore);

        // Bob deleted nothing: 11 messages are two full frames and a short one.
        await using var bobSocket = await bob.DeviceAsync();
        var bobs = await bobSocket.SyncAsync(conversation, 0);
        Assert.Equal([Page, Page, 3], bobs.Select(b => b.Seqs.Count));
        Assert.Equal([true, true, false], bobs.Select(b => b.HasMore));
    }

    [Fact]
    public async Task ClearingHidesEverythingUpToNowForMeOnlyAndOnlyMovesForward()
    {
        var (alice, bob) = await _server.FriendsAsync();
        var sent = await SendAsync(alice, SendTarget.User(bob.UserId), 5, "walrus");
        var conversation = sent[0].ConversationId;
        await using var alicePhone = await alice.DeviceAsync();
        await using var bobPhone = await bob.DeviceAsync();

        await alice.ClearConversationAsync(conversation, upToSeq: 2);
        var cleared = await alicePhone.NextOfAsync("conversation.cleared");
        Assert.Equal(conversation, cleared.Data.GetProperty("conversationId").GetString());
        Assert.Equal(2, cleared.Data.GetProperty("clearedSeq").GetInt64());
        Assert.Equal([5L, 4L, 3L], (await History(alice, conversation)).Select(m => m.Seq));

        await alice.ClearConversationAsync(conversation);
        Assert.Equal(5, (await alicePhone.NextOfAsync("conversation.cleared")).Data.GetProperty("clearedSeq").GetInt64());
        Assert.Empty(await History(alice, conversation));
        Assert.Empty(await alicePhone.SyncAsync(conversation, 0));
        Assert.Empty(await alice.SearchAsync(conversation, "walrus"));
        Assert.DoesNotContain(await alice.SearchAllAsync("walrus"), m => m.ConversationId == conversation);

        // Backwards or past the end: the cleared seq stays where it is, or stops at the newest message.
        await alice.ClearConversationAsync(conversation, upToSeq: 1);
        await alice.ClearConversationAsync(conversation, upToSeq: 999);
        Assert.Empty(await History(alice, conversation));

        // Bob still has everything, and what comes next is there for both.
        Assert.Equal(5, (await History(bob, conversation)).Count);
        Assert.Equal(5, (await bob.SearchAsync(conversation, "walrus")).Count);
        var next = await bob.TextAsync(SendTarget.User(alice.UserId), "walrus again");
        Assert.Equal([next.Seq], (await History(alice, conversation)).Select(m => m.Seq));
        Assert.Equal([next.Seq], (await alice.SearchAsync(conversation, "walrus")).Select(m => m.Seq));
        Assert.Equal("msg.new", (await bobPhone.NextOfAsync("msg.new", "conversation.cleared")).Type);
    }

    [Fact]
    public async Task DeletingOrClearingIsForMembersOnly()
    {
        var (alice, bob) = await _server.FriendsAsync();
        var sent = await alice.TextAsync(SendTarget.User(bob.UserId), "ours");
        using var stranger = await _server.NewUserAsync("stranger");
        await Refused.WithAsync(HttpStatusCode.NotFound, "conversation_not_found", () => stranger.DeleteForMeAsync(sent.ConversationId, sent.MessageId));
        await Refused.WithAsync(HttpStatusCode.NotFound, "conversation_not_found", () => stranger.ClearConversationAsync(sent.ConversationId));
        await Refused.WithAsync(HttpStatusCode.NotFound, "message_not_found", () => alice.DeleteForMeAsync(sent.ConversationId, "424242"));
        await Refused.WithAsync(HttpStatusCode.BadRequest, "validation_failed", () => alice.ClearConversationAsync(sent.ConversationId, upToSeq: -1));

        using var cast = await GroupCast.StartAsync(_server);
        var inGroup = await cast.Owner.TextAsync(SendTarget.Group(cast.GroupId), "group talk");
        await Refused.WithAsync(HttpStatusCode.Forbidden, "not_group_member", () => cast.Outsider.DeleteForMeAsync(inGroup.ConversationId, inGroup.MessageId));
        await Refused.WithAsync(HttpStatusCode.Forbidden, "not_group_member", () => cast.Outsider.ClearConversationAsync(inGroup.ConversationId));
        await Refused.WithAsync(HttpStatusCode.NotFound, "message_not_found", () => cast.Owner.DeleteForMeAsync(inGroup.ConversationId, sent.MessageId));

        // A group member deletes and clears for themselves only.
        await cast.Member.DeleteForMeAsync(inGroup.ConversationId, inGroup.MessageId);
        Assert.DoesNotContain(await History(cast.Member, inGroup.ConversationId), m => m.Id == inGroup.MessageId);
        Assert.Contains(await History(cast.Admin, inGroup.ConversationId), m => m.Id == inGroup.MessageId);
        await cast.Admin.ClearConversationAsync(inGroup.ConversationId);
        Assert.Empty(await History(cast.Admin, inGroup.ConversationId));
        Assert.Contains(await History(cast.Owner, inGroup.ConversationId), m => m.Id == inGroup.MessageId);
    }
}
