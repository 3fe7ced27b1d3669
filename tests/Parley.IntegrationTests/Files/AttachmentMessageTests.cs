using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Parley.Client;
using Parley.IntegrationTests.Groups;
using Parley.IntegrationTests.Infrastructure;

namespace Parley.IntegrationTests.Files;

/// <summary>Who may download a file, and attachment messages that carry uploads.</summary>
public class AttachmentMessageTests(FilesFixture fixture, RealMedia media) : IClassFixture<FilesFixture>, IClassFixture<RealMedia>
{
    private readonly TestServer _server = fixture.Server;

    private async Task<(ParleyClient Alice, ParleyClient Bob)> FriendsAsync()
    {
        var alice = await _server.NewUserAsync("alice");
        var bob = await _server.NewFriendAsync(alice, "bob");
        return (alice, bob);
    }

    private static Task<FileView> UploadAsync(ParleyClient client, byte[] bytes, string name, string? kind = null) =>
        client.UploadFileAsync(new MemoryStream(bytes), name, null, kind);

    private static async Task<byte[]> DownloadAsync(ParleyClient client, string fileId)
    {
        using var download = await client.DownloadFileAsync(fileId);
        Assert.Equal(HttpStatusCode.OK, download.Status);
        return await download.ReadAllBytesAsync();
    }

    [Fact]
    public async Task TheUploaderCanDownloadAndAPeerOnlyOnceAMessageCarriesTheFile()
    {
        var (alice, bob) = await FriendsAsync();
        var png = TestFiles.Png(3, 2);
        var uploaded = await UploadAsync(alice, png, "dot.png", FileKinds.Image);

        using (var download = await alice.DownloadFileAsync(uploaded.FileId))
        {
            Assert.Equal(png, await download.ReadAllBytesAsync());
            Assert.Equal("image/png", download.ContentType);
            Assert.Equal("inline", download.Disposition!.DispositionType);
            Assert.Equal("dot.png", download.FileName);
            Assert.NotNull(download.ETag);
            Assert.NotNull(download.Response.Content.Headers.LastModified);
            Assert.Equal("nosniff", download.Response.Headers.GetValues("X-Content-Type-Options").Single());
        }
        // A friend who has not been sent it cannot see it, and cannot tell it exists.
        await Refused.WithAsync(HttpStatusCode.NotFound, "file_not_found", () => bob.DownloadFileAsync(uploaded.FileId));

        await alice.SendMessageAsync(SendTarget.User(bob.UserId), "image", null, new { fileId = uploaded.FileId });
        Assert.Equal(png, await DownloadAsync(bob, uploaded.FileId));

        // A stranger, and a friend of Alice's who is in another conversation with her, get the same 404 as for no file at all.
        var stranger = await _server.NewUserAsync("stranger");
        await Refused.WithAsync(HttpStatusCode.NotFound, "file_not_found", () => stranger.DownloadFileAsync(uploaded.FileId));
        var carol = await _server.NewFriendAsync(alice, "carol");
        await alice.SendMessageAsync(SendTarget.User(carol.UserId), "text", "hi carol");
        await Refused.WithAsync(HttpStatusCode.NotFound, "file_not_found", () => carol.DownloadFileAsync(uploaded.FileId));
        await Refused.WithAsync(HttpStatusCode.NotFound, "file_not_found", () => carol.DownloadFileAsync("123456789"));
        await Refused.WithAsync(HttpStatusCode.NotFound, "file_not_found", () => carol.DownloadFileAsync("not-an-id"));
    }

    [Fact]
    public async Task TheStoredDescriptorIsTheServersNotTheClients()
    {
        var (alice, bob) = await FriendsAsync();
        var uploaded = await UploadAsync(alice, TestFiles.Png(3, 2), "dot.png", FileKinds.Image);
        await using var bobSocket = await ParleyRealtime.ConnectAsync(bob);

        var ack = await alice.SendMessageAsync(SendTarget.User(bob.UserId), "image", "a caption",
            new { fileId = uploaded.FileId, name = "evil.exe", size = 1, contentType = "application/x-msdownload", url = "https://evil.example/x", width = 9999 });

        var stored = Assert.Single(await bob.GetMessagesAsync(ack.ConversationId));
        AssertDescribes(uploaded, stored.File!.Value);
        Assert.Equal("a caption", stored.Content.GetString());
        var live = await bobSocket.NextEventAsync("msg.new");
        AssertDescribes(uploaded, live.Data.GetProperty("file"));
    }

    private static void AssertDescribes(FileView uploaded, JsonElement file)
    {
        Assert.Equal(uploaded.FileId, file.GetProperty("fileId").GetString());
        Assert.Equal("dot.png", file.GetProperty("name").GetString());
        Assert.Equal(uploaded.Size, file.GetProperty("size").GetInt64());
        Assert.Equal("image/png", file.GetProperty("contentType").GetString());
        Assert.Equal(uploaded.Url, file.GetProperty("url").GetString());
        Assert.Equal(3, file.GetProperty("width").GetInt32());
        Assert.Equal(2, file.GetProperty("height").GetInt32());
        Assert.False(file.TryGetProperty("durationMs", out _));
    }

    [Fact]
    public async Task AVoiceMessageCarriesTheDurationOverTheSocket()
    {
        var (alice, bob) = await FriendsAsync();
        var voice = await UploadAsync(alice, media.Bytes("tone.wav"), "note.wav", FileKinds.Voice);
        await using var aliceSocket = await ParleyRealtime.ConnectAsync(alice);
        var ack = await aliceSocket.SendMessageAsync(SendTarget.User(bob.UserId), "voice", null, new { fileId = voice.FileId });
        var stored = Assert.Single(await bob.GetMessagesAsync(ack.ConversationId));
        Assert.Equal("voice", stored.Type);
        Assert.Equal(2500, stored.File!.Value.GetProperty("durationMs").GetInt64());
        Assert.Equal("audio/wav", stored.File!.Value.GetProperty("contentType").GetString());
    }

    [Fact]
    public async Task FileMessagesMustNameAFileTheSenderMayUseOfTheRightType()
    {
        var (alice, bob) = await FriendsAsync();
        var to = SendTarget.User(bob.UserId);
        var bobsPicture = await UploadAsync(bob, TestFiles.Png(1, 1), "bob.png");
        await Refused.WithAsync(HttpStatusCode.BadRequest, "file_not_found", () => alice.SendMessageAsync(to, "image", null, new { fileId = bobsPicture.FileId }));
        await Refused.WithAsync(HttpStatusCode.BadRequest, "file_not_found", () => alice.SendMessageAsync(to, "file", null, new { fileId = "987654321" }));
        await Refused.WithAsync(HttpStatusCode.BadRequest, "validation_failed", () => alice.SendMessageAsync(to, "image", null, new { fileId = "x" }));
        await Refused.WithAsync(HttpStatusCode.BadRequest, "validation_failed", () => alice.SendMessageAsync(to, "image", null,
            new { name = "cat.png", size = 1234, contentType = "image/png", url = "https://files.example.test/cat.png" }));

        // Text is a file, not an image; a PNG is not a voice note or a video; anything may go as a file.
        var text = await UploadAsync(alice, TestFiles.Text("just text pretending to be a GIF"), "fake.gif");
        Assert.Equal("text/plain", text.ContentType);
        await Refused.WithAsync(HttpStatusCode.BadRequest, "file_type_mismatch", () => alice.SendMessageAsync(to, "image", null, new { fileId = text.FileId }));
        var png = await UploadAsync(alice, TestFiles.Png(1, 1), "one.png");
        await Refused.WithAsync(HttpStatusCode.BadRequest, "file_type_mismatch", () => alice.SendMessageAsync(to, "voice", null, new { fileId = png.FileId }));
        await Refused.WithAsync(HttpStatusCode.BadRequest, "file_type_mismatch", () => alice.SendMessageAsync(to, "video", null, new { fileId = png.FileId }));
        var sentAsFile = await alice.SendMessageAsync(to, "file", null, new { fileId = text.FileId });
        Assert.Equal(text.FileId, (await bob.GetMessagesAsync(sentAsFile.ConversationId)).Single().File!.Value.GetProperty("fileId").GetString());

        // An image uploaded as a plain file may be larger than images may be: then it can only be sent as a file.
        var big = await UploadAsync(alice, TestFiles.Png(2, 2, padTo: (int)FilesFixture.ImageLimit + 1000), "big.png", FileKinds.File);
        await Refused.WithAsync(HttpStatusCode.RequestEntityTooLarge, "file_too_large", () => alice.SendMessageAsync(to, "image", null, new { fileId = big.FileId }));
        await alice.SendMessageAsync(to, "file", null, new { fileId = big.FileId });

        // Nothing refused reached Bob.
        Assert.Equal(2, (await bob.GetMessagesAsync(sentAsFile.ConversationId)).Count);
    }

    [Fact]
    public async Task AReceiverMayForwardAFileToSomeoneElse()
    {
        var (alice, bob) = await FriendsAsync();
        var carol = await _server.NewFriendAsync(bob, "carol");
        var uploaded = await UploadAsync(alice, TestFiles.Png(3, 2), "dot.png");
        await Refused.WithAsync(HttpStatusCode.BadRequest, "file_not_found",
            () => bob.SendMessageAsync(SendTarget.User(carol.UserId), "image", null, new { fileId = uploaded.FileId }));
        await alice.SendMessageAsync(SendTarget.User(bob.UserId), "image", null, new { fileId = uploaded.FileId });
        await bob.SendMessageAsync(SendTarget.User(carol.UserId), "image", null, new { fileId = uploaded.FileId });
        Assert.Equal(TestFiles.Png(3, 2), await DownloadAsync(carol, uploaded.FileId));
    }

    [Fact]
    public async Task GroupMembersCanDownloadWhileTheyAreMembers()
    {
        var owner = await _server.NewUserAsync("owner");
        var member = await _server.NewFriendAsync(owner, "member");
        var group = await owner.CreateGroupAsync("pictures", [member.UserId]);
        var jpeg = media.Bytes("picture.jpg");
        var uploaded = await UploadAsync(owner, jpeg, "g.jpg", FileKinds.Image);
        await owner.SendMessageAsync(SendTarget.Group(group.Id), "image", null, new { fileId = uploaded.FileId });
        Assert.Equal(jpeg, await DownloadAsync(member, uploaded.FileId));

        await member.LeaveGroupAsync(group.Id);
        await Refused.WithAsync(HttpStatusCode.NotFound, "file_not_found", () => member.DownloadFileAsync(uploaded.FileId));
    }

    [Fact]
    public async Task RangeRequestsGetPartialContent()
    {
        var alice = await _server.NewUserAsync("alice");
        var bytes = Enumerable.Range(0, 1000).Select(i => (byte)(i * 7)).ToArray();
        var uploaded = await UploadAsync(alice, bytes, "data.bin");

        using (var part = await alice.DownloadFileAsync(uploaded.FileId, new RangeHeaderValue(100, 149)))
        {
            Assert.Equal(HttpStatusCode.PartialContent, part.Status);
            Assert.Equal(bytes[100..150], await part.ReadAllBytesAsync());
            Assert.Equal(100, part.ContentRange!.From);
            Assert.Equal(149, part.ContentRange.To);
            Assert.Equal(1000, part.ContentRange.Length);
            Assert.Equal("application/octet-stream", part.ContentType);
            // Not media: the browser saves it rather than showing it.
            Assert.Equal("attachment", part.Disposition!.DispositionType);
        }
        using (var tail = await alice.DownloadFileAsync(uploaded.FileId, new RangeHeaderValue(null, 10)))
        {
            Assert.Equal(HttpStatusCode.PartialContent, tail.Status);
            Assert.Equal(bytes[990..], await tail.ReadAllBytesAsync());
        }

        // A revalidation with the ETag is a 304.
        using var request = new HttpRequestMessage(HttpMethod.Get, $"api/v1/files/{uploaded.FileId}");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", alice.AccessToken);
        using (var first = await alice.DownloadFileAsync(uploaded.FileId)) request.Headers.IfNoneMatch.Add(first.ETag!);
        using var notModified = await _server.Http.SendAsync(request);
        Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);
    }

    [Fact]
    public async Task AnAccessTokenInTheQueryWorksForDownloadsOnly()
    {
        var (alice, bob) = await FriendsAsync();
        var png = TestFiles.Png(3, 2);
        var uploaded = await UploadAsync(alice, png, "dot.png");
        await alice.SendMessageAsync(SendTarget.User(bob.UserId), "image", null, new { fileId = uploaded.FileId });

        // What an <img src> does: a plain GET with no Authorization header.
        using var anonymous = new HttpClient();
        using (var viaQuery = await anonymous.GetAsync(bob.FileUrl(uploaded.FileId)))
        {
            Assert.Equal(HttpStatusCode.OK, viaQuery.StatusCode);
            Assert.Equal(png, await viaQuery.Content.ReadAsByteArrayAsync());
        }
        using (var headOnly = await anonymous.SendAsync(new HttpRequestMessage(HttpMethod.Head, bob.FileUrl(uploaded.FileId))))
            Assert.Equal(HttpStatusCode.OK, headOnly.StatusCode);
        using (var noToken = await anonymous.GetAsync(new Uri(_server.BaseAddress, uploaded.Url.TrimStart('/'))))
            Assert.Equal(HttpStatusCode.Unauthorized, noToken.StatusCode);
        using (var badToken = await anonymous.GetAsync(new Uri(_server.BaseAddress, uploaded.Url.TrimStart('/') + "?access_token=nonsense")))
            Assert.Equal(HttpStatusCode.Unauthorized, badToken.StatusCode);

        // The stranger's own valid token still does not open someone else's file.
        var stranger = await _server.NewUserAsync("stranger");
        using (var strangers = await anonymous.GetAsync(stranger.FileUrl(uploaded.FileId)))
            Assert.Equal(HttpStatusCode.NotFound, strangers.StatusCode);

        // Uploads, and other endpoints, do not take a token from the query.
        using var form = new MultipartFormDataContent { { new ByteArrayContent(png), "file", "x.png" } };
        using (var upload = await anonymous.PostAsync(new Uri(_server.BaseAddress, $"api/v1/files?access_token={Uri.EscapeDataString(alice.AccessToken!)}"), form))
            Assert.Equal(HttpStatusCode.Unauthorized, upload.StatusCode);
        using (var profile = await anonymous.GetAsync(new Uri(_server.BaseAddress, $"api/v1/users/me?access_token={Uri.EscapeDataString(alice.AccessToken!)}")))
            Assert.Equal(HttpStatusCode.Unauthorized, profile.StatusCode);
    }
}
