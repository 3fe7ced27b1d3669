using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Parley.Client;
using Parley.IntegrationTests.Infrastructure;
using Parley.Server.Messaging;
using Parley.Server.Storage;
using MessageAck = Parley.Client.MessageAck;
using SendTarget = Parley.Client.SendTarget;

namespace Parley.IntegrationTests.Conversations;

/// <summary>Helpers for the recall, delete-for-me and search tests.</summary>
internal static class RecallSearchKit
{
    public static async Task<(ParleyClient Alice, ParleyClient Bob)> FriendsAsync(this TestServer server)
    {
        var alice = await server.NewUserAsync("alice");
        var bob = await server.NewUserAsync("bob");
        await TestServer.MakeFriendsAsync(alice, bob);
        return (alice, bob);
    }

    public static Task<MessageAck> TextAsync(this ParleyClient from, SendTarget to, string text) =>
        from.SendMessageAsync(to, "text", text);

    /// <summary>
    /// A connected device that is sure to get events: the server registers a socket just after the handshake,
    /// so an event published at once could miss it; a ping answered means the device is registered.
    /// </summary>
    public static async Task<ParleyRealtime> DeviceAsync(this ParleyClient client)
    {
        var socket = await ParleyRealtime.ConnectAsync(client);
        await socket.RequestAsync("ping", null);
        return socket;
    }

    /// <summary>The next event of one of <paramref name="types"/>, skipping the others (presence and the like).</summary>
    public static async Task<ServerFrame> NextOfAsync(this ParleyRealtime socket, params string[] types)
    {
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (true)
        {
            var frame = await socket.Events.ReadAsync(cancel.Token);
            if (types.Contains(frame.Type)) return frame;
        }
    }

    /// <summary>
    /// Syncs one conversation after <paramref name="afterSeq"/> and returns its batches (seqs and hasMore). The
    /// batches come before the <c>msg.synced</c> reply on the socket, so once the reply is in they are all
    /// waiting among the events; other events waiting there are dropped.
    /// </summary>
    public static async Task<List<(List<long> Seqs, bool HasMore, List<JsonElement> Messages)>> SyncAsync(
        this ParleyRealtime socket, string conversationId, long afterSeq)
    {
        await socket.RequestAsync("msg.sync", new { conversations = new Dictionary<string, long> { [conversationId] = afterSeq } });
        var batches = new List<(List<long>, bool, List<JsonElement>)>();
        while (socket.Events.TryRead(out var frame))
        {
            if (frame.Type != "msg.batch") continue;
            var messages = frame.Data.GetProperty("messages").EnumerateArray().ToList();
            batches.Add((messages.Select(m => m.GetProperty("seq").GetInt64()).ToList(), frame.Data.GetProperty("hasMore").GetBoolean(), messages));
        }
        return batches;
    }

    public static async Task<Message> StoredMessageAsync(this TestServer server, string messageId)
    {
        await using var scope = server.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ParleyDb>();
        var id = long.Parse(messageId, System.Globalization.CultureInfo.InvariantCulture);
        return await db.Messages.AsNoTracking().SingleAsync(m => m.Id == id);
    }

    /// <summary>Waits until the search indexer has indexed every message committed so far (at once on PostgreSQL, which has none).</summary>
    public static Task SearchIndexedAsync(this TestServer server) =>
        server.Services.GetRequiredService<SearchIndexer>().CaughtUpAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));

    /// <summary>
    /// On SQLite, how many messages the full-text index holds every trigram of <paramref name="phrase"/> for, once the
    /// indexer has caught up (or as it stands, with <paramref name="caughtUp"/> false); null on PostgreSQL.
    /// </summary>
    public static async Task<long?> IndexEntriesAsync(this TestServer server, string phrase, bool caughtUp = true)
    {
        if (caughtUp) await server.SearchIndexedAsync();
        await using var scope = server.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ParleyDb>();
        if (db is not SqliteParleyDb) return null;
        var match = MessageSearcher.MatchTrigrams(MessageSearcher.Fold(phrase));
        return await db.Database.SqlQuery<long>($"SELECT count(*) AS \"Value\" FROM \"MessageSearch\" WHERE \"MessageSearch\" MATCH {match}").SingleAsync();
    }

    /// <summary>
    /// On SQLite: the full-text index's segments (its <c>_idx</c> table has rows for each) and its stored <c>automerge</c>
    /// setting (null: FTS5's default); null on PostgreSQL.
    /// </summary>
    public static async Task<(long Segments, long? Automerge)?> IndexStructureAsync(this TestServer server)
    {
        await using var scope = server.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ParleyDb>();
        if (db is not SqliteParleyDb) return null;
        var segments = await db.Database.SqlQuery<long>($"SELECT count(DISTINCT segid) AS \"Value\" FROM \"MessageSearch_idx\"").SingleAsync();
        var automerge = await db.Database.SqlQuery<long?>($"SELECT v AS \"Value\" FROM \"MessageSearch_config\" WHERE k = 'automerge'").SingleOrDefaultAsync();
        return (segments, automerge);
    }

    /// <summary>
    /// On SQLite, once the indexer has caught up: FTS5's own check of the full-text index against the messages it is made
    /// from (it fails on an entry for text a message no longer holds, or a message with text and no entry).
    /// </summary>
    public static async Task AssertSearchIndexIntactAsync(this TestServer server)
    {
        await server.SearchIndexedAsync();
        await using var scope = server.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ParleyDb>();
        if (db is not SqliteParleyDb) return;
        await db.Database.ExecuteSqlRawAsync("INSERT INTO \"MessageSearch\" (\"MessageSearch\", rank) VALUES ('integrity-check', 1)");
    }

    /// <summary>Stores a server-made message (system or call) the way the social and call features do.</summary>
    public static async Task<MessageAck> ServerMessageAsync(this TestServer server, string conversationId, string senderId, MessageType type,
        string contentJson, IReadOnlyList<string> recipients, string? file = null, long? fileId = null)
    {
        var pending = new PendingMessage(senderDeviceId: 0)
        {
            ConversationId = long.Parse(conversationId, System.Globalization.CultureInfo.InvariantCulture),
            SenderId = long.Parse(senderId, System.Globalization.CultureInfo.InvariantCulture),
            ClientMsgId = $"server-{Guid.NewGuid():N}",
            Type = type,
            Content = contentJson,
            File = file,
            FileId = fileId,
            Recipients = recipients.Select(r => long.Parse(r, System.Globalization.CultureInfo.InvariantCulture)).ToList(),
        };
        await server.Services.GetRequiredService<MessageCommitter>().EnqueueAsync(pending, CancellationToken.None);
        var ack = await pending.Stored.Task.WaitAsync(TimeSpan.FromSeconds(10));
        return new MessageAck(ack.ClientMsgId, ack.MessageId, ack.ConversationId, ack.Seq, ack.SentAt);
    }
}

/// <summary>
/// A server whose clock the test moves (<see cref="Clock"/>), for the recall window. The clock starts an hour
/// behind the real one and access tokens live a day, so that tokens it issues stay valid to the bearer-token
/// check (which reads the real clock) however far the tests of the class move it within that hour.
/// </summary>
public sealed class FakeClockServerFixture : IAsyncLifetime
{
    public FakeTimeProvider Clock { get; } = new(DateTimeOffset.UtcNow.AddHours(-1));
    public TestServer Server { get; private set; } = null!;

    public async Task InitializeAsync() =>
        Server = await TestServer.StartAsync(
            new Dictionary<string, string?> { ["Jwt:AccessTokenLifetime"] = "1.00:00:00" },
            builder => builder.Services.AddSingleton<TimeProvider>(Clock));

    public async Task DisposeAsync() => await Server.DisposeAsync();
}

/// <summary>Small sync frames (<c>Messaging:MaxPage</c> = 4), to see paging and <c>hasMore</c> around deleted messages.</summary>
public sealed class SmallPageServerFixture : IAsyncLifetime
{
    public const int PageSize = 4;
    public TestServer Server { get; private set; } = null!;

    public async Task InitializeAsync() =>
        Server = await TestServer.StartAsync(new Dictionary<string, string?> { ["Messaging:MaxPage"] = PageSize.ToString(System.Globalization.CultureInfo.InvariantCulture) });

    public async Task DisposeAsync() => await Server.DisposeAsync();
}

/// <summary>
/// Search that goes through the full-text index: always on SQLite (<c>Messaging:SearchScanThreshold</c> = 0); on
/// PostgreSQL after walking only the 2 newest messages (<c>ConversationSearchWalk</c>, <c>AcrossSearchWalk</c>),
/// so that results join the walk's hits and the trigram index's, and never scanning a user's messages across
/// conversations (<c>AcrossSearchScan</c> = 0). The default server scans them (test users see few messages).
/// </summary>
public sealed class IndexOnlySearchServerFixture : IAsyncLifetime
{
    public TestServer Server { get; private set; } = null!;

    public async Task InitializeAsync() =>
        Server = await TestServer.StartAsync(new Dictionary<string, string?>
        {
            ["Messaging:SearchScanThreshold"] = "0",
            ["Messaging:ConversationSearchWalk"] = "2",
            ["Messaging:AcrossSearchWalk"] = "2",
            ["Messaging:AcrossSearchScan"] = "0",
        });

    public async Task DisposeAsync() => await Server.DisposeAsync();
}

/// <summary>
/// Search through the full-text index (as <see cref="IndexOnlySearchServerFixture"/>) while the search indexer leaves what
/// is sent in the backlog for an hour, unless a test asks it to catch up (<see cref="RecallSearchKit.SearchIndexedAsync"/>).
/// </summary>
public sealed class BacklogSearchServerFixture : IAsyncLifetime
{
    public TestServer Server { get; private set; } = null!;

    public async Task InitializeAsync() =>
        Server = await TestServer.StartAsync(new Dictionary<string, string?>
        {
            ["Messaging:SearchScanThreshold"] = "0",
            ["Messaging:ConversationSearchWalk"] = "2",
            ["Messaging:AcrossSearchWalk"] = "2",
            ["Messaging:AcrossSearchScan"] = "0",
            ["Messaging:SearchIndexDelay"] = "01:00:00",
        });

    public async Task DisposeAsync() => await Server.DisposeAsync();
}
