using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Parley.Client;
using Parley.IntegrationTests.Groups;
using Parley.IntegrationTests.Infrastructure;
using Parley.Server.Storage;
using SendTarget = Parley.Client.SendTarget;

namespace Parley.IntegrationTests.Conversations;

/// <summary>
/// The list's sort key on the member rows (<c>ListActivityAt</c>), which lags the conversation's activity by less than a
/// second so that a busy group does not rewrite its members' rows on every message. The clock is the test's: messages a
/// tenth of a second apart leave the keys where they were, two seconds apart move them; the list must follow the exact
/// activity either way.
/// </summary>
public sealed class ConversationListKeyTests(FakeClockServerFixture fixture) : IClassFixture<FakeClockServerFixture>
{
    private readonly TestServer _server = fixture.Server;
    private readonly FakeTimeProvider _clock = fixture.Clock;
    private static readonly TimeSpan Tenth = TimeSpan.FromMilliseconds(100);

    [Fact]
    public async Task TheListFollowsTheExactActivityWhileTheKeysLagAndTheKeysMoveAfterASecond()
    {
        using var alice = await _server.NewUserAsync("alice");
        using var bob = await _server.NewFriendAsync(alice, "bob");
        using var carol = await _server.NewFriendAsync(alice, "carol");

        _clock.Advance(TimeSpan.FromSeconds(10));
        var started = _clock.GetUtcNow();
        var withBob = (await bob.SendMessageAsync(SendTarget.User(alice.UserId), "text", "one")).ConversationId;
        _clock.Advance(Tenth);
        var withCarol = (await carol.SendMessageAsync(SendTarget.User(alice.UserId), "text", "two")).ConversationId;
        _clock.Advance(Tenth);
        await bob.SendMessageAsync(SendTarget.User(alice.UserId), "text", "three");

        // Bob's conversation is the newer one, but its key stayed at its first message: by key, Carol's comes first.
        Assert.Equal(Millis(started), await KeyAsync(withBob, alice.UserId));
        Assert.Equal(Millis(started), await KeyAsync(withBob, bob.UserId));
        Assert.Equal(Millis(started + Tenth), await KeyAsync(withCarol, alice.UserId));

        var first = await alice.ListConversationsAsync(limit: 1);
        Assert.Equal([withBob], first.Conversations.Select(c => c.Id));
        var second = await alice.ListConversationsAsync(limit: 1, cursor: first.NextCursor);
        Assert.Equal([withCarol], second.Conversations.Select(c => c.Id));
        Assert.Null(second.NextCursor);
        Assert.Equal([withBob, withCarol], (await alice.ListConversationsAsync()).Conversations.Select(c => c.Id));

        // Two seconds on, Carol's next message moves her conversation's key, on both member rows.
        _clock.Advance(TimeSpan.FromSeconds(2));
        var moved = _clock.GetUtcNow();
        await carol.SendMessageAsync(SendTarget.User(alice.UserId), "text", "four");
        Assert.Equal(Millis(moved), await KeyAsync(withCarol, alice.UserId));
        Assert.Equal(Millis(moved), await KeyAsync(withCarol, carol.UserId));
        Assert.Equal(Millis(started), await KeyAsync(withBob, alice.UserId));
        Assert.Equal([withCarol, withBob], (await alice.AllConversationsAsync(pageSize: 1)).Select(c => c.Id));
    }

    [Fact]
    public async Task PagesOfEverySizeFollowTheExactOrderWhenManyKeysLag()
    {
        using var alice = await _server.NewUserAsync("alice");
        var friends = new List<ParleyClient>();
        for (var i = 0; i < 9; i++) friends.Add(await _server.NewFriendAsync(alice, $"friend{i}"));
        try
        {
            // A message in each conversation a tenth of a second apart, then another in some of them in a different order:
            // their keys stay at their first message (the first one's is now the oldest key but the fifth newest
            // activity), but not the last of them, a second after its first; a pause, and one more moves its key. Two
            // conversations pinned.
            var conversations = new string[friends.Count];
            int[] order = [0, 1, 2, 3, 4, 5, 6, 7, 8, 0, 4, 2, 7, 1, 5];
            for (var k = 0; k < order.Length; k++)
            {
                _clock.Advance(k == 14 ? TimeSpan.FromSeconds(1.5) : Tenth);
                var i = order[k];
                conversations[i] = (await friends[i].SendMessageAsync(SendTarget.User(alice.UserId), "text", $"m{k}")).ConversationId;
            }
            await alice.UpdateConversationAsync(conversations[3], pinned: true);
            await alice.UpdateConversationAsync(conversations[0], pinned: true);

            var whole = (await alice.ListConversationsAsync()).Conversations;
            var expected = whole.OrderByDescending(c => c.Pinned).ThenByDescending(c => c.LastActivityAt)
                .ThenByDescending(c => long.Parse(c.Id, CultureInfo.InvariantCulture)).Select(c => c.Id).ToList();
            Assert.Equal(friends.Count, expected.Count);
            Assert.Equal(expected, whole.Select(c => c.Id));
            for (var size = 1; size <= 4; size++)
                Assert.Equal(expected, (await alice.AllConversationsAsync(pageSize: size)).Select(c => c.Id));

            // The keys did lag: at least one conversation's key is behind its activity, and none is ahead of it or a
            // second or more behind.
            var lags = new List<long>();
            foreach (var row in whole) lags.Add(Millis(row.LastActivityAt) - await KeyAsync(row.Id, alice.UserId));
            Assert.Contains(lags, lag => lag > 0);
            Assert.All(lags, lag => Assert.InRange(lag, 0, 999));
        }
        finally
        {
            foreach (var friend in friends) friend.Dispose();
        }
    }

    [Fact]
    public async Task ANewcomerTakesTheGroupsKeyAndEveryMembersKeyMovesTogether()
    {
        using var alice = await _server.NewUserAsync("alice");
        using var bob = await _server.NewFriendAsync(alice, "bob");
        using var carol = await _server.NewFriendAsync(alice, "carol");
        _clock.Advance(TimeSpan.FromSeconds(10));
        var created = _clock.GetUtcNow();
        var group = await alice.CreateGroupAsync("keys", [bob.UserId]);
        _clock.Advance(Tenth * 3);
        await alice.SendMessageAsync(SendTarget.Group(group.Id), "text", "within the second");

        await alice.InviteToGroupAsync(group.Id, [carol.UserId]);
        foreach (var member in new[] { alice, bob, carol })
            Assert.Equal(Millis(created), await KeyAsync(group.Id, member.UserId));
        Assert.Contains(group.Id, (await carol.ListConversationsAsync()).Conversations.Select(c => c.Id));

        _clock.Advance(TimeSpan.FromSeconds(2));
        var moved = _clock.GetUtcNow();
        await bob.SendMessageAsync(SendTarget.Group(group.Id), "text", "two seconds on");
        foreach (var member in new[] { alice, bob, carol })
            Assert.Equal(Millis(moved), await KeyAsync(group.Id, member.UserId));
    }

    private static long Millis(DateTimeOffset time) => time.ToUnixTimeMilliseconds();

    /// <summary>A member row's sort key, in Unix milliseconds (what both databases keep at least).</summary>
    private async Task<long> KeyAsync(string conversationId, string userId)
    {
        await using var scope = _server.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ParleyDb>();
        long conversation = long.Parse(conversationId, CultureInfo.InvariantCulture), user = long.Parse(userId, CultureInfo.InvariantCulture);
        var key = await db.ConversationMembers.AsNoTracking().Where(m => m.ConversationId == conversation && m.UserId == user)
            .Select(m => m.ListActivityAt).SingleAsync();
        return key.ToUnixTimeMilliseconds();
    }
}
