using System.Buffers.Binary;
using Parley.Client;
using Parley.IntegrationTests.Infrastructure;

namespace Parley.IntegrationTests.Files;

/// <summary>
/// What the server reads from the headers of real media files (made by ffmpeg and ImageMagick, see
/// <see cref="RealMedia"/>), uploaded over HTTP: the type from the magic numbers, and the dimensions or duration.
/// </summary>
public sealed class MediaMetadataTests(FilesFixture fixture, RealMedia media) : IClassFixture<FilesFixture>, IClassFixture<RealMedia>
{
    private readonly TestServer _server = fixture.Server;

    private static Task<FileView> UploadAsync(ParleyClient client, byte[] bytes, string name, string? kind = null) =>
        // The client's claimed type is ignored: the bytes decide.
        client.UploadFileAsync(new MemoryStream(bytes), name, "application/octet-stream", kind);

    /// <summary>
    /// The recipes ask for 2.5 s of audio and 1.5 s of video. Where a format's header gives more than what was
    /// encoded, the tolerance says so: MP3's Xing/Info frame count includes the encoder's delay and padding to whole
    /// 1,152-sample frames (2,534 ms here); ffmpeg's WebM Duration includes Opus's 6.5 ms pre-skip.
    /// </summary>
    [Theory]
    [InlineData("picture.png", "image", "image/png", 320, 240, null, 0)]
    [InlineData("picture.jpg", "image", "image/jpeg", 320, 240, null, 0)]
    [InlineData("picture.gif", null, "image/gif", 320, 240, null, 0)]
    [InlineData("picture.webp", "image", "image/webp", 320, 240, null, 0)]
    [InlineData("lossless.webp", null, "image/webp", 320, 240, null, 0)]
    [InlineData("transparent.webp", "image", "image/webp", 320, 240, null, 0)]
    [InlineData("small.bmp", "image", "image/bmp", 80, 60, null, 0)]
    [InlineData("tone.opus", "voice", "audio/ogg", null, null, 2500L, 0)]
    [InlineData("tone.ogg", null, "audio/ogg", null, null, 2500L, 0)]
    [InlineData("tone.mp3", "voice", "audio/mpeg", null, null, 2500L, 60)]
    [InlineData("tone.wav", "voice", "audio/wav", null, null, 2500L, 0)]
    [InlineData("tone.m4a", "voice", "audio/mp4", null, null, 2500L, 0)]
    [InlineData("tone.webm", "voice", "audio/webm", null, null, 2500L, 10)]
    [InlineData("tone.flac", "voice", "audio/flac", null, null, null, 0)]
    [InlineData("tone.aac", "voice", "audio/aac", null, null, null, 0)]
    [InlineData("clip.mp4", "video", "video/mp4", null, null, 1500L, 0)]
    [InlineData("faststart.mp4", null, "video/mp4", null, null, 1500L, 0)]
    [InlineData("clip.mov", "video", "video/quicktime", null, null, 1500L, 0)]
    [InlineData("clip.webm", "video", "video/webm", null, null, 1500L, 0)]
    [InlineData("clip.ogv", "video", "video/ogg", null, null, null, 0)]
    public async Task TheTypeComesFromTheBytesAndTheDetailsFromTheHeaders(
        string file, string? kind, string contentType, int? width, int? height, long? durationMs, int toleranceMs)
    {
        var alice = await _server.NewUserAsync("alice");
        var bytes = media.Bytes(file);
        var uploaded = await UploadAsync(alice, bytes, file, kind);

        Assert.Equal(contentType, uploaded.ContentType);
        Assert.Equal(bytes.Length, uploaded.Size);
        // Video dimensions are not recorded (only images have width and height).
        Assert.Equal(width, uploaded.Width);
        Assert.Equal(height, uploaded.Height);
        if (durationMs is null)
            Assert.Null(uploaded.DurationMs);
        else
            Assert.InRange(uploaded.DurationMs!.Value, durationMs.Value, durationMs.Value + toleranceMs);
    }

    [Fact]
    public async Task WebMAndMp4CarryVoiceWhenUploadedAsVoice()
    {
        var alice = await _server.NewUserAsync("alice");
        var webm = await UploadAsync(alice, media.Bytes("clip.webm"), "clip.webm", FileKinds.Voice);
        Assert.Equal("audio/webm", webm.ContentType);
        var mp4 = await UploadAsync(alice, media.Bytes("clip.mp4"), "clip.mp4", FileKinds.Voice);
        Assert.Equal("audio/mp4", mp4.ContentType);
        Assert.Equal(1500, mp4.DurationMs);
    }

    [Fact]
    public async Task AVideoMayBeLargerThanTheJsonBodyLimit()
    {
        var alice = await _server.NewUserAsync("alice");
        var bytes = media.Bytes("large.mp4");
        Assert.True(bytes.Length > 1024 * 1024, $"the file is {bytes.Length} bytes");
        var progress = new List<long>();
        var uploaded = await alice.UploadFileAsync(new MemoryStream(bytes), "large.mp4", "video/mp4", FileKinds.Video,
            new SynchronousProgress(progress.Add));
        Assert.Equal("video/mp4", uploaded.ContentType);
        Assert.Equal(2000, uploaded.DurationMs);
        Assert.Equal(bytes.Length, uploaded.Size);
        Assert.Equal(bytes.Length, progress.Last());
    }

    /// <summary>
    /// Damaged headers never fail an upload: it is stored, with no details or sensible ones. (The type may change:
    /// some damage reaches the bytes it is decided by.)
    /// </summary>
    [Theory]
    [InlineData("picture.png")]
    [InlineData("picture.jpg")]
    [InlineData("picture.gif")]
    [InlineData("transparent.webp")]
    [InlineData("small.bmp")]
    [InlineData("tone.opus")]
    [InlineData("tone.mp3")]
    [InlineData("tone.wav")]
    [InlineData("tone.m4a")]
    [InlineData("clip.mp4")]
    [InlineData("faststart.mp4")]
    [InlineData("clip.webm")]
    public async Task AFileCutShortOrWithLyingSizesStillUploads(string file)
    {
        var alice = await _server.NewUserAsync("alice");
        foreach (var (how, bytes) in Damaged(media.Bytes(file)))
        {
            var uploaded = await UploadAsync(alice, bytes, file);
            Assert.Equal(bytes.Length, uploaded.Size);
            Assert.True(uploaded.Width is null or > 0 && uploaded.Height is null or > 0, $"{file} {how}: {uploaded.Width}×{uploaded.Height}");
            Assert.True(uploaded.DurationMs is null or >= 0, $"{file} {how}: {uploaded.DurationMs} ms");
        }
    }

    /// <summary>
    /// The file cut after its first 16, 40 and 200 bytes; and, one at a time, each 32-bit word of its first 256 bytes
    /// (after the first 12) set to 7F FF FF F0, so that a size there claims about 2 GiB (big-endian) or 4 GiB (little-endian).
    /// </summary>
    private static IEnumerable<(string How, byte[] Bytes)> Damaged(byte[] real)
    {
        foreach (var length in (int[])[16, 40, 200])
            if (length < real.Length) yield return ($"cut to {length} bytes", real[..length]);
        for (var word = 12; word + 4 <= Math.Min(real.Length, 256); word += 4)
        {
            var lying = real.ToArray();
            BinaryPrimitives.WriteUInt32BigEndian(lying.AsSpan(word), 0x7FFFFFF0);
            yield return ($"with 0x7FFFFFF0 at byte {word}", lying);
        }
    }

    private sealed class SynchronousProgress(Action<long> report) : IProgress<long>
    {
        public void Report(long value) => report(value);
    }
}
