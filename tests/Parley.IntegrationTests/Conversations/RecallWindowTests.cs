using System.Net;
using Microsoft.Extensions.Time.Testing;
using Parley.Client;
using Parley.IntegrationTests.Groups;
using Parley.IntegrationTests.Infrastructure;

namespace Parley.IntegrationTests.Conversations;

/// <summary>The recall window (<c>Messaging:RecallWindow</c>, 2 minutes by default) on a server whose clock the test moves.</summary>
public sealed class RecallWindowTests(FakeClockServerFixture fixture) : IClassFixture<FakeClockServerFixture>
{
    private readonly TestServer _server = fixture.Server;
    private readonly FakeTimeProvider _clock = fixture.Clock;

    [Fact]
    public async Task TheSenderRecallsUpToTwoMinutesAfterSendingAndNotLater()
    {
        var (alice, bob) = await _server.FriendsAsync();
        var early = await alice.TextAsync(SendTarget.User(bob.UserId), "early");
        var late = await alice.TextAsync(SendTarget.User(bob.UserId), "late");

        _clock.Advance(TimeSpan.FromSeconds(119));
        Assert.True((await alice.RecallAsync(early.ConversationId, early.MessageId)).Recalled);

        _clock.Advance(TimeSpan.FromSeconds(2));
        await Refused.WithAsync(HttpStatusCode.Forbidden, "recall_window_passed", () => alice.RecallAsync(late.ConversationId, late.MessageId));
        Assert.False((await bob.GetMessagesAsync(late.ConversationId)).Single(m => m.Id == late.MessageId).Recalled);

        // Asking again for the one recalled in time is still a success.
        Assert.True((await alice.RecallAsync(early.ConversationId, early.MessageId)).Recalled);
    }

    [Fact]
    public async Task OwnersAndAdminsRecallMembersMessagesAfterTheWindowButNotTheirOwn()
    {
        using var cast = await GroupCast.StartAsync(_server);
        var group = SendTarget.Group(cast.GroupId);
        var member1 = await cast.Member.TextAsync(group, "one");
        var member2 = await cast.Member.TextAsync(group, "two");
        var admin = await cast.Admin.TextAsync(group, "admin's");
        var owner = await cast.Owner.TextAsync(group, "owner's");

        _clock.Advance(TimeSpan.FromMinutes(10));
        await Refused.WithAsync(HttpStatusCode.Forbidden, "recall_window_passed", () => cast.Member.RecallAsync(member1.ConversationId, member1.MessageId));
        Assert.True((await cast.Admin.RecallAsync(member1.ConversationId, member1.MessageId)).Recalled);
        Assert.True((await cast.Owner.RecallAsync(member2.ConversationId, member2.MessageId)).Recalled);
        Assert.True((await cast.Owner.RecallAsync(admin.ConversationId, admin.MessageId)).Recalled);
        await Refused.WithAsync(HttpStatusCode.Forbidden, "recall_window_passed", () => cast.Owner.RecallAsync(owner.ConversationId, owner.MessageId));
    }
}
