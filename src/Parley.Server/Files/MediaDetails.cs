using MetadataExtractor;
using MetadataExtractor.Formats.Bmp;
using MetadataExtractor.Formats.Gif;
using MetadataExtractor.Formats.Jpeg;
using MetadataExtractor.Formats.Png;
using MetadataExtractor.Formats.QuickTime;
using MetadataExtractor.Formats.Riff;
using MetadataExtractor.Formats.WebP;
using MetadataExtractor.IO;
using MetadataDirectory = MetadataExtractor.Directory;

namespace Parley.Server.Files;

/// <summary>
/// What an upload's headers say once its type is known (<see cref="FileSniffer.ContentType"/>): image dimensions, and
/// durations of audio and video. Nothing is decoded. The readers are MetadataExtractor's (2.4.3), each given only
/// what it needs, because some of them trust sizes written in the file:
/// <list type="bullet">
/// <item>GIF, BMP, WebP: their readers run over the first <see cref="ImageWindow"/> bytes, copied into memory, where
/// a size that points past the copy ends the read instead of allocating that much.</item>
/// <item>PNG: <see cref="PngHeader"/> decodes the IHDR chunk, which a PNG must start with. (Its whole-file reader
/// copies every chunk, image data included, into memory, sized as the file says.)</item>
/// <item>JPEG: the segment reader walks the file (seeking past segments, each at most 64 KiB) and only the
/// start-of-frame segment is read, by the JPEG reader; no Exif, XMP or ICC parsing.</item>
/// <item>MP4, M4A, MOV, 3GP: the library's atom walker (seeking past <c>mdat</c>, so <c>moov</c> may be anywhere);
/// the movie header is read here, because its QuickTime reader ignores version 1 (64-bit) headers and
/// allocates what metadata atoms (<c>keys</c>, <c>ilst</c>, XMP) claim to hold.</item>
/// <item>WAV, Ogg, WebM/Matroska, MP3: <see cref="MediaDurations"/>, which says why.</item>
/// </list>
/// A file whose header cannot be read gets its type and no details; nothing here throws.
/// </summary>
internal static class MediaDetails
{
    /// <summary>How much of a GIF, BMP or WebP is read: their sizes are in the first few dozen bytes.</summary>
    private const int ImageWindow = 64 * 1024;

    public static SniffedFile Read(string contentType, Stream file)
    {
        try
        {
            file.Position = 0;
            switch (contentType)
            {
                case "image/png" or "image/gif" or "image/bmp" or "image/webp" or "image/jpeg":
                    return ImageSize(contentType, file) is var (width, height) && width > 0 && height > 0
                        ? new SniffedFile(contentType, width, height)
                        : new SniffedFile(contentType);
                case "audio/mp4" or "video/mp4" or "video/quicktime" or "video/3gpp":
                    return new SniffedFile(contentType, DurationMs: IsoMediaDurationMs(file));
                case "audio/wav":
                    return new SniffedFile(contentType, DurationMs: MediaDurations.WavDurationMs(file));
                case "audio/ogg" or "video/ogg":
                    return new SniffedFile(contentType, DurationMs: MediaDurations.OggDurationMs(file));
                case "audio/webm" or "video/webm" or "audio/x-matroska" or "video/x-matroska":
                    return new SniffedFile(contentType, DurationMs: MediaDurations.MatroskaDurationMs(file));
                case "audio/mpeg":
                    return new SniffedFile(contentType, DurationMs: MediaDurations.Mp3DurationMs(file));
                default:
                    return new SniffedFile(contentType);
            }
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // A truncated or hostile header, whatever the reader made of it: the type stands, the details stay unknown.
            return new SniffedFile(contentType);
        }
    }

    private static (int Width, int Height)? ImageSize(string contentType, Stream file)
    {
        switch (contentType)
        {
            case "image/png":
                // Signature (8), IHDR length (4) and type (4), then its 13 bytes.
                var png = MediaDurations.Read(file, 0, 29);
                if (png.Length < 29 || !png.AsSpan(12, 4).SequenceEqual("IHDR"u8)) return null;
                var header = new PngHeader(png[16..29]);
                return (header.ImageWidth, header.ImageHeight);
            case "image/jpeg":
                var frame = JpegSegmentReader.ReadSegments(new SequentialStreamReader(file), StartOfFrame).FirstOrDefault();
                return frame is null ? null : Size(new JpegReader().Extract(frame), JpegDirectory.TagImageWidth, JpegDirectory.TagImageHeight);
            case "image/gif":
                return Size(new GifReader().Extract(Window(file)).OfType<GifHeaderDirectory>().FirstOrDefault(),
                    GifHeaderDirectory.TagImageWidth, GifHeaderDirectory.TagImageHeight);
            case "image/bmp":
                var bmp = Size(new BmpReader().Extract(Window(file)).OfType<BmpHeaderDirectory>().FirstOrDefault(),
                    BmpHeaderDirectory.TagImageWidth, BmpHeaderDirectory.TagImageHeight);
                // A negative height means rows stored top-down: the size is the same.
                return bmp is var (w, h) && h != int.MinValue ? (w, Math.Abs(h)) : null;
            case "image/webp":
                var found = new List<MetadataDirectory>();
                try
                {
                    new RiffReader().ProcessRiff(Window(file), new WebPRiffHandler(found));
                }
                catch (Exception e) when (e is IOException or RiffProcessingException)
                {
                    // A later chunk ran past the window (or was malformed): the size chunk comes first.
                }
                return Size(found.OfType<WebPDirectory>().FirstOrDefault(), WebPDirectory.TagImageWidth, WebPDirectory.TagImageHeight);
            default:
                return null;
        }
    }

    private static readonly HashSet<JpegSegmentType> StartOfFrame =
    [
        JpegSegmentType.Sof0, JpegSegmentType.Sof1, JpegSegmentType.Sof2, JpegSegmentType.Sof3, JpegSegmentType.Sof5,
        JpegSegmentType.Sof6, JpegSegmentType.Sof7, JpegSegmentType.Sof9, JpegSegmentType.Sof10, JpegSegmentType.Sof11,
        JpegSegmentType.Sof13, JpegSegmentType.Sof14, JpegSegmentType.Sof15,
    ];

    private static SequentialByteArrayReader Window(Stream file) => new(MediaDurations.Read(file, 0, ImageWindow), 0, isMotorolaByteOrder: false);

    private static (int Width, int Height)? Size(MetadataDirectory? directory, int widthTag, int heightTag) =>
        directory is not null && directory.TryGetInt32(widthTag, out var width) && directory.TryGetInt32(heightTag, out var height)
            ? (width, height)
            : null;

    /// <summary>ISO base media (MP4, M4A, MOV, 3GP): <c>moov/mvhd</c>'s duration over its timescale.</summary>
    private static long? IsoMediaDurationMs(Stream file)
    {
        long? duration = null;
        QuickTimeReader.ProcessAtoms(file, top =>
        {
            if (top.TypeString != "moov") return;
            top.Cancel = true;
            QuickTimeReader.ProcessAtoms(file, child =>
            {
                if (child.TypeString != "mvhd") return;
                child.Cancel = true;
                duration = MovieHeaderDurationMs(child.Reader, child.BytesLeft);
            }, top.BytesLeft);
        });
        return duration;
    }

    /// <summary>The movie header: version and flags, two times, then timescale and duration (32 bits, or 64 in version 1).</summary>
    private static long? MovieHeaderDurationMs(SequentialReader header, long length)
    {
        var version = header.GetByte();
        if (version > 1 || length < (version == 1 ? 32 : 20)) return null;
        header.Skip(3 + (version == 1 ? 16 : 8));
        long timescale = header.GetUInt32();
        var duration = version == 1 ? header.GetUInt64() : header.GetUInt32();
        // All ones means "unknown" (a fragmented or live file).
        if (timescale == 0 || duration == (version == 1 ? ulong.MaxValue : uint.MaxValue) || duration > long.MaxValue / 1000) return null;
        return (long)duration * 1000 / timescale;
    }
}
