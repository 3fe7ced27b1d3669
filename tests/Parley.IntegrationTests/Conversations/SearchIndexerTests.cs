using Parley.Client;
using Parley.IntegrationTests.Infrastructure;

namespace Parley.IntegrationTests.Conversations;

/// <summary>
/// SQLite's full-text index is filled behind the committer (Messaging/SearchIndexer.cs). Search must not care whether a
/// message is indexed yet, and edits and recalls of messages not indexed yet must leave the index exactly matching the
/// table once it catches up. On PostgreSQL (no such index) the same searches must give the same answers.
/// </summary>
public sealed class SearchIndexerTests
{
    [Fact]
    public async Task EditsAndRecallsBeforeAndAfterIndexingKeepSearchAndTheIndexRight()
    {
        // The indexer waits an hour after each commit: what is sent here stays unindexed until the test indexes it.
        await using var server = await TestServer.StartAsync(new Dictionary<string, string?> { ["Messaging:SearchIndexDelay"] = "01:00:00" });
        var (alice, bob) = await server.FriendsAsync();
        var first = await alice.TextAsync(SendTarget.User(bob.UserId), "alpha-kiwi one");
        var second = await alice.TextAsync(SendTarget.User(bob.UserId), "alpha-kiwi two");
        var third = await alice.TextAsync(SendTarget.User(bob.UserId), "beta-lynx");
        var conversation = first.ConversationId;
        if (await server.SearchIndexMarkAsync() is { } mark) Assert.True(mark < long.Parse(first.MessageId, System.Globalization.CultureInfo.InvariantCulture));
        if (await server.IndexEntriesNowAsync("alpha-kiwi") is { } none) Assert.Equal(0, none);

        // Found while not indexed, newest first, in one conversation and across them.
        Assert.Equal([second.MessageId, first.MessageId], (await bob.SearchAsync(conversation, "alpha-kiwi")).Select(m => m.Id));
        Assert.Equal([second.MessageId, first.MessageId], (await bob.SearchAllAsync("ALPHA-KIWI")).Select(m => m.Id));

        // Changed before the indexer sees them: it must index what the rows hold then.
        await alice.EditMessageAsync(conversation, second.MessageId, "gamma-moth");
        await alice.RecallAsync(conversation, third.MessageId);
        await AssertSearchAsync(bob, conversation, ("alpha-kiwi", [first.MessageId]), ("gamma-moth", [second.MessageId]), ("beta-lynx", []));

        if (await server.SearchIndexCaughtUpAsync() is not null)
        {
            Assert.Equal(1, await server.IndexEntriesNowAsync("alpha-kiwi"));
            Assert.Equal(1, await server.IndexEntriesNowAsync("gamma-moth"));
            Assert.Equal(0, await server.IndexEntriesNowAsync("beta-lynx"));
        }
        await AssertSearchAsync(bob, conversation, ("alpha-kiwi", [first.MessageId]), ("gamma-moth", [second.MessageId]), ("beta-lynx", []));

        // Changed after indexing: the index follows at once. A later message is found beside indexed ones.
        await alice.EditMessageAsync(conversation, first.MessageId, "delta-newt");
        await alice.RecallAsync(conversation, second.MessageId);
        var fourth = await alice.TextAsync(SendTarget.User(bob.UserId), "delta-newt again");
        await AssertSearchAsync(bob, conversation, ("delta-newt", [fourth.MessageId, first.MessageId]), ("gamma-moth", []), ("alpha-kiwi", []));
        if (await server.SearchIndexCaughtUpAsync() is not null)
        {
            Assert.Equal(2, await server.IndexEntriesNowAsync("delta-newt"));
            Assert.Equal(0, await server.IndexEntriesNowAsync("gamma-moth"));
        }
        await AssertSearchAsync(bob, conversation, ("delta-newt", [fourth.MessageId, first.MessageId]), ("gamma-moth", []), ("alpha-kiwi", []));
    }

    [Fact]
    public async Task TheIndexerCatchesUpByItselfAfterMessagesAreStored()
    {
        await using var server = await TestServer.StartAsync();
        var (alice, bob) = await server.FriendsAsync();
        var sent = await alice.TextAsync(SendTarget.User(bob.UserId), "epsilon-yak");
        if (await server.SearchIndexMarkAsync() is null) return; // PostgreSQL: nothing is indexed behind the committer.

        var id = long.Parse(sent.MessageId, System.Globalization.CultureInfo.InvariantCulture);
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (await server.SearchIndexMarkAsync() < id) await Task.Delay(20, deadline.Token);
        Assert.Equal(1, await server.IndexEntriesNowAsync("epsilon-yak"));
        Assert.Single(await bob.SearchAllAsync("epsilon-yak"));
    }

    private static async Task AssertSearchAsync(ParleyClient reader, string conversationId, params (string Query, string[] Ids)[] expected)
    {
        foreach (var (query, ids) in expected)
        {
            Assert.Equal(ids, (await reader.SearchAsync(conversationId, query)).Select(m => m.Id));
            Assert.Equal(ids, (await reader.SearchAllAsync(query)).Select(m => m.Id));
        }
    }
}
