using System.Globalization;
using Parley.Client;
using Parley.IntegrationTests.Infrastructure;

namespace Parley.IntegrationTests.Realtime;

/// <summary>msg.sync with the default limit: at most 1,000 conversations named in one frame.</summary>
public sealed class SyncLimitTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private readonly TestServer _server = fixture.Server;

    [Fact]
    public async Task AFrameNamingMoreThanAThousandConversationsIsRefusedAndTheConnectionStaysUp()
    {
        using var alice = await _server.NewUserAsync();
        await using var socket = await ParleyRealtime.ConnectAsync(alice);

        var tooMany = FakeIds(1001).ToDictionary(id => id, _ => 0L);
        var refusal = await Assert.ThrowsAsync<ParleyRealtimeException>(() => socket.RequestAsync("msg.sync", new { conversations = tooMany }));
        Assert.Equal("too_many_conversations", refusal.Code);
        Assert.Contains("1000", refusal.Message, StringComparison.Ordinal);
        Assert.Equal("pong", (await socket.RequestAsync("ping", null)).Type);

        // Exactly the limit is fine: none of these is hers, so all are refused, in one reply, after two queries a hundred.
        var atLimit = FakeIds(1000).ToDictionary(id => id, _ => 0L);
        var synced = await socket.RequestAsync("msg.sync", new { conversations = atLimit }, TimeSpan.FromSeconds(30));
        Assert.Equal("msg.synced", synced.Type);
        Assert.Equal(0, synced.Data.GetProperty("messages").GetInt32());
        Assert.Equal(atLimit.Keys.Order(), synced.Data.GetProperty("refused").EnumerateArray().Select(r => r.GetString()!).Order());
    }

    private static IEnumerable<string> FakeIds(int count) =>
        Enumerable.Range(1, count).Select(i => (900_000_000_000_000_000L + i).ToString(CultureInfo.InvariantCulture));
}

/// <summary>
/// msg.sync over many conversations, with small limits (5 messages a frame, 50 conversations a frame) so that
/// "many" is cheap to set up: the frames stay bounded, chunks of conversations are checked together, and <c>{}</c>
/// (everything unread) is not capped.
/// </summary>
public sealed class SyncManyConversationsTests : IAsyncLifetime
{
    private const int MaxPage = 5;
    private const int MaxConversations = 50;
    private TestServer _server = null!;

    public async Task InitializeAsync() => _server = await TestServer.StartAsync(new Dictionary<string, string?>
    {
        ["Messaging:MaxPage"] = MaxPage.ToString(CultureInfo.InvariantCulture),
        ["Messaging:MaxSyncConversations"] = MaxConversations.ToString(CultureInfo.InvariantCulture),
    });

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task EverythingUnreadOverManyConversationsComesInBoundedFramesAndNamedOnesAreCapped()
    {
        using var owner = await _server.NewUserAsync("owner");
        using var bob = await _server.NewUserAsync("bob");
        await TestServer.MakeFriendsAsync(owner, bob);
        // 130 groups (three chunks of checks), each with one unread system message for Bob; one of them with 12 more.
        var groups = new List<string>();
        for (var i = 0; i < 130; i++) groups.Add((await owner.CreateGroupAsync($"g{i}", [bob.UserId])).Id);
        for (var i = 0; i < 12; i++) await owner.SendMessageAsync(SendTarget.Group(groups[7]), "text", $"m{i}");

        await using var socket = await ParleyRealtime.ConnectAsync(bob);
        var synced = await socket.RequestAsync("msg.sync", new { }, TimeSpan.FromSeconds(60));
        var batches = Batches(socket);
        Assert.Equal(130 + 12, synced.Data.GetProperty("messages").GetInt32());
        Assert.Empty(synced.Data.GetProperty("refused").EnumerateArray());
        Assert.All(batches, b => Assert.InRange(b.Messages.Count, 1, MaxPage));
        Assert.Equal(groups.Order(), batches.Select(b => b.ConversationId).Distinct().Order());
        // The busy group: 13 messages in frames of 5, 5, 3, hasMore on all but the last.
        var busy = batches.Where(b => b.ConversationId == groups[7]).ToList();
        Assert.Equal([5, 5, 3], busy.Select(b => b.Messages.Count));
        Assert.Equal([true, true, false], busy.Select(b => b.HasMore));
        Assert.Equal(Enumerable.Range(1, 13).Select(i => (long)i), busy.SelectMany(b => b.Messages));

        // Named conversations are capped at 50 a frame...
        var named = groups.Take(MaxConversations + 1).ToDictionary(id => id, _ => 0L);
        var refusal = await Assert.ThrowsAsync<ParleyRealtimeException>(() => socket.RequestAsync("msg.sync", new { conversations = named }));
        Assert.Equal("too_many_conversations", refusal.Code);
        // ...and within the cap, the ones Bob may not read are refused while the others are synced, across chunks.
        using var stranger = await _server.NewUserAsync("stranger");
        var strangers = new List<string>();
        for (var i = 0; i < 3; i++) strangers.Add((await stranger.CreateGroupAsync($"s{i}")).Id);
        var mixed = groups.Take(MaxConversations - 3).Concat(strangers).ToDictionary(id => id, id => id == groups[7] ? 10L : 0L);
        synced = await socket.RequestAsync("msg.sync", new { conversations = mixed }, TimeSpan.FromSeconds(30));
        batches = Batches(socket);
        Assert.Equal(strangers.Order(), synced.Data.GetProperty("refused").EnumerateArray().Select(r => r.GetString()!).Order());
        Assert.Equal(MaxConversations - 3 - 1 + 3, synced.Data.GetProperty("messages").GetInt32());
        Assert.Equal([11L, 12L, 13L], batches.Single(b => b.ConversationId == groups[7]).Messages);
    }

    /// <summary>The msg.batch frames that came before the reply (they are all in once the reply is).</summary>
    private static List<(string ConversationId, bool HasMore, List<long> Messages)> Batches(ParleyRealtime socket)
    {
        var batches = new List<(string, bool, List<long>)>();
        while (socket.Events.TryRead(out var frame))
        {
            if (frame.Type != "msg.batch") continue;
            batches.Add((frame.Data.GetProperty("conversationId").GetString()!, frame.Data.GetProperty("hasMore").GetBoolean(),
                frame.Data.GetProperty("messages").EnumerateArray().Select(m => m.GetProperty("seq").GetInt64()).ToList()));
        }
        return batches;
    }
}
