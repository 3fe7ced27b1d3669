using Parley.Client;
using Parley.IntegrationTests.Groups;
using Parley.IntegrationTests.Infrastructure;

namespace Parley.IntegrationTests.Conversations;

/// <summary><c>unreadCount</c> in the list: the others' messages above my read pointer that I still see.</summary>
public sealed class UnreadCountTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private readonly TestServer _server = fixture.Server;

    [Fact]
    public async Task MessagesIDeletedForMyselfAreNotUnread()
    {
        var (alice, bob) = await _server.FriendsAsync();
        var acks = new List<MessageAck>();
        for (var i = 1; i <= 5; i++) acks.Add(await bob.SendMessageAsync(SendTarget.User(alice.UserId), "text", $"m{i}"));
        var conversationId = acks[0].ConversationId;
        Assert.Equal(5, (await alice.GetConversationAsync(conversationId)).UnreadCount);

        await alice.DeleteForMeAsync(conversationId, acks[4].MessageId);
        await alice.DeleteForMeAsync(conversationId, acks[3].MessageId);
        Assert.Equal(3, (await alice.GetConversationAsync(conversationId)).UnreadCount);
        Assert.Equal(3, (await alice.RowAsync(conversationId))!.UnreadCount);
        // Bob's own list is untouched by Alice's deletions.
        Assert.Equal(0, (await bob.GetConversationAsync(conversationId)).UnreadCount);

        // Read up to 2: of the rest only m3 is unread (m4 and m5 are gone for her).
        await alice.MarkReadAsync(conversationId, 2);
        Assert.Equal(1, (await alice.GetConversationAsync(conversationId)).UnreadCount);

        // A deletion at or below the read pointer does not take anything off the count.
        await alice.DeleteForMeAsync(conversationId, acks[0].MessageId);
        Assert.Equal(1, (await alice.GetConversationAsync(conversationId)).UnreadCount);

        // After a clear, deletions below the cleared seq count for nothing either.
        await alice.ClearConversationAsync(conversationId, upToSeq: 4);
        var row = await alice.GetConversationAsync(conversationId);
        Assert.Equal(0, row.UnreadCount);
        var m6 = await bob.SendMessageAsync(SendTarget.User(alice.UserId), "text", "m6");
        Assert.Equal(1, (await alice.GetConversationAsync(conversationId)).UnreadCount);
        await alice.DeleteForMeAsync(conversationId, m6.MessageId);
        Assert.Equal(0, (await alice.GetConversationAsync(conversationId)).UnreadCount);
    }

    [Fact]
    public async Task MyOwnMessagesAreNeverUnreadEvenInterleavedWithOthers()
    {
        var (alice, bob) = await _server.FriendsAsync();
        var first = await bob.SendMessageAsync(SendTarget.User(alice.UserId), "text", "from bob");
        await alice.SendMessageAsync(SendTarget.User(bob.UserId), "text", "from alice 1");
        await alice.SendMessageAsync(SendTarget.User(bob.UserId), "text", "from alice 2");
        // Answering counts as having read what came before.
        Assert.Equal(0, (await alice.GetConversationAsync(first.ConversationId)).UnreadCount);
        Assert.Equal(2, (await bob.GetConversationAsync(first.ConversationId)).UnreadCount);

        await bob.SendMessageAsync(SendTarget.User(alice.UserId), "text", "bob again");
        Assert.Equal(1, (await alice.GetConversationAsync(first.ConversationId)).UnreadCount);
        Assert.Equal(0, (await bob.GetConversationAsync(first.ConversationId)).UnreadCount);
    }

    [Fact]
    public async Task InAGroupMyDeletionsAndMyOwnMessagesAreLeftOutOfMyCountOnly()
    {
        using var cast = await GroupCast.StartAsync(_server);
        var start = (await cast.Member.GetConversationAsync(cast.GroupId)).LastSeq;
        await cast.Member.MarkReadAsync(cast.GroupId, start);
        var fromOwner = await cast.Owner.SendMessageAsync(SendTarget.Group(cast.GroupId), "text", "owner");
        var fromAdmin = await cast.Admin.SendMessageAsync(SendTarget.Group(cast.GroupId), "text", "admin");
        Assert.Equal(2, (await cast.Member.GetConversationAsync(cast.GroupId)).UnreadCount);

        await cast.Member.DeleteForMeAsync(cast.GroupId, fromAdmin.MessageId);
        Assert.Equal(1, (await cast.Member.GetConversationAsync(cast.GroupId)).UnreadCount);
        Assert.Equal(1, (await cast.Member.RowAsync(cast.GroupId))!.UnreadCount);
        // The owner still has the admin's message unread (their own is not).
        Assert.Equal(1, (await cast.Owner.GetConversationAsync(cast.GroupId)).UnreadCount);

        await cast.Member.SendMessageAsync(SendTarget.Group(cast.GroupId), "text", "member");
        Assert.Equal(0, (await cast.Member.GetConversationAsync(cast.GroupId)).UnreadCount);
        Assert.Equal(fromOwner.Seq + 2, (await cast.Member.GetConversationAsync(cast.GroupId)).ReadSeq);
    }
}
