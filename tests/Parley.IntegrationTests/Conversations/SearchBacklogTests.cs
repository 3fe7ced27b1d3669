using Parley.Client;
using Parley.IntegrationTests.Infrastructure;

namespace Parley.IntegrationTests.Conversations;

/// <summary>
/// Messages between their commit and the search indexer's round (SQLite: the search backlog): found from their ack on,
/// edited, recalled and then indexed with the text they hold by then. The indexer here waits an hour unless asked.
/// On PostgreSQL, which indexes in the commit, the same searches hold.
/// </summary>
public sealed class SearchBacklogTests(BacklogSearchServerFixture fixture) : IClassFixture<BacklogSearchServerFixture>
{
    private readonly TestServer _server = fixture.Server;

    private static string Unique(string stem) => $"{stem}{Guid.NewGuid():N}"[..(stem.Length + 8)];

    [Fact]
    public async Task WaitingMessagesAreFoundEditedAndRecalledThenIndexedAsTheyAre()
    {
        var (alice, bob) = await _server.FriendsAsync();
        var to = SendTarget.User(bob.UserId);
        var word = Unique("zebra");
        var edited = await alice.TextAsync(to, $"a {word} crossing");
        var recalled = await alice.TextAsync(to, $"another {word} here");
        var kept = await alice.TextAsync(to, $"the last {word} of all");
        var conversation = kept.ConversationId;

        // Not in the index yet, found all the same.
        if (await _server.IndexEntriesAsync(word, caughtUp: false) is { } none) Assert.Equal(0, none);
        Assert.Equal([kept.MessageId, recalled.MessageId, edited.MessageId], (await bob.SearchAsync(conversation, word)).Select(m => m.Id));
        Assert.Equal([kept.MessageId, recalled.MessageId, edited.MessageId], (await bob.SearchAllAsync(word)).Select(m => m.Id));

        // Changed while waiting: search reads the rows as they are now.
        var narwhal = Unique("narwhal");
        await alice.EditMessageAsync(conversation, edited.MessageId, $"a lonely {narwhal}");
        await alice.RecallAsync(conversation, recalled.MessageId);
        if (await _server.IndexEntriesAsync(word, caughtUp: false) is { } stillNone) Assert.Equal(0, stillNone);
        Assert.Equal([kept.MessageId], (await bob.SearchAsync(conversation, word)).Select(m => m.Id));
        Assert.Equal([edited.MessageId], (await bob.SearchAllAsync(narwhal)).Select(m => m.Id));

        // Indexed with the text each holds now: the edit's, not the recalled one's, and nothing of the old text.
        await _server.SearchIndexedAsync();
        if (await _server.IndexEntriesAsync(word, caughtUp: false) is { } indexed) Assert.Equal(1, indexed);
        if (await _server.IndexEntriesAsync(narwhal, caughtUp: false) is { } fresh) Assert.Equal(1, fresh);
        Assert.Equal([kept.MessageId], (await bob.SearchAsync(conversation, word)).Select(m => m.Id));
        Assert.Equal([kept.MessageId], (await bob.SearchAllAsync(word)).Select(m => m.Id));
        Assert.Equal([edited.MessageId], (await bob.SearchAsync(conversation, narwhal)).Select(m => m.Id));
        await _server.AssertSearchIndexIntactAsync();

        // Once indexed, an edit swaps the entry itself.
        await alice.EditMessageAsync(conversation, kept.MessageId, "nothing to find");
        if (await _server.IndexEntriesAsync(word, caughtUp: false) is { } swapped) Assert.Equal(0, swapped);
        Assert.Empty(await bob.SearchAllAsync(word));

        // A message sent after the indexer's round is found beside the indexed ones, newest first.
        var later = await alice.TextAsync(to, $"one more {narwhal}");
        Assert.Equal([later.MessageId, edited.MessageId], (await bob.SearchAsync(conversation, narwhal)).Select(m => m.Id));
        Assert.Equal([later.MessageId, edited.MessageId], (await bob.SearchAllAsync(narwhal)).Select(m => m.Id));
        // Paged: the first page from the backlog, the next from the index.
        Assert.Equal([later.MessageId], (await bob.SearchAllAsync(narwhal, limit: 1)).Select(m => m.Id));
        Assert.Equal([edited.MessageId], (await bob.SearchAllAsync(narwhal, limit: 1, before: later.MessageId)).Select(m => m.Id));
        Assert.Equal([edited.MessageId], (await bob.SearchAsync(conversation, narwhal, limit: 1, beforeSeq: later.Seq)).Select(m => m.Id));
        await _server.AssertSearchIndexIntactAsync();
    }

    /// <summary>
    /// SQLite: FTS5's own merging is off (it merged a level at once, inside a round's commit, while the committer waited);
    /// the indexer merges in small steps after each round, so one segment a round does not pile up. On PostgreSQL the
    /// searches alone hold.
    /// </summary>
    [Fact]
    public async Task RoundAfterRoundTheIndexerMergesTheIndexInSmallSteps()
    {
        var (alice, bob) = await _server.FriendsAsync();
        var to = SendTarget.User(bob.UserId);
        var word = Unique("okapi");
        var sent = new List<string>();
        for (var round = 0; round < 12; round++)
        {
            sent.Add((await alice.TextAsync(to, $"{word} in round {round}")).MessageId);
            await _server.SearchIndexedAsync();
        }
        sent.Reverse();
        Assert.Equal(sent, (await bob.SearchAllAsync(word)).Select(m => m.Id));
        if (await _server.IndexStructureAsync() is { } index)
        {
            Assert.Equal(0, index.Automerge);
            // Twelve rounds and more (the other tests' and the first) made a segment each; merged by fours, few are left
            // (unmerged, twelve or more).
            Assert.InRange(index.Segments, 1, 8);
        }
        await _server.AssertSearchIndexIntactAsync();
    }
}
