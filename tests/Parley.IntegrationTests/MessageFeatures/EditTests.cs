using System.Net;
using Microsoft.Extensions.Time.Testing;
using Parley.Client;
using Parley.IntegrationTests.Conversations;
using Parley.IntegrationTests.Groups;
using Parley.IntegrationTests.Infrastructure;
using MessageType = Parley.Server.Messaging.MessageType;

namespace Parley.IntegrationTests.MessageFeatures;

public sealed class EditTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private readonly TestServer _server = fixture.Server;

    [Fact]
    public async Task TheSenderEditsAndEveryDeviceOfEveryMemberHearsItAndSeesItEverywhere()
    {
        var (alice, bob) = await _server.FriendsAsync();
        await using var alicePhone = await alice.DeviceAsync();
        await using var aliceLaptop = await alice.DeviceAsync();
        await using var bobPhone = await bob.DeviceAsync();
        var sent = await alice.TextAsync(SendTarget.User(bob.UserId), "see you at 5");
        await bobPhone.NextOfAsync("msg.new");

        var edited = await alice.EditMessageAsync(sent.ConversationId, sent.MessageId, "see you at 6");
        Assert.Equal("see you at 6", edited.Content.GetString());
        Assert.NotNull(edited.EditedAt);
        Assert.Equal(sent.Seq, edited.Seq);

        foreach (var device in new[] { alicePhone, aliceLaptop, bobPhone })
        {
            var frame = await device.NextOfAsync("msg.edited");
            Assert.Equal(sent.ConversationId, frame.Data.GetProperty("conversationId").GetString());
            Assert.Equal(sent.MessageId, frame.Data.GetProperty("messageId").GetString());
            Assert.Equal(sent.Seq, frame.Data.GetProperty("seq").GetInt64());
            Assert.Equal("see you at 6", frame.Data.GetProperty("content").GetString());
            Assert.Equal(edited.EditedAt, frame.Data.GetProperty("editedAt").GetDateTimeOffset());
        }

        var history = Assert.Single(await bob.GetMessagesAsync(sent.ConversationId));
        Assert.Equal("see you at 6", history.Content.GetString());
        Assert.Equal(edited.EditedAt, history.EditedAt);

        var synced = Assert.Single(Assert.Single(await bobPhone.SyncAsync(sent.ConversationId, 0)).Messages);
        Assert.Equal("see you at 6", synced.GetProperty("content").GetString());
        Assert.Equal(edited.EditedAt, synced.GetProperty("editedAt").GetDateTimeOffset());

        var row = (await bob.ListConversationsAsync()).Conversations.Single(c => c.Id == sent.ConversationId);
        Assert.Equal("see you at 6", row.LastMessage!.Preview);
        Assert.Equal(edited.EditedAt, row.LastMessage.EditedAt);
    }

    [Fact]
    public async Task AMessageNeverEditedHasNoEditedAt()
    {
        var (alice, bob) = await _server.FriendsAsync();
        var sent = await alice.TextAsync(SendTarget.User(bob.UserId), "plain");
        Assert.Null(Assert.Single(await bob.GetMessagesAsync(sent.ConversationId)).EditedAt);
        await using var bobPhone = await bob.DeviceAsync();
        var synced = Assert.Single(Assert.Single(await bobPhone.SyncAsync(sent.ConversationId, 0)).Messages);
        Assert.False(synced.TryGetProperty("editedAt", out _));
    }

    [Fact]
    public async Task TheSenderEditsOverTheSocketWithMsgEdit()
    {
        var (alice, bob) = await _server.FriendsAsync();
        await using var alicePhone = await alice.DeviceAsync();
        await using var bobPhone = await bob.DeviceAsync();
        var sent = await alicePhone.SendMessageAsync(SendTarget.User(bob.UserId), "text", "helo");

        var reply = await alicePhone.EditMessageAsync(sent.ConversationId, sent.MessageId, "hello");
        Assert.Equal("ok", reply.Type);
        var frame = await bobPhone.NextOfAsync("msg.edited");
        Assert.Equal("hello", frame.Data.GetProperty("content").GetString());
        Assert.Equal("hello", Assert.Single(await bob.GetMessagesAsync(sent.ConversationId)).Content.GetString());

        var refusal = await Assert.ThrowsAsync<ParleyRealtimeException>(() => bobPhone.EditMessageAsync(sent.ConversationId, sent.MessageId, "mine now"));
        Assert.Equal("not_message_sender", refusal.Code);
    }

    [Fact]
    public async Task SearchFindsTheEditedTextAndNoLongerTheOld()
    {
        var (alice, bob) = await _server.FriendsAsync();
        var sent = await alice.TextAsync(SendTarget.User(bob.UserId), "the password is turquoise-walrus");
        Assert.Single(await bob.SearchAsync(sent.ConversationId, "turquoise-walrus"));

        await alice.EditMessageAsync(sent.ConversationId, sent.MessageId, "the password is crimson-otter");

        Assert.Empty(await bob.SearchAsync(sent.ConversationId, "turquoise-walrus"));
        Assert.Empty(await bob.SearchAllAsync("turquoise-walrus"));
        var hit = Assert.Single(await bob.SearchAsync(sent.ConversationId, "crimson-otter"));
        Assert.NotNull(hit.EditedAt);
        Assert.Single(await bob.SearchAllAsync("Crimson-Otter"));
        if (await _server.IndexEntriesAsync("turquoise-walrus") is { } old) Assert.Equal(0, old);
        if (await _server.IndexEntriesAsync("crimson-otter") is { } fresh) Assert.Equal(1, fresh);

        // A second edit swaps the index entry again.
        await alice.EditMessageAsync(sent.ConversationId, sent.MessageId, "the password is amber-heron");
        Assert.Empty(await bob.SearchAllAsync("crimson-otter"));
        Assert.Single(await bob.SearchAllAsync("amber-heron"));
    }

    [Fact]
    public async Task AReplyQuotingAnEditedMessageShowsTheNewText()
    {
        var (alice, bob) = await _server.FriendsAsync();
        var original = await alice.TextAsync(SendTarget.User(bob.UserId), "meet at the old bridge");
        var earlyReply = await bob.SendMessageAsync(SendTarget.User(alice.UserId), "text", "ok", replyTo: original.MessageId);

        await alice.EditMessageAsync(original.ConversationId, original.MessageId, "meet at the new bridge");
        var lateReply = await bob.SendMessageAsync(SendTarget.User(alice.UserId), "text", "fine", replyTo: original.MessageId);

        var history = await alice.GetMessagesAsync(original.ConversationId);
        foreach (var reply in new[] { earlyReply, lateReply })
            Assert.Equal("meet at the new bridge", history.Single(m => m.Id == reply.MessageId).ReplyTo!.Preview);
    }

    [Fact]
    public async Task OnlyTheSenderEditsOnlyTextThatIsNotRecalledAndOnlyMembersAsk()
    {
        using var cast = await GroupCast.StartAsync(_server);
        var group = SendTarget.Group(cast.GroupId);
        var text = await cast.Member.TextAsync(group, "mine");
        var emoji = await cast.Member.SendMessageAsync(group, "emoji", "🙂");
        var recalled = await cast.Member.TextAsync(group, "oops");
        await cast.Member.RecallAsync(recalled.ConversationId, recalled.MessageId);

        await Refused.WithAsync(HttpStatusCode.Forbidden, "not_message_sender", () => cast.Owner.EditMessageAsync(text.ConversationId, text.MessageId, "theirs"));
        await Refused.WithAsync(HttpStatusCode.Conflict, "message_recalled", () => cast.Member.EditMessageAsync(recalled.ConversationId, recalled.MessageId, "back"));
        await Refused.WithAsync(HttpStatusCode.BadRequest, "message_not_editable", () => cast.Member.EditMessageAsync(emoji.ConversationId, emoji.MessageId, "🙃"));
        await Refused.WithAsync(HttpStatusCode.Forbidden, "not_group_member", () => cast.Outsider.EditMessageAsync(text.ConversationId, text.MessageId, "hi"));
        await Refused.WithAsync(HttpStatusCode.BadRequest, "validation_failed", () => cast.Member.EditMessageAsync(text.ConversationId, text.MessageId, "  "));
        await Refused.WithAsync(HttpStatusCode.NotFound, "message_not_found", () => cast.Member.EditMessageAsync(text.ConversationId, "12345", "nothing"));
        await Refused.WithAsync(HttpStatusCode.RequestEntityTooLarge, "message_too_large",
            () => cast.Member.EditMessageAsync(text.ConversationId, text.MessageId, new string('x', 4001)));

        // Someone who is not one of a direct conversation's two learns nothing about it.
        var (alice, bob) = await _server.FriendsAsync();
        var direct = await alice.TextAsync(SendTarget.User(bob.UserId), "between us");
        await Refused.WithAsync(HttpStatusCode.NotFound, "conversation_not_found", () => cast.Outsider.EditMessageAsync(direct.ConversationId, direct.MessageId, "me too"));

        Assert.Equal("mine", (await cast.Owner.GetMessagesAsync(text.ConversationId)).Single(m => m.Id == text.MessageId).Content.GetString());
    }

    [Fact]
    public async Task AServerMadeMessageCannotBeEdited()
    {
        var (alice, bob) = await _server.FriendsAsync();
        var first = await alice.TextAsync(SendTarget.User(bob.UserId), "first");
        var call = await _server.ServerMessageAsync(first.ConversationId, alice.UserId, MessageType.Call,
            """{"media":"audio","initiatorId":"1","endedAt":"2026-01-01T00:00:00.000Z","durationMs":0,"endReason":"no_answer"}""", [alice.UserId, bob.UserId]);
        await Refused.WithAsync(HttpStatusCode.BadRequest, "message_not_editable", () => alice.EditMessageAsync(call.ConversationId, call.MessageId, "no call"));
    }
}

/// <summary>The edit window (<c>Messaging:EditWindow</c>, 24 hours by default) on a server whose clock the test moves.</summary>
public sealed class EditWindowTests(FakeClockServerFixture fixture) : IClassFixture<FakeClockServerFixture>
{
    private readonly TestServer _server = fixture.Server;
    private readonly FakeTimeProvider _clock = fixture.Clock;

    [Fact]
    public async Task TheSenderEditsUpToADayAfterSendingAndNotLater()
    {
        var (alice, bob) = await _server.FriendsAsync();
        var early = await alice.TextAsync(SendTarget.User(bob.UserId), "early");
        _clock.Advance(TimeSpan.FromMinutes(1));
        var late = await alice.TextAsync(SendTarget.User(bob.UserId), "late");

        _clock.Advance(TimeSpan.FromHours(24) - TimeSpan.FromMinutes(1));
        Assert.Equal("early, edited", (await alice.EditMessageAsync(early.ConversationId, early.MessageId, "early, edited")).Content.GetString());

        _clock.Advance(TimeSpan.FromMinutes(1));
        await Refused.WithAsync(HttpStatusCode.Conflict, "edit_window_passed", () => alice.EditMessageAsync(early.ConversationId, early.MessageId, "too late"));
        Assert.Equal("late, edited", (await alice.EditMessageAsync(late.ConversationId, late.MessageId, "late, edited")).Content.GetString());
    }
}
