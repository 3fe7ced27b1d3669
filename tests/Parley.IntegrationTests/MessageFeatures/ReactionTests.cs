using System.Net;
using Parley.Client;
using Parley.IntegrationTests.Conversations;
using Parley.IntegrationTests.Groups;
using Parley.IntegrationTests.Infrastructure;

namespace Parley.IntegrationTests.MessageFeatures;

public sealed class ReactionTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private readonly TestServer _server = fixture.Server;

    [Fact]
    public async Task AddingAndTakingBackAReactionIsIdempotentAndMembersHearOfItOnce()
    {
        using var cast = await GroupCast.StartAsync(_server);
        var sent = await cast.Owner.TextAsync(SendTarget.Group(cast.GroupId), "pizza tonight?");
        await using var ownerPhone = await cast.Owner.DeviceAsync();
        await using var memberPhone = await cast.Member.DeviceAsync();

        await cast.Member.AddReactionAsync(sent.ConversationId, sent.MessageId, "👍");
        await cast.Member.AddReactionAsync(sent.ConversationId, sent.MessageId, "👍");
        foreach (var device in new[] { ownerPhone, memberPhone })
        {
            var frame = await device.NextOfAsync("msg.reaction");
            Assert.Equal(sent.ConversationId, frame.Data.GetProperty("conversationId").GetString());
            Assert.Equal(sent.MessageId, frame.Data.GetProperty("messageId").GetString());
            Assert.Equal("👍", frame.Data.GetProperty("emoji").GetString());
            Assert.Equal(cast.Member.UserId, frame.Data.GetProperty("userId").GetString());
            Assert.True(frame.Data.GetProperty("added").GetBoolean());
        }

        var mine = Assert.Single((await cast.Member.GetMessagesAsync(sent.ConversationId)).Single(m => m.Id == sent.MessageId).Reactions!);
        Assert.Equal(new ReactionCount("👍", 1, true), mine);
        Assert.Equal(new ReactionCount("👍", 1, false), Assert.Single((await cast.Owner.GetMessagesAsync(sent.ConversationId)).Single(m => m.Id == sent.MessageId).Reactions!));
        var synced = Assert.Single(Assert.Single(await ownerPhone.SyncAsync(sent.ConversationId, 0)).Messages, m => m.GetProperty("id").GetString() == sent.MessageId);
        var reaction = Assert.Single(synced.GetProperty("reactions").EnumerateArray().ToList());
        Assert.Equal("👍", reaction.GetProperty("emoji").GetString());
        Assert.Equal(1, reaction.GetProperty("count").GetInt32());
        Assert.False(reaction.GetProperty("me").GetBoolean());

        await cast.Member.RemoveReactionAsync(sent.ConversationId, sent.MessageId, "👍");
        await cast.Member.RemoveReactionAsync(sent.ConversationId, sent.MessageId, "👍");
        var taken = await memberPhone.NextOfAsync("msg.reaction");
        Assert.False(taken.Data.GetProperty("added").GetBoolean());
        Assert.Null((await cast.Owner.GetMessagesAsync(sent.ConversationId)).Single(m => m.Id == sent.MessageId).Reactions);

        // Only one event each way: the next reaction event is a new one.
        await cast.Admin.AddReactionAsync(sent.ConversationId, sent.MessageId, "🎉");
        var next = await memberPhone.NextOfAsync("msg.reaction");
        Assert.Equal("🎉", next.Data.GetProperty("emoji").GetString());
    }

    [Theory]
    [InlineData("a")]
    [InlineData("1")]
    [InlineData("👍👍")]
    [InlineData("👍 ")]
    [InlineData("-")]
    [InlineData("abcdefghijklmnopqrstuvwxyzabcdefghijklmnopq")]
    public async Task ANonEmojiIsRefused(string emoji)
    {
        var (alice, bob) = await _server.FriendsAsync();
        var sent = await alice.TextAsync(SendTarget.User(bob.UserId), "hi");
        await Refused.WithAsync(HttpStatusCode.BadRequest, "validation_failed", () => bob.AddReactionAsync(sent.ConversationId, sent.MessageId, emoji));
    }

    [Theory]
    [InlineData("❤️")]
    [InlineData("🇫🇷")]
    [InlineData("👨‍👩‍👧")]
    [InlineData("1️⃣")]
    [InlineData("👍🏽")]
    public async Task EmojiSequencesAreOneReaction(string emoji)
    {
        var (alice, bob) = await _server.FriendsAsync();
        var sent = await alice.TextAsync(SendTarget.User(bob.UserId), "hi");
        await bob.AddReactionAsync(sent.ConversationId, sent.MessageId, emoji);
        Assert.Equal(emoji, Assert.Single((await alice.GetMessagesAsync(sent.ConversationId)).Single(m => m.Id == sent.MessageId).Reactions!).Emoji);
    }

    [Fact]
    public async Task AMessageCarriesAtMostTwentyDifferentEmoji()
    {
        var (alice, bob) = await _server.FriendsAsync();
        var sent = await alice.TextAsync(SendTarget.User(bob.UserId), "react away");
        var emoji = Enumerable.Range(0, 21).Select(i => char.ConvertFromUtf32(0x1F600 + i)).ToList();
        foreach (var e in emoji.Take(20)) await bob.AddReactionAsync(sent.ConversationId, sent.MessageId, e);
        await Refused.WithAsync(HttpStatusCode.Conflict, "too_many_reactions", () => alice.AddReactionAsync(sent.ConversationId, sent.MessageId, emoji[20]));
        // One it already has is still fine.
        await alice.AddReactionAsync(sent.ConversationId, sent.MessageId, emoji[0]);
        var reactions = (await alice.GetMessagesAsync(sent.ConversationId)).Single(m => m.Id == sent.MessageId).Reactions!;
        Assert.Equal(20, reactions.Count);
        Assert.Equal(new ReactionCount(emoji[0], 2, true), reactions[0]);
    }

    [Fact]
    public async Task CountsStayRightWhenManyMembersReactAtOnce()
    {
        var owner = await _server.NewUserAsync("owner");
        var members = new List<ParleyClient>();
        for (var i = 0; i < 12; i++) members.Add(await _server.NewFriendAsync(owner, $"m{i}"));
        var group = await owner.CreateGroupAsync("crowd", members.Select(m => m.UserId), joinApproval: false);
        var sent = await owner.TextAsync(SendTarget.Group(group.Id), "vote!");

        // Each member adds two emoji twice over, all at once.
        await Task.WhenAll(members.SelectMany(m => new[] { "👍", "❤️", "👍", "❤️" }.Select(e => m.AddReactionAsync(sent.ConversationId, sent.MessageId, e))));
        var reactions = (await owner.GetMessagesAsync(sent.ConversationId)).Single(m => m.Id == sent.MessageId).Reactions!;
        Assert.Equal(2, reactions.Count);
        Assert.All(reactions, r => Assert.Equal(12, r.Count));

        // And half of them take one back, at once.
        await Task.WhenAll(members.Take(6).Select(m => m.RemoveReactionAsync(sent.ConversationId, sent.MessageId, "👍")));
        reactions = (await members[0].GetMessagesAsync(sent.ConversationId)).Single(m => m.Id == sent.MessageId).Reactions!;
        Assert.Equal(new ReactionCount("❤️", 12, true), reactions[0]);
        Assert.Equal(new ReactionCount("👍", 6, false), reactions[1]);
    }

    [Fact]
    public async Task ABlockedUsersReactionsAreNotShownToTheBlocker()
    {
        using var cast = await GroupCast.StartAsync(_server);
        var sent = await cast.Owner.TextAsync(SendTarget.Group(cast.GroupId), "news");
        await cast.Member.BlockAsync(cast.Admin.UserId);
        await using var memberPhone = await cast.Member.DeviceAsync();
        await using var ownerPhone = await cast.Owner.DeviceAsync();

        await cast.Admin.AddReactionAsync(sent.ConversationId, sent.MessageId, "😂");
        Assert.Equal(cast.Admin.UserId, (await ownerPhone.NextOfAsync("msg.reaction")).Data.GetProperty("userId").GetString());
        await cast.Owner.AddReactionAsync(sent.ConversationId, sent.MessageId, "😂");
        // The member hears of the owner's reaction, not of the admin's before it.
        Assert.Equal(cast.Owner.UserId, (await memberPhone.NextOfAsync("msg.reaction")).Data.GetProperty("userId").GetString());

        Assert.Equal(new ReactionCount("😂", 1, false), Assert.Single((await cast.Member.GetMessagesAsync(sent.ConversationId)).Single(m => m.Id == sent.MessageId).Reactions!));
        Assert.Equal(new ReactionCount("😂", 2, true), Assert.Single((await cast.Owner.GetMessagesAsync(sent.ConversationId)).Single(m => m.Id == sent.MessageId).Reactions!));
        // Either way: the blocked admin does not see the member's reactions either.
        await cast.Member.AddReactionAsync(sent.ConversationId, sent.MessageId, "😂");
        Assert.Equal(new ReactionCount("😂", 2, true), Assert.Single((await cast.Admin.GetMessagesAsync(sent.ConversationId)).Single(m => m.Id == sent.MessageId).Reactions!));
    }

    [Fact]
    public async Task NobodyReactsToWhatTheyCannotSee()
    {
        using var cast = await GroupCast.StartAsync(_server);
        var sent = await cast.Owner.TextAsync(SendTarget.Group(cast.GroupId), "members only");
        var recalled = await cast.Owner.TextAsync(SendTarget.Group(cast.GroupId), "oops");
        await cast.Member.AddReactionAsync(recalled.ConversationId, recalled.MessageId, "👀");
        await cast.Owner.RecallAsync(recalled.ConversationId, recalled.MessageId);
        var deleted = await cast.Owner.TextAsync(SendTarget.Group(cast.GroupId), "deleted for the member");
        await cast.Member.DeleteForMeAsync(deleted.ConversationId, deleted.MessageId);

        await Refused.WithAsync(HttpStatusCode.Forbidden, "not_group_member", () => cast.Outsider.AddReactionAsync(sent.ConversationId, sent.MessageId, "👍"));
        await Refused.WithAsync(HttpStatusCode.Conflict, "message_recalled", () => cast.Member.AddReactionAsync(recalled.ConversationId, recalled.MessageId, "👍"));
        await Refused.WithAsync(HttpStatusCode.NotFound, "message_not_found", () => cast.Member.AddReactionAsync(deleted.ConversationId, deleted.MessageId, "👍"));
        var (alice, bob) = await _server.FriendsAsync();
        var elsewhere = await alice.TextAsync(SendTarget.User(bob.UserId), "not in the group");
        await Refused.WithAsync(HttpStatusCode.NotFound, "message_not_found", () => cast.Member.AddReactionAsync(sent.ConversationId, elsewhere.MessageId, "👍"));

        // A recall took the reactions with it.
        Assert.Null((await cast.Owner.GetMessagesAsync(recalled.ConversationId)).Single(m => m.Id == recalled.MessageId).Reactions);
    }
}
