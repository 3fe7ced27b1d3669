using System.Globalization;
using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Parley.Client;
using Parley.IntegrationTests.Groups;
using Parley.IntegrationTests.Infrastructure;
using Parley.Server.Files;
using Parley.Server.Storage;
using FileView = Parley.Client.FileView;

namespace Parley.IntegrationTests.Files;

/// <summary>
/// The file sweeper on a fake clock: its timer fires when the test moves the clock past an interval (1 hour), and
/// tests also run passes directly. Each test has a server of its own, so moving the clock touches nobody else's uploads.
/// </summary>
public sealed class FileSweeperTests : IAsyncLifetime
{
    private static readonly TimeSpan Grace = TimeSpan.FromHours(24);
    private readonly FakeTimeProvider _clock = new(DateTimeOffset.UtcNow);
    private TestServer _server = null!;

    public async Task InitializeAsync() => _server = await TestServer.StartAsync(
        new Dictionary<string, string?> { ["RateLimits:UploadsPerMinute"] = "100000", ["Files:OrphanGrace"] = "1.00:00:00" },
        builder => builder.Services.AddSingleton(new FilesClock(_clock)));

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private FileSweeper Sweeper => _server.Services.GetRequiredService<FileSweeper>();

    [Fact]
    public async Task AnUploadNoMessageCarriesIsDeletedOnlyOnceTheGraceHasPassed()
    {
        var (alice, bob) = await FriendsAsync();
        var unsent = await UploadAsync(alice, TestFiles.Png(2, 2), "unsent.png");
        var sent = await UploadAsync(alice, TestFiles.Png(3, 3), "sent.png");
        await alice.SendMessageAsync(SendTarget.User(bob.UserId), "image", null, new { fileId = sent.FileId });

        Assert.Equal(0, await Sweeper.SweepAsync(CancellationToken.None));
        _clock.Advance(Grace - TimeSpan.FromMinutes(5));
        Assert.Equal(0, await Sweeper.SweepAsync(CancellationToken.None));
        Assert.True(await ExistsAsync(unsent.FileId));

        // Past the grace, the next timed pass (the timer runs on the same clock) deletes it: nobody calls SweepAsync.
        _clock.Advance(TimeSpan.FromMinutes(10));
        await _server.Log.WaitForAsync(l => l.Contains("Deleted 1 stored files", StringComparison.Ordinal));
        Assert.False(await ExistsAsync(unsent.FileId));
        await Refused.WithAsync(HttpStatusCode.NotFound, "file_not_found", () => alice.DownloadFileAsync(unsent.FileId));
        // The sent one stays, for both sides, however old.
        Assert.True(await ExistsAsync(sent.FileId));
        await DownloadableAsync(alice, sent.FileId);
        await DownloadableAsync(bob, sent.FileId);
        // And an unsent upload can no longer be sent.
        await Refused.WithAsync(HttpStatusCode.BadRequest, "file_not_found",
            () => alice.SendMessageAsync(SendTarget.User(bob.UserId), "image", null, new { fileId = unsent.FileId }));
    }

    [Fact]
    public async Task AFileGoesWhenEveryMessageCarryingItIsRecalledAndNotBefore()
    {
        var (alice, bob) = await FriendsAsync();
        var carol = await _server.NewFriendAsync(alice, "carol");
        var picture = await UploadAsync(alice, TestFiles.Png(4, 4), "twice.png");
        var toBob = await alice.SendMessageAsync(SendTarget.User(bob.UserId), "image", null, new { fileId = picture.FileId });
        var toCarol = await alice.SendMessageAsync(SendTarget.User(carol.UserId), "image", null, new { fileId = picture.FileId });

        // One of two recalled: Carol's message still carries it.
        await alice.RecallAsync(toBob.ConversationId, toBob.MessageId);
        await Sweeper.SweepAsync(CancellationToken.None);
        Assert.True(await ExistsAsync(picture.FileId));
        await DownloadableAsync(carol, picture.FileId);
        await Refused.WithAsync(HttpStatusCode.NotFound, "file_not_found", () => bob.DownloadFileAsync(picture.FileId));

        // Both recalled: gone at the next pass, without waiting for the grace, for everyone, the uploader included.
        await alice.RecallAsync(toCarol.ConversationId, toCarol.MessageId);
        await Sweeper.SweepAsync(CancellationToken.None);
        Assert.False(await ExistsAsync(picture.FileId));
        foreach (var user in new[] { alice, carol })
            await Refused.WithAsync(HttpStatusCode.NotFound, "file_not_found", () => user.DownloadFileAsync(picture.FileId));
    }

    [Fact]
    public async Task ARecalledFileIsDeletedInTheBackgroundWithoutATimedPass()
    {
        var (alice, bob) = await FriendsAsync();
        var picture = await UploadAsync(alice, TestFiles.Png(5, 5), "recalled.png");
        var sent = await alice.SendMessageAsync(SendTarget.User(bob.UserId), "image", null, new { fileId = picture.FileId });
        var path = PathOf(picture.FileId);
        Assert.True(File.Exists(path));

        // Nobody runs a pass and the clock does not move: the sweeper deletes it by itself once it hears of the recall.
        await alice.RecallAsync(sent.ConversationId, sent.MessageId);
        await _server.Log.WaitForAsync(l => l.Contains("Deleted 1 stored files", StringComparison.Ordinal));
        Assert.False(await ExistsAsync(picture.FileId));
        Assert.False(File.Exists(path));
    }

    [Fact]
    public async Task AnUploadUsedAsAProfilePictureOrGroupIconIsKept()
    {
        var (alice, bob) = await FriendsAsync();
        var avatar = await UploadAsync(alice, TestFiles.Png(6, 6), "me.png");
        var icon = await UploadAsync(alice, TestFiles.Png(7, 7), "icon.png");
        var loose = await UploadAsync(alice, TestFiles.Png(8, 8), "loose.png");
        await alice.UpdateMeAsync(new UpdateProfileRequest { Avatar = $"/api/v1/files/{avatar.FileId}" });
        await alice.CreateGroupAsync("club", [bob.UserId], icon: new Uri(_server.BaseAddress, $"api/v1/files/{icon.FileId}?v=2").ToString());

        // (The timed pass that the clock's move sets off may run before or after this one: they never overlap.)
        _clock.Advance(Grace + TimeSpan.FromHours(1));
        await Sweeper.SweepAsync(CancellationToken.None);
        Assert.False(await ExistsAsync(loose.FileId));
        await DownloadableAsync(alice, avatar.FileId);
        await DownloadableAsync(alice, icon.FileId);

        // A picture that is changed away from the upload no longer keeps it.
        await alice.UpdateMeAsync(new UpdateProfileRequest { Avatar = "https://example.test/me.png" });
        await Sweeper.SweepAsync(CancellationToken.None);
        Assert.False(await ExistsAsync(avatar.FileId));
        Assert.True(await ExistsAsync(icon.FileId));
    }

    private async Task<(ParleyClient Alice, ParleyClient Bob)> FriendsAsync()
    {
        var alice = await _server.NewUserAsync("alice");
        var bob = await _server.NewFriendAsync(alice, "bob");
        return (alice, bob);
    }

    private static Task<FileView> UploadAsync(ParleyClient client, byte[] bytes, string name) =>
        client.UploadFileAsync(new MemoryStream(bytes), name, null, FileKinds.Image);

    private static async Task DownloadableAsync(ParleyClient client, string fileId)
    {
        using var download = await client.DownloadFileAsync(fileId);
        Assert.Equal(HttpStatusCode.OK, download.Status);
    }

    private string PathOf(string fileId) =>
        _server.Services.GetRequiredService<FileStore>().PathOf(FileStore.StorageNameFor(long.Parse(fileId, CultureInfo.InvariantCulture)));

    /// <summary>Whether the file's row and its bytes on disk are there (both, or neither: anything else fails).</summary>
    private async Task<bool> ExistsAsync(string fileId)
    {
        var id = long.Parse(fileId, CultureInfo.InvariantCulture);
        await using var scope = _server.Services.CreateAsyncScope();
        var row = await scope.ServiceProvider.GetRequiredService<ParleyDb>().Files.AnyAsync(f => f.Id == id);
        var bytes = File.Exists(PathOf(fileId));
        Assert.Equal(row, bytes);
        return row;
    }
}
