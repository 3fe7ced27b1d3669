using System.Net;
using System.Net.Http.Headers;
using Parley.Client;
using Parley.IntegrationTests.Infrastructure;

namespace Parley.IntegrationTests.Files;

public sealed class UploadTests(FilesFixture fixture, RealMedia media) : IClassFixture<FilesFixture>, IClassFixture<RealMedia>
{
    private readonly TestServer _server = fixture.Server;

    private static Task<FileView> UploadAsync(ParleyClient client, byte[] bytes, string name, string? claimedType = null, string? kind = null) =>
        client.UploadFileAsync(new MemoryStream(bytes), name, claimedType, kind);

    [Fact]
    public async Task APngIsTypedFromItsBytesAndItsSizeIsRead()
    {
        var alice = await _server.NewUserAsync("alice");
        var png = media.Bytes("picture.png");
        // The client claims a JPEG; the bytes say PNG, and the bytes win.
        var uploaded = await UploadAsync(alice, png, "dot.png", claimedType: "image/jpeg", kind: FileKinds.Image);

        Assert.Equal("image/png", uploaded.ContentType);
        Assert.Equal(320, uploaded.Width);
        Assert.Equal(240, uploaded.Height);
        Assert.Null(uploaded.DurationMs);
        Assert.Equal(png.Length, uploaded.Size);
        Assert.Equal("dot.png", uploaded.Name);
        Assert.Equal($"/api/v1/files/{uploaded.FileId}", uploaded.Url);
    }

    [Fact]
    public async Task TheCreatedResponseSaysWhereTheFileIs()
    {
        var alice = await _server.NewUserAsync("alice");
        using var form = new MultipartFormDataContent { { new ByteArrayContent(TestFiles.Png(1, 1)), "file", "one.png" } };
        using var request = new HttpRequestMessage(HttpMethod.Post, "api/v1/files") { Content = form };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", alice.AccessToken);
        using var response = await _server.Http.SendAsync(request);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.StartsWith("/api/v1/files/", response.Headers.Location!.OriginalString);
    }

    [Fact]
    public async Task TextBytesAreNotAnImage()
    {
        var alice = await _server.NewUserAsync("alice");
        var text = TestFiles.Text("<svg onload=alert(1)>not really a picture</svg>");
        await Refused.WithAsync(HttpStatusCode.BadRequest, "unsupported_file_type",
            () => UploadAsync(alice, text, "cat.png", "image/png", FileKinds.Image));
        await Refused.WithAsync(HttpStatusCode.BadRequest, "unsupported_file_type",
            () => UploadAsync(alice, TestFiles.Png(1, 1), "x.png", kind: FileKinds.Voice));

        // Without a kind it is accepted, as what it is.
        var asFile = await UploadAsync(alice, text, "cat.png", "image/png");
        Assert.Equal("text/plain", asFile.ContentType);
        Assert.Null(asFile.Width);
    }

    [Fact]
    public async Task UnknownBinaryIsOctetStream()
    {
        var alice = await _server.NewUserAsync("alice");
        var uploaded = await UploadAsync(alice, [0x00, 0x01, 0x02, 0xFE, 0xFF, 0x00], "blob.bin");
        Assert.Equal("application/octet-stream", uploaded.ContentType);
        var pdf = await UploadAsync(alice, TestFiles.Text("%PDF-1.7\n%stuff"), "doc.pdf");
        Assert.Equal("application/pdf", pdf.ContentType);
    }

    /// <summary>The magic numbers of types no test makes with a real tool (the others: <see cref="MediaMetadataTests"/>).</summary>
    [Theory]
    [InlineData("#!AMR\n", null, "audio/amr")]
    [InlineData("\0\0\0\u0018ftypheic\0\0\0\0mif1heic", null, "image/heic")]
    [InlineData("\0\0\0\u0018ftypavif\0\0\0\0avifmif1", null, "image/avif")]
    [InlineData("\0\0\0\u0018ftyp3gp4\0\0\0\0isom3gp4", null, "video/3gpp")]
    [InlineData("\0\0\0\u0018ftypisom\0\0\0\0isommp41", "voice", "audio/mp4")]
    [InlineData("\u001AE\u00DF\u00A3\u0084B\u0082\u0088matroska", null, "video/x-matroska")]
    [InlineData("PK\u0003\u0004", null, "application/zip")]
    [InlineData("\u001F\u008B\u0008\0", null, "application/gzip")]
    [InlineData("7z\u00BC\u00AF\u0027\u001C", null, "application/x-7z-compressed")]
    public async Task TheMagicNumbersDecideTheType(string head, string? kind, string contentType)
    {
        var alice = await _server.NewUserAsync("alice");
        var bytes = new byte[256];
        System.Text.Encoding.Latin1.GetBytes(head, bytes);
        var uploaded = await UploadAsync(alice, bytes, "upload.bin", "application/octet-stream", kind);
        Assert.Equal(contentType, uploaded.ContentType);
        Assert.Null(uploaded.Width);
        Assert.Null(uploaded.DurationMs);
    }

    [Fact]
    public async Task FilesOverTheirKindsLimitAreRefusedWhileStreaming()
    {
        var alice = await _server.NewUserAsync("alice");
        var bigPng = TestFiles.Png(2, 2, padTo: (int)FilesFixture.ImageLimit + 5_000);
        await Refused.WithAsync(HttpStatusCode.RequestEntityTooLarge, "file_too_large", () => UploadAsync(alice, bigPng, "big.png"));
        await Refused.WithAsync(HttpStatusCode.RequestEntityTooLarge, "file_too_large", () => UploadAsync(alice, bigPng, "big.png", kind: FileKinds.Image));
        // Declared as a plain file, it gets the file limit (and cannot then be sent as an image: see AttachmentMessageTests).
        var asFile = await UploadAsync(alice, bigPng, "big.png", kind: FileKinds.File);
        Assert.Equal("image/png", asFile.ContentType);
        var bigBlob = new byte[FilesFixture.FileLimit + 1];
        await Refused.WithAsync(HttpStatusCode.RequestEntityTooLarge, "file_too_large", () => UploadAsync(alice, bigBlob, "big.bin"));

        // Exactly at the limit is fine.
        var atLimit = await UploadAsync(alice, new byte[FilesFixture.FileLimit], "limit.bin");
        Assert.Equal(FilesFixture.FileLimit, atLimit.Size);
        var pngAtLimit = await UploadAsync(alice, TestFiles.Png(2, 2, padTo: (int)FilesFixture.ImageLimit), "limit.png");
        Assert.Equal(FilesFixture.ImageLimit, pngAtLimit.Size);
    }

    [Fact]
    public async Task AnUploadFarOverItsLimitIsCutOffWithoutBeingStored()
    {
        var alice = await _server.NewUserAsync("alice");
        // 12 MB declared as a video (limit 3 MB): the server answers once 3 MB have arrived, and keeps nothing.
        var huge = TestFiles.Mp4Shaped(12 * 1024 * 1024);
        var before = Directory.Exists(fixture.FilesRoot) ? Directory.GetFiles(fixture.FilesRoot, "*", SearchOption.AllDirectories).Length : 0;
        await Refused.WithAsync(HttpStatusCode.RequestEntityTooLarge, "file_too_large", () => UploadAsync(alice, huge, "huge.mp4", kind: FileKinds.Video));
        var after = Directory.GetFiles(fixture.FilesRoot, "*", SearchOption.AllDirectories);
        Assert.Equal(before, after.Length); // the tests of a class run one at a time
        Assert.DoesNotContain(after, f => f.EndsWith(".part", StringComparison.Ordinal));
    }

    [Fact]
    public async Task BadUploadsAreRefused()
    {
        var alice = await _server.NewUserAsync("alice");
        await Refused.WithAsync(HttpStatusCode.BadRequest, "validation_failed", () => UploadAsync(alice, [], "empty.txt"));
        await Refused.WithAsync(HttpStatusCode.BadRequest, "validation_failed", () => UploadAsync(alice, [1, 2, 3], "x.bin", kind: "sticker"));

        using var noFile = new MultipartFormDataContent { { new StringContent("image"), "kind" } };
        await Refused.WithAsync(HttpStatusCode.BadRequest, "validation_failed", () => PostAsync(alice, noFile));
        using var json = new StringContent("{}", System.Text.Encoding.UTF8, "application/json");
        await Refused.WithAsync(HttpStatusCode.UnsupportedMediaType, "unsupported_media_type", () => PostAsync(alice, json));
        using var two = new MultipartFormDataContent
        {
            { new ByteArrayContent([1, 2, 3]), "file", "a.bin" },
            { new ByteArrayContent([4, 5, 6]), "file", "b.bin" },
        };
        await Refused.WithAsync(HttpStatusCode.BadRequest, "validation_failed", () => PostAsync(alice, two));

        // A kind sent after the file is still checked.
        using var kindLast = new MultipartFormDataContent
        {
            { new ByteArrayContent(TestFiles.Text("plain words")), "file", "words.png" },
            { new StringContent("image"), "kind" },
        };
        await Refused.WithAsync(HttpStatusCode.BadRequest, "unsupported_file_type", () => PostAsync(alice, kindLast));

        var stranger = _server.NewClient();
        await Refused.WithAsync(HttpStatusCode.Unauthorized, "unauthorized", () => UploadAsync(stranger, [1, 2, 3], "x.bin"));
    }

    [Fact]
    public async Task AFileNameCannotReachOutsideTheFilesFolder()
    {
        var alice = await _server.NewUserAsync("alice");
        var traversal = await UploadAsync(alice, TestFiles.Text("root:x:0:0"), "../../etc/passwd");
        Assert.Equal("passwd", traversal.Name);
        var windows = await UploadAsync(alice, TestFiles.Text("x"), "..\\..\\boot.ini");
        Assert.Equal("boot.ini", windows.Name);
        var control = await UploadAsync(alice, TestFiles.Text("x"), "evil\u202Etxt.exe");
        Assert.Equal("eviltxt.exe", control.Name);
        var dots = await UploadAsync(alice, TestFiles.Text("x"), "..");
        Assert.Equal("file", dots.Name);
        var longName = await UploadAsync(alice, TestFiles.Text("x"), new string('a', 400) + ".txt");
        Assert.Equal(255, longName.Name.Length);

        using (var download = await alice.DownloadFileAsync(traversal.FileId))
            Assert.Equal("root:x:0:0", System.Text.Encoding.UTF8.GetString(await download.ReadAllBytesAsync()));

        // Everything written is inside Files:Path, under names the server chose, and no temporary file is left.
        var written = Directory.GetFiles(fixture.Sandbox, "*", SearchOption.AllDirectories);
        Assert.NotEmpty(written);
        Assert.All(written, path => Assert.StartsWith(fixture.FilesRoot + Path.DirectorySeparatorChar, path));
        Assert.DoesNotContain(written, path => Path.GetFileName(path) is "passwd" or "boot.ini" || path.EndsWith(".part", StringComparison.Ordinal));
        Assert.False(File.Exists(Path.GetFullPath(Path.Combine(fixture.FilesRoot, "../../etc/passwd"))));
    }

    private static async Task PostAsync(ParleyClient client, HttpContent content)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(client.BaseAddress, "api/v1/files")) { Content = content };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", client.AccessToken);
        using var http = new HttpClient();
        using var response = await http.SendAsync(request);
        await ParleyClient.ThrowIfFailedAsync(response);
    }
}
