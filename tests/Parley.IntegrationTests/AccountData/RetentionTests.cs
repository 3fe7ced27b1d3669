using System.Net;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Parley.Client;
using Parley.IntegrationTests.Conversations;
using Parley.IntegrationTests.Files;
using Parley.IntegrationTests.Groups;
using Parley.IntegrationTests.Infrastructure;
using RetentionSweeper = Parley.Server.Messaging.RetentionSweeper;
using Parley.Server.Storage;

namespace Parley.IntegrationTests.AccountData;

/// <summary>A server whose clock the test moves and whose retention sweeper runs only when the test says so.</summary>
public sealed class RetentionServer : IAsyncLifetime
{
    public FakeTimeProvider Clock { get; } = new(DateTimeOffset.UtcNow.AddHours(-1));
    public TestServer Server { get; private set; } = null!;

    public static Task<TestServer> StartAsync(FakeTimeProvider clock, Dictionary<string, string?>? more = null)
    {
        var settings = new Dictionary<string, string?> { ["Jwt:AccessTokenLifetime"] = "1.00:00:00", ["Retention:SweepInterval"] = "1.00:00:00" };
        foreach (var (key, value) in more ?? []) settings[key] = value;
        return TestServer.StartAsync(settings, builder => builder.Services.AddSingleton<TimeProvider>(clock));
    }

    public async Task InitializeAsync() => Server = await StartAsync(Clock);

    public async Task DisposeAsync() => await Server.DisposeAsync();
}

/// <summary>API.md, "Retention": disappearing messages per conversation, and <c>Retention:MaxAge</c> for the whole server.</summary>
public sealed class RetentionTests(RetentionServer fixture) : IClassFixture<RetentionServer>
{
    private readonly TestServer _server = fixture.Server;
    private readonly FakeTimeProvider _clock = fixture.Clock;

    private static Dictionary<string, object?> Ttl(object? value) => new() { ["messageTtlSeconds"] = value };

    [Fact]
    public async Task EitherPartySetsTheSharedSettingAndEveryMembersDevicesHearOfIt()
    {
        var (alice, bob) = await _server.FriendsAsync();
        var first = await alice.TextAsync(SendTarget.User(bob.UserId), "hi");
        await using var aliceDevice = await alice.DeviceAsync();
        await using var bobDevice = await bob.DeviceAsync();

        var view = await alice.SetMessageTtlAsync(first.ConversationId, 60);
        Assert.Equal(60, view.MessageTtlSeconds);
        foreach (var device in new[] { aliceDevice, bobDevice })
        {
            var frame = await device.NextOfAsync("conversation.updated");
            Assert.Equal(first.ConversationId, frame.Data.GetProperty("conversationId").GetString());
            Assert.Equal(60, frame.Data.GetProperty("messageTtlSeconds").GetInt32());
        }
        Assert.Equal(60, (await bob.GetConversationAsync(first.ConversationId)).MessageTtlSeconds);
        // Pinning is still per user, and leaves the shared setting alone.
        await bob.UpdateConversationAsync(first.ConversationId, pinned: true);
        Assert.Equal(60, (await alice.GetConversationAsync(first.ConversationId)).MessageTtlSeconds);

        await bob.SetMessageTtlAsync(first.ConversationId, null);
        var off = await aliceDevice.NextOfAsync("conversation.updated");
        while (off.Data.TryGetProperty("pinned", out _)) off = await aliceDevice.NextOfAsync("conversation.updated");
        Assert.Equal(JsonValueKind.Null, off.Data.GetProperty("messageTtlSeconds").ValueKind);
        Assert.Null((await alice.GetConversationAsync(first.ConversationId)).MessageTtlSeconds);
        var later = await alice.TextAsync(SendTarget.User(bob.UserId), "for ever");
        Assert.Null((await bob.GetMessagesAsync(later.ConversationId)).Single(m => m.Id == later.MessageId).ExpiresAt);
    }

    [Fact]
    public async Task BadValuesOutsidersAndPlainGroupMembersAreRefused()
    {
        var (alice, bob) = await _server.FriendsAsync();
        var first = await alice.TextAsync(SendTarget.User(bob.UserId), "hi");
        var path = $"api/v1/conversations/{first.ConversationId}";
        foreach (var bad in new object[] { 4, 0, -5, 2.5, "ten" })
        {
            using var response = await alice.SendRawAsync(HttpMethod.Patch, path, Ttl(bad));
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        }
        using var stranger = await _server.NewUserAsync("stranger");
        using (var response = await stranger.SendRawAsync(HttpMethod.Patch, path, Ttl(60)))
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);

        using var cast = await GroupCast.StartAsync(_server);
        await Refused.WithAsync(HttpStatusCode.Forbidden, "not_group_admin", () => cast.Member.SetMessageTtlAsync(cast.GroupId, 60));
        Assert.Equal(60, (await cast.Admin.SetMessageTtlAsync(cast.GroupId, 60)).MessageTtlSeconds);
        Assert.Null((await cast.Owner.SetMessageTtlAsync(cast.GroupId, null)).MessageTtlSeconds);
        bob.Dispose();
    }

    [Fact]
    public async Task ExpiredMessagesLeaveHistorySyncSearchAndThePreviewBeforeTheSweeperRuns()
    {
        var (alice, bob) = await _server.FriendsAsync();
        var kept = await alice.TextAsync(SendTarget.User(bob.UserId), "zebra stays");
        await alice.SetMessageTtlAsync(kept.ConversationId, 10);
        var brief = await alice.TextAsync(SendTarget.User(bob.UserId), "zebra vanishes");
        var stored = (await bob.GetMessagesAsync(brief.ConversationId)).Single(m => m.Id == brief.MessageId);
        Assert.Equal(stored.SentAt.AddSeconds(10), stored.ExpiresAt);
        Assert.Equal(2, (await bob.SearchAsync(kept.ConversationId, "zebra")).Count);

        _clock.Advance(TimeSpan.FromSeconds(11));

        Assert.Equal([kept.MessageId], (await bob.GetMessagesAsync(kept.ConversationId)).Select(m => m.Id));
        Assert.Equal([kept.MessageId], (await alice.GetMessagesAsync(kept.ConversationId, afterSeq: 0)).Select(m => m.Id));
        Assert.Equal([kept.MessageId], (await bob.SearchAsync(kept.ConversationId, "zebra")).Select(m => m.Id));
        Assert.DoesNotContain(await bob.SearchAllAsync("zebra"), m => m.Id == brief.MessageId);
        var row = await bob.GetConversationAsync(kept.ConversationId);
        Assert.Equal(kept.MessageId, row.LastMessage!.Id);
        Assert.Equal(2, row.LastSeq);
        await using var device = await bob.DeviceAsync();
        var batches = await device.SyncAsync(kept.ConversationId, 0);
        Assert.Equal([1L], batches.SelectMany(b => b.Seqs));
        // Nothing swept yet: the reads themselves leave it out.
        Assert.Equal(brief.MessageId, (await _server.StoredMessageAsync(brief.MessageId)).Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task TheSweeperDeletesExpiredMessagesAndTheirFilesAndSeqsAreNeverReused()
    {
        var (alice, bob) = await _server.FriendsAsync();
        var first = await alice.TextAsync(SendTarget.User(bob.UserId), "before");
        await bob.SetMessageTtlAsync(first.ConversationId, 5);
        var uploaded = await alice.UploadFileAsync(new MemoryStream(TestFiles.Text("secret plans")), "plans.txt", null, FileKinds.File);
        var withFile = await alice.SendMessageAsync(SendTarget.User(bob.UserId), "file", null, new { fileId = uploaded.FileId });
        var text = await bob.TextAsync(SendTarget.User(alice.UserId), "gone soon");
        (await bob.DownloadFileAsync(uploaded.FileId)).Dispose();

        // Indexed first (on SQLite), so that the sweep drops an index entry, not a message still in the search backlog.
        Assert.Equal(1, await _server.IndexEntriesAsync("gone soon") ?? 1);
        _clock.Advance(TimeSpan.FromSeconds(6));
        var swept = await _server.Services.GetRequiredService<RetentionSweeper>().SweepAsync(CancellationToken.None);
        Assert.True(swept >= 2, $"swept {swept}");

        await using (var scope = _server.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<ParleyDb>();
            var ids = new[] { withFile.MessageId, text.MessageId }.Select(long.Parse).ToList();
            Assert.False(await db.Messages.AnyAsync(m => ids.Contains(m.Id)));
            Assert.True(await db.Messages.AnyAsync(m => m.Id == long.Parse(first.MessageId)));
        }
        Assert.Equal(0, await _server.IndexEntriesAsync("gone soon") ?? 0);
        // The file goes once no message carries it (the file sweeper does it, at once after being told).
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (true)
        {
            try
            {
                (await bob.DownloadFileAsync(uploaded.FileId)).Dispose();
            }
            catch (ParleyApiException e) when (e.Status == HttpStatusCode.NotFound)
            {
                break;
            }
            Assert.True(DateTime.UtcNow < deadline, "The expired message's file is still served.");
            await Task.Delay(100);
        }

        var next = await alice.TextAsync(SendTarget.User(bob.UserId), "after");
        Assert.Equal(4, next.Seq);
        Assert.Equal([1L, 4L], (await bob.GetMessagesAsync(first.ConversationId, afterSeq: 0)).Select(m => m.Seq));
    }

    [Fact]
    public async Task UnreadCountsLeaveOutExpiredMessagesBeforeAndAfterTheSweeperRuns()
    {
        var (alice, bob) = await _server.FriendsAsync();
        var kept = await alice.TextAsync(SendTarget.User(bob.UserId), "kept");
        await alice.SetMessageTtlAsync(kept.ConversationId, 5);
        await alice.TextAsync(SendTarget.User(bob.UserId), "going");
        var deleted = await alice.TextAsync(SendTarget.User(bob.UserId), "going, and deleted by bob");
        await bob.DeleteForMeAsync(kept.ConversationId, deleted.MessageId);
        Assert.Equal(2, await UnreadAsync(bob, kept.ConversationId));

        // Expired, not yet swept: only the message that stays is unread (the deleted one is not taken off twice).
        _clock.Advance(TimeSpan.FromSeconds(6));
        Assert.Equal(1, await UnreadAsync(bob, kept.ConversationId));

        // Swept: the seqs are holes, not unread messages.
        await _server.Services.GetRequiredService<RetentionSweeper>().SweepAsync(CancellationToken.None);
        Assert.Equal(1, await UnreadAsync(bob, kept.ConversationId));
        var later = await alice.TextAsync(SendTarget.User(bob.UserId), "later");
        Assert.Equal(4, later.Seq);
        Assert.Equal(2, await UnreadAsync(bob, kept.ConversationId));
        await bob.MarkReadAsync(kept.ConversationId, later.Seq);
        Assert.Equal(0, await UnreadAsync(bob, kept.ConversationId));
        // Read past the holes: what comes after counts as before.
        await alice.TextAsync(SendTarget.User(bob.UserId), "after reading");
        Assert.Equal(1, await UnreadAsync(bob, kept.ConversationId));
    }

    /// <summary>The unread count of one row, from the list and from the row's own endpoint, which must agree.</summary>
    private static async Task<long> UnreadAsync(ParleyClient user, string conversationId)
    {
        var fromList = (await user.ListConversationsAsync()).Conversations.Single(c => c.Id == conversationId).UnreadCount;
        Assert.Equal(fromList, (await user.GetConversationAsync(conversationId)).UnreadCount);
        return fromList;
    }

    [Fact]
    public async Task TheServersMaximumAgeRemovesOldMessagesEverywhere()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow.AddHours(-1));
        await using var server = await RetentionServer.StartAsync(clock, new() { ["Retention:MaxAge"] = "00:01:00" });
        var (alice, bob) = await server.FriendsAsync();
        var old = await alice.TextAsync(SendTarget.User(bob.UserId), "old news");
        clock.Advance(TimeSpan.FromSeconds(45));
        var recent = await alice.TextAsync(SendTarget.User(bob.UserId), "fresh news");
        Assert.Null((await bob.GetMessagesAsync(recent.ConversationId)).Single(m => m.Id == recent.MessageId).ExpiresAt);
        Assert.Equal(2, await UnreadAsync(bob, old.ConversationId));
        clock.Advance(TimeSpan.FromSeconds(20));
        Assert.Equal(1, await UnreadAsync(bob, old.ConversationId));

        Assert.Equal([recent.MessageId], (await bob.GetMessagesAsync(old.ConversationId)).Select(m => m.Id));
        Assert.Empty(await bob.SearchAsync(old.ConversationId, "old news"));
        Assert.Equal(recent.MessageId, (await bob.GetConversationAsync(old.ConversationId)).LastMessage!.Id);
        Assert.Equal(1, await server.Services.GetRequiredService<RetentionSweeper>().SweepAsync(CancellationToken.None));
        Assert.Equal([recent.MessageId], (await alice.GetMessagesAsync(old.ConversationId)).Select(m => m.Id));
        Assert.Equal(1, await UnreadAsync(bob, old.ConversationId));
    }
}
