using System.Net;
using Parley.Client;
using Parley.IntegrationTests.Groups;
using Parley.IntegrationTests.Infrastructure;

namespace Parley.IntegrationTests.Conversations;

/// <summary>Search as configured by default: on SQLite, small conversations are scanned rather than looked up in the index.</summary>
public sealed class SearchTests(ServerFixture fixture) : SearchBehaviour(fixture.Server, indexFirst: false), IClassFixture<ServerFixture>;

/// <summary>
/// The same behaviour with every search of 3+ characters going through the SQLite full-text index, each after the
/// search indexer has indexed every message sent before it.
/// </summary>
public sealed class IndexedSearchTests(IndexOnlySearchServerFixture fixture)
    : SearchBehaviour(fixture.Server, indexFirst: true), IClassFixture<IndexOnlySearchServerFixture>;

/// <summary>
/// The same behaviour on the indexed path while nothing sent is indexed yet (the indexer waits an hour): on SQLite
/// every hit comes from the search backlog, the messages committed since the indexer's last round.
/// </summary>
public sealed class BacklogSearchTests(BacklogSearchServerFixture fixture)
    : SearchBehaviour(fixture.Server, indexFirst: false), IClassFixture<BacklogSearchServerFixture>;

public abstract class SearchBehaviour(TestServer server, bool indexFirst)
{
    private readonly TestServer _server = server;

    /// <summary>Before the first search of a test: with <c>indexFirst</c>, waits until the indexer has indexed every message sent so far.</summary>
    private Task SettledAsync() => indexFirst ? _server.SearchIndexedAsync() : Task.CompletedTask;

    /// <summary>A word no other test's messages contain.</summary>
    private static string Unique(string stem) => $"{stem}{Guid.NewGuid():N}"[..(stem.Length + 8)];

    [Fact]
    public async Task WithinAConversationHitsAreTextMessagesContainingTheQueryNewestFirst()
    {
        var (alice, bob) = await _server.FriendsAsync();
        var word = Unique("kiwi");
        var to = SendTarget.User(bob.UserId);
        var first = await alice.TextAsync(to, $"I like {word} a lot");
        await alice.TextAsync(to, "nothing to see");
        var third = await bob.TextAsync(SendTarget.User(alice.UserId), $"{word.ToUpperInvariant()}! me too");
        await alice.SendMessageAsync(to, "emoji", word[..8]);
        var conversation = first.ConversationId;

        await SettledAsync();
        var hits = await alice.SearchAsync(conversation, word);
        Assert.Equal([third.MessageId, first.MessageId], hits.Select(m => m.Id));
        Assert.All(hits, m => Assert.Equal("text", m.Type));
        Assert.Equal($"I like {word} a lot", hits[1].Content.GetString());
        Assert.Equal(conversation, hits[1].ConversationId);
        // Part of a word, across a space.
        Assert.Equal([first.MessageId], (await bob.SearchAsync(conversation, $"{word[2..]} a l")).Select(m => m.Id));
        Assert.Empty(await bob.SearchAsync(conversation, $"{word}zzz"));
    }

    [Fact]
    public async Task EveryPieceOfTheQueryElsewhereInAMessageIsNoHit()
    {
        // The full-text index finds messages that hold every trigram of the query; only the whole query in one
        // piece is a hit.
        var (alice, bob) = await _server.FriendsAsync();
        var word = Unique("tri");
        var to = SendTarget.User(bob.UserId);
        var hit = await alice.TextAsync(to, $"the {word} itself");
        var pieces = await alice.TextAsync(to, $"{word[..6]} and {word[5..]}, {word[..4]} {word[3..]}");
        var conversation = hit.ConversationId;

        await SettledAsync();
        Assert.Equal([hit.MessageId], (await bob.SearchAsync(conversation, word)).Select(m => m.Id));
        Assert.Equal([hit.MessageId], (await bob.SearchAllAsync(word)).Select(m => m.Id));
        Assert.Equal([pieces.MessageId, hit.MessageId], (await bob.SearchAsync(conversation, word[..6])).Select(m => m.Id));
    }

    [Fact]
    public async Task ChineseTextIsFound()
    {
        var (alice, bob) = await _server.FriendsAsync();
        var hit = await alice.TextAsync(SendTarget.User(bob.UserId), "你好吗朋友");
        await alice.TextAsync(SendTarget.User(bob.UserId), "我很好");
        await SettledAsync();
        Assert.Equal([hit.MessageId], (await bob.SearchAsync(hit.ConversationId, "你好吗")).Select(m => m.Id));
        Assert.Equal([hit.MessageId], (await bob.SearchAsync(hit.ConversationId, "好吗朋")).Select(m => m.Id));
        Assert.Contains(await bob.SearchAllAsync("你好吗朋友"), m => m.Id == hit.MessageId);
        // Two characters: within one conversation only.
        Assert.Equal([hit.MessageId], (await bob.SearchAsync(hit.ConversationId, "朋友")).Select(m => m.Id));
        Assert.Equal(2, (await bob.SearchAsync(hit.ConversationId, "好")).Count);
        await Refused.WithAsync(HttpStatusCode.BadRequest, "query_too_short", () => bob.SearchAllAsync("朋友"));
    }

    [Fact]
    public async Task CaseIsIgnoredInEveryScriptThatHasIt()
    {
        var (alice, bob) = await _server.FriendsAsync();
        var word = Unique("zz");
        var to = SendTarget.User(bob.UserId);
        var french = await alice.TextAsync(to, $"ÉCOLE {word} DÉJÀ");
        var greek = await alice.TextAsync(to, $"ΚΑΛΗΜΈΡΑ {word}");
        await alice.TextAsync(to, "unrelated");
        var conversation = french.ConversationId;

        await SettledAsync();
        Assert.Equal([french.MessageId], (await bob.SearchAsync(conversation, "école")).Select(m => m.Id));
        Assert.Equal([french.MessageId], (await bob.SearchAsync(conversation, "Déjà")).Select(m => m.Id));
        Assert.Equal([greek.MessageId], (await bob.SearchAsync(conversation, "καλημέρα")).Select(m => m.Id));
        Assert.Equal([greek.MessageId, french.MessageId], (await bob.SearchAllAsync(word.ToUpperInvariant())).Select(m => m.Id));
        // The message itself keeps its case: only the search text is folded.
        Assert.Equal($"ÉCOLE {word} DÉJÀ", (await bob.SearchAsync(conversation, "école"))[0].Content.GetString());
    }

    [Fact]
    public async Task WildcardsAndQuotesAreTakenLiterally()
    {
        var (alice, bob) = await _server.FriendsAsync();
        var to = SendTarget.User(bob.UserId);
        var percent = await alice.TextAsync(to, "discount 100% off");
        await alice.TextAsync(to, "discount 1000 off");
        var underscore = await alice.TextAsync(to, "file_name.txt");
        await alice.TextAsync(to, "fileXname.txt");
        var quoted = await alice.TextAsync(to, "she said \"hi there\" and left");
        var backslash = await alice.TextAsync(to, "C:\\temp\\x");
        var conversation = percent.ConversationId;

        await SettledAsync();
        Assert.Equal([percent.MessageId], (await bob.SearchAsync(conversation, "100%")).Select(m => m.Id));
        Assert.Equal([underscore.MessageId], (await bob.SearchAsync(conversation, "e_n")).Select(m => m.Id));
        Assert.Equal([quoted.MessageId], (await bob.SearchAsync(conversation, "\"hi there\"")).Select(m => m.Id));
        Assert.Equal([backslash.MessageId], (await bob.SearchAsync(conversation, "\\temp")).Select(m => m.Id));
        Assert.Equal([percent.MessageId], (await bob.SearchAsync(conversation, "%")).Select(m => m.Id));
    }

    [Fact]
    public async Task PagesWithLimitAndBeforeSeqOrBefore()
    {
        var (alice, bob) = await _server.FriendsAsync();
        var carol = await _server.NewFriendAsync(alice, "carol");
        var word = Unique("pear");
        var acks = new List<MessageAck>();
        for (var i = 0; i < 7; i++)
        {
            var to = i % 2 == 0 ? SendTarget.User(bob.UserId) : SendTarget.User(carol.UserId);
            acks.Add(await alice.TextAsync(to, $"{word} number {i}"));
            await alice.TextAsync(to, "filler");
        }

        // Within one conversation (Bob's: messages 0, 2, 4, 6), by seq.
        var withBob = acks.Where((_, i) => i % 2 == 0).Reverse().ToList();
        await SettledAsync();
        var page1 = await alice.SearchAsync(withBob[0].ConversationId, word, limit: 3);
        Assert.Equal(withBob.Take(3).Select(a => a.MessageId), page1.Select(m => m.Id));
        var page2 = await alice.SearchAsync(withBob[0].ConversationId, word, limit: 3, beforeSeq: page1[^1].Seq);
        Assert.Equal([withBob[3].MessageId], page2.Select(m => m.Id));

        // Across conversations, by message id: newest first, then on from the last hit.
        var newestFirst = Enumerable.Reverse(acks).Select(a => a.MessageId).ToList();
        var across1 = await alice.SearchAllAsync(word, limit: 4);
        Assert.Equal(newestFirst.Take(4), across1.Select(m => m.Id));
        var across2 = await alice.SearchAllAsync(word, limit: 4, before: across1[^1].Id);
        Assert.Equal(newestFirst.Skip(4), across2.Select(m => m.Id));
        Assert.Empty(await alice.SearchAllAsync(word, limit: 4, before: across2[^1].Id));
        Assert.Equal(4, (await bob.SearchAllAsync(word)).Count);
    }

    [Fact]
    public async Task OnlyConversationsIAmInNowAreSearched()
    {
        using var cast = await GroupCast.StartAsync(_server);
        var word = Unique("plum");
        var inGroup = await cast.Owner.TextAsync(SendTarget.Group(cast.GroupId), $"{word} for the group");
        var (dave, erin) = await _server.FriendsAsync();
        var elsewhere = await dave.TextAsync(SendTarget.User(erin.UserId), $"{word} between others");

        await SettledAsync();
        Assert.Equal([inGroup.MessageId], (await cast.Member.SearchAllAsync(word)).Select(m => m.Id));
        Assert.Empty(await cast.Outsider.SearchAllAsync(word));
        Assert.Equal([elsewhere.MessageId], (await erin.SearchAllAsync(word)).Select(m => m.Id));
        await Refused.WithAsync(HttpStatusCode.Forbidden, "not_group_member", () => cast.Outsider.SearchAsync(inGroup.ConversationId, word));
        await Refused.WithAsync(HttpStatusCode.NotFound, "conversation_not_found", () => cast.Outsider.SearchAsync(elsewhere.ConversationId, word));

        await cast.Member.LeaveGroupAsync(cast.GroupId);
        Assert.Empty(await cast.Member.SearchAllAsync(word));
        await Refused.WithAsync(HttpStatusCode.Forbidden, "not_group_member", () => cast.Member.SearchAsync(inGroup.ConversationId, word));
    }

    [Fact]
    public async Task BadQueriesAreRefused()
    {
        var (alice, bob) = await _server.FriendsAsync();
        var sent = await alice.TextAsync(SendTarget.User(bob.UserId), "hello");
        var conversation = sent.ConversationId;
        await SettledAsync();
        foreach (var q in new[] { "", "   ", new string('a', 101), "hel\0lo" })
        {
            await Refused.WithAsync(HttpStatusCode.BadRequest, "validation_failed", () => alice.SearchAsync(conversation, q));
            await Refused.WithAsync(HttpStatusCode.BadRequest, "validation_failed", () => alice.SearchAllAsync(q));
        }
        await Refused.WithAsync(HttpStatusCode.BadRequest, "validation_failed", () => alice.SearchAsync(conversation, "hello", limit: 0));
        await Refused.WithAsync(HttpStatusCode.BadRequest, "validation_failed", () => alice.SearchAllAsync("hello", limit: 101));
        await Refused.WithAsync(HttpStatusCode.BadRequest, "validation_failed", () => alice.SearchAllAsync("hello", before: "x"));
        await Refused.WithAsync(HttpStatusCode.BadRequest, "query_too_short", () => alice.SearchAllAsync("he"));
        Assert.Single(await alice.SearchAsync(conversation, new string('l', 2)));
        Assert.Single(await alice.SearchAsync(conversation, "hello" + new string(' ', 95)));
    }
}
