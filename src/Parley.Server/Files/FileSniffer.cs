using System.Buffers.Binary;
using System.Text;

namespace Parley.Server.Files;

/// <summary>What kind of attachment a file is, from the client's point of view (<c>kind</c> on upload, the message type on send).</summary>
public enum FileKind
{
    File = 0,
    Image = 1,
    Voice = 2,
    Video = 3,
}

/// <summary>What the bytes of an upload are, and what can be learned cheaply from their headers.</summary>
public sealed record SniffedFile(string ContentType, int? Width = null, int? Height = null, long? DurationMs = null);

/// <summary>
/// Finds the content type of an upload from its first bytes (magic numbers), never from what the client claims,
/// and reads image dimensions and media durations from headers only: nothing is decoded. Everything here reads a
/// bounded number of bytes, so a hostile file cannot make it slow.
/// </summary>
public static class FileSniffer
{
    /// <summary>How many leading bytes <see cref="ContentType"/> needs.</summary>
    public const int HeadLength = 4096;

    private static ReadOnlySpan<byte> PngMagic => [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];
    private static ReadOnlySpan<byte> TheoraMagic => [0x80, 0x74, 0x68, 0x65, 0x6F, 0x72, 0x61];
    private static ReadOnlySpan<byte> SevenZipMagic => [0x37, 0x7A, 0xBC, 0xAF, 0x27, 0x1C];
    private static ReadOnlySpan<byte> EbmlMagic => [0x1A, 0x45, 0xDF, 0xA3];
    private static ReadOnlySpan<byte> GzipMagic => [0x1F, 0x8B];

    public static bool IsImage(string contentType) => contentType.StartsWith("image/", StringComparison.Ordinal);
    public static bool IsAudio(string contentType) => contentType.StartsWith("audio/", StringComparison.Ordinal);
    public static bool IsVideo(string contentType) => contentType.StartsWith("video/", StringComparison.Ordinal);

    /// <summary>Whether a file of this content type may be sent as this kind of message.</summary>
    public static bool Fits(FileKind kind, string contentType) => kind switch
    {
        FileKind.Image => IsImage(contentType),
        FileKind.Voice => IsAudio(contentType),
        FileKind.Video => IsVideo(contentType),
        _ => true,
    };

    /// <summary>The kind a content type naturally is (for its size limit).</summary>
    public static FileKind KindOf(string contentType) =>
        IsImage(contentType) ? FileKind.Image : IsAudio(contentType) ? FileKind.Voice : IsVideo(contentType) ? FileKind.Video : FileKind.File;

    /// <summary>
    /// The content type of a file from its first bytes (<paramref name="head"/>, up to <see cref="HeadLength"/>).
    /// Containers that hold audio or video alike (WebM, MP4, Ogg) are typed by <paramref name="hint"/> when given:
    /// a voice note recorded by a browser is <c>audio/webm</c>, a clip <c>video/webm</c>.
    /// </summary>
    public static string ContentType(ReadOnlySpan<byte> head, FileKind? hint)
    {
        if (head.StartsWith(PngMagic)) return "image/png";
        if (head.Length >= 3 && head[0] == 0xFF && head[1] == 0xD8 && head[2] == 0xFF) return "image/jpeg";
        if (head.StartsWith("GIF87a"u8) || head.StartsWith("GIF89a"u8)) return "image/gif";
        if (head.Length >= 12 && head.StartsWith("RIFF"u8) && head[8..12].SequenceEqual("WEBP"u8)) return "image/webp";
        if (head.Length >= 12 && head.StartsWith("RIFF"u8) && head[8..12].SequenceEqual("WAVE"u8)) return "audio/wav";
        if (head.Length >= 26 && head.StartsWith("BM"u8) && BinaryPrimitives.ReadUInt32LittleEndian(head[14..]) is 12 or 40 or 52 or 56 or 108 or 124)
            return "image/bmp";
        if (head.StartsWith("OggS"u8))
        {
            var video = head.IndexOf(TheoraMagic) >= 0;
            return video || hint == FileKind.Video ? "video/ogg" : "audio/ogg";
        }
        if (head.StartsWith(EbmlMagic))
        {
            var webm = head.IndexOf("webm"u8) >= 0;
            return (hint == FileKind.Voice, webm) switch
            {
                (true, true) => "audio/webm",
                (true, false) => "audio/x-matroska",
                (false, true) => "video/webm",
                (false, false) => "video/x-matroska",
            };
        }
        if (head.Length >= 12 && head[4..8].SequenceEqual("ftyp"u8))
        {
            var brand = head[8..12];
            if (brand.SequenceEqual("qt  "u8)) return "video/quicktime";
            if (brand.SequenceEqual("M4A "u8) || brand.SequenceEqual("M4B "u8) || hint == FileKind.Voice) return "audio/mp4";
            if (brand.StartsWith("3g"u8)) return "video/3gpp";
            if (brand.SequenceEqual("heic"u8) || brand.SequenceEqual("heix"u8) || brand.SequenceEqual("mif1"u8) || brand.SequenceEqual("avif"u8))
                return brand.SequenceEqual("avif"u8) ? "image/avif" : "image/heic";
            return "video/mp4";
        }
        if (head.StartsWith("ID3"u8) || IsMp3Frame(head)) return "audio/mpeg";
        if (head.Length >= 2 && head[0] == 0xFF && (head[1] & 0xF6) == 0xF0) return "audio/aac";
        if (head.StartsWith("#!AMR\n"u8)) return "audio/amr";
        if (head.StartsWith("fLaC"u8)) return "audio/flac";
        if (head.StartsWith("%PDF-"u8)) return "application/pdf";
        if (head.StartsWith("PK\x03\x04"u8) || head.StartsWith("PK\x05\x06"u8)) return "application/zip";
        if (head.StartsWith(GzipMagic)) return "application/gzip";
        if (head.StartsWith(SevenZipMagic)) return "application/x-7z-compressed";
        if (LooksLikeText(head)) return "text/plain";
        return "application/octet-stream";
    }

    /// <summary>Width, height and duration where the headers give them; <paramref name="file"/> is read and seeked, never loaded whole.</summary>
    public static SniffedFile Describe(string contentType, Stream file)
    {
        try
        {
            switch (contentType)
            {
                case "image/png":
                case "image/gif":
                case "image/bmp":
                case "image/webp":
                case "image/jpeg":
                    var size = contentType == "image/jpeg" ? JpegSize(file) : FixedHeaderImageSize(contentType, Read(file, 0, 64));
                    return size is var (w, h) && w > 0 && h > 0 ? new SniffedFile(contentType, w, h) : new SniffedFile(contentType);
                case "audio/wav":
                    return new SniffedFile(contentType, DurationMs: WavDurationMs(file));
                case "audio/ogg" or "video/ogg":
                    return new SniffedFile(contentType, DurationMs: OggDurationMs(file));
                case "audio/mp4" or "video/mp4" or "video/quicktime" or "video/3gpp":
                    return new SniffedFile(contentType, DurationMs: Mp4DurationMs(file));
                case "audio/webm" or "video/webm" or "audio/x-matroska" or "video/x-matroska":
                    return new SniffedFile(contentType, DurationMs: MatroskaDurationMs(file));
                case "audio/mpeg":
                    return new SniffedFile(contentType, DurationMs: Mp3DurationMs(file));
                default:
                    return new SniffedFile(contentType);
            }
        }
        catch (Exception e) when (e is IOException or ArgumentException or OverflowException or IndexOutOfRangeException)
        {
            // A truncated or odd header: the type stands, the details stay unknown.
            return new SniffedFile(contentType);
        }
    }

    private static bool IsMp3Frame(ReadOnlySpan<byte> head) =>
        head.Length >= 4 && head[0] == 0xFF && (head[1] & 0xE0) == 0xE0 && (head[1] & 0x06) != 0 // layer set
        && (head[2] & 0xF0) != 0xF0 && (head[2] & 0x0C) != 0x0C; // bitrate and sample rate indexes valid

    private static bool LooksLikeText(ReadOnlySpan<byte> head)
    {
        if (head.IsEmpty) return false;
        // A multi-byte character cut at the end of the window is still text.
        var cut = head.Length == HeadLength ? Math.Min(3, head.Length) : 0;
        for (var i = 0; i < head.Length; i++)
        {
            var b = head[i];
            if (b < 0x20 && b is not (byte)'\t' and not (byte)'\n' and not (byte)'\r' and not 0x0C) return false;
            if (b == 0x7F) return false;
        }
        var checkedPart = head[..(head.Length - cut)];
        try
        {
            new UTF8Encoding(false, throwOnInvalidBytes: true).GetCharCount(checkedPart);
            return true;
        }
        catch (DecoderFallbackException)
        {
            return false;
        }
    }

    private static byte[] Read(Stream file, long offset, int count)
    {
        if (offset < 0 || offset >= file.Length) return [];
        file.Position = offset;
        var buffer = new byte[(int)Math.Min(count, file.Length - offset)];
        file.ReadExactly(buffer);
        return buffer;
    }

    private static (int Width, int Height)? FixedHeaderImageSize(string contentType, ReadOnlySpan<byte> h)
    {
        switch (contentType)
        {
            case "image/png" when h.Length >= 24 && h[12..16].SequenceEqual("IHDR"u8):
                return (ClampInt(BinaryPrimitives.ReadUInt32BigEndian(h[16..])), ClampInt(BinaryPrimitives.ReadUInt32BigEndian(h[20..])));
            case "image/gif" when h.Length >= 10:
                return (BinaryPrimitives.ReadUInt16LittleEndian(h[6..]), BinaryPrimitives.ReadUInt16LittleEndian(h[8..]));
            case "image/bmp" when h.Length >= 26:
                if (BinaryPrimitives.ReadUInt32LittleEndian(h[14..]) == 12)
                    return (BinaryPrimitives.ReadUInt16LittleEndian(h[18..]), BinaryPrimitives.ReadUInt16LittleEndian(h[20..]));
                var bmpHeight = BinaryPrimitives.ReadInt32LittleEndian(h[22..]);
                return (BinaryPrimitives.ReadInt32LittleEndian(h[18..]), bmpHeight == int.MinValue ? 0 : Math.Abs(bmpHeight));
            case "image/webp" when h.Length >= 25:
                var chunk = h[12..16];
                if (chunk.SequenceEqual("VP8X"u8) && h.Length >= 30)
                    return (1 + (h[24] | h[25] << 8 | h[26] << 16), 1 + (h[27] | h[28] << 8 | h[29] << 16));
                if (chunk.SequenceEqual("VP8L"u8) && h[20] == 0x2F)
                {
                    var bits = BinaryPrimitives.ReadUInt32LittleEndian(h[21..]);
                    return (1 + (int)(bits & 0x3FFF), 1 + (int)((bits >> 14) & 0x3FFF));
                }
                if (chunk.SequenceEqual("VP8 "u8) && h.Length >= 30 && h[23] == 0x9D && h[24] == 0x01 && h[25] == 0x2A)
                    return (BinaryPrimitives.ReadUInt16LittleEndian(h[26..]) & 0x3FFF, BinaryPrimitives.ReadUInt16LittleEndian(h[28..]) & 0x3FFF);
                return null;
            default:
                return null;
        }
    }

    private static int ClampInt(uint value) => value > int.MaxValue ? 0 : (int)value;

    /// <summary>Walks JPEG segments to the first start-of-frame marker; gives up after a bounded number of segments.</summary>
    private static (int Width, int Height)? JpegSize(Stream file)
    {
        long position = 2;
        var header = new byte[9];
        for (var segments = 0; segments < 256 && position + 4 <= file.Length; segments++)
        {
            file.Position = position;
            if (file.Read(header, 0, 4) < 4 || header[0] != 0xFF) return null;
            var marker = header[1];
            if (marker == 0xFF) { position++; continue; } // fill byte
            if (marker is 0xD8 or 0x01 or >= 0xD0 and <= 0xD7) { position += 2; continue; } // no length
            var length = header[2] << 8 | header[3];
            if (length < 2) return null;
            var isFrame = marker is >= 0xC0 and <= 0xCF and not 0xC4 and not 0xC8 and not 0xCC;
            if (isFrame)
            {
                file.Position = position + 4;
                if (file.Read(header, 0, 5) < 5) return null;
                return (header[3] << 8 | header[4], header[1] << 8 | header[2]);
            }
            if (marker is 0xD9 or 0xDA) return null; // end of image, or scan data before any frame header
            position += 2 + length;
        }
        return null;
    }

    /// <summary>RIFF WAVE: the data chunk's length over the format's byte rate.</summary>
    private static long? WavDurationMs(Stream file)
    {
        long position = 12;
        uint? byteRate = null;
        var header = new byte[16];
        for (var chunks = 0; chunks < 64 && position + 8 <= file.Length; chunks++)
        {
            file.Position = position;
            file.ReadExactly(header, 0, 8);
            var id = header.AsSpan(0, 4);
            var size = BinaryPrimitives.ReadUInt32LittleEndian(header.AsSpan(4));
            if (id.SequenceEqual("fmt "u8) && size >= 16)
            {
                file.ReadExactly(header, 0, 16);
                byteRate = BinaryPrimitives.ReadUInt32LittleEndian(header.AsSpan(8));
            }
            else if (id.SequenceEqual("data"u8))
            {
                if (byteRate is not > 0) return null;
                // A streamed recording may say 0 or 0xFFFFFFFF: the data then runs to the end of the file.
                var available = file.Length - position - 8;
                var dataLength = size is 0 or uint.MaxValue || size > available ? available : size;
                return dataLength * 1000 / byteRate.Value;
            }
            position += 8 + size + (size & 1);
        }
        return null;
    }

    /// <summary>Ogg: the last page's granule position, in 48 kHz samples for Opus (less the pre-skip) or the Vorbis sample rate.</summary>
    private static long? OggDurationMs(Stream file)
    {
        var first = Read(file, 0, 512);
        long rate;
        long preSkip = 0;
        var opus = first.AsSpan().IndexOf("OpusHead"u8);
        var vorbis = first.AsSpan().IndexOf("\x01vorbis"u8);
        if (opus >= 0 && opus + 12 <= first.Length)
        {
            rate = 48000;
            preSkip = BinaryPrimitives.ReadUInt16LittleEndian(first.AsSpan(opus + 10));
        }
        else if (vorbis >= 0 && vorbis + 16 <= first.Length)
            rate = BinaryPrimitives.ReadUInt32LittleEndian(first.AsSpan(vorbis + 12));
        else
            return null;
        if (rate <= 0) return null;

        var tailLength = (int)Math.Min(file.Length, 65536);
        var tail = Read(file, file.Length - tailLength, tailLength);
        var last = tail.AsSpan().LastIndexOf("OggS"u8);
        if (last < 0 || last + 14 > tail.Length) return null;
        var granule = BinaryPrimitives.ReadInt64LittleEndian(tail.AsSpan(last + 6));
        if (granule <= preSkip) return null;
        return (granule - preSkip) * 1000 / rate;
    }

    /// <summary>ISO base media (MP4, M4A, MOV): the movie header's duration over its timescale, wherever <c>moov</c> sits.</summary>
    private static long? Mp4DurationMs(Stream file)
    {
        var header = new byte[16];
        long position = 0;
        long end = file.Length;
        for (var boxes = 0; boxes < 1024 && position + 8 <= end; boxes++)
        {
            file.Position = position;
            file.ReadExactly(header, 0, 8);
            long size = BinaryPrimitives.ReadUInt32BigEndian(header);
            var type = header.AsSpan(4, 4);
            var headerLength = 8;
            if (size == 1)
            {
                file.ReadExactly(header, 8, 8);
                size = BinaryPrimitives.ReadInt64BigEndian(header.AsSpan(8));
                headerLength = 16;
            }
            else if (size == 0) size = end - position;
            if (size < headerLength) return null;

            if (type.SequenceEqual("moov"u8))
            {
                // Descend: mvhd is a direct child of moov.
                end = Math.Min(end, position + size);
                position += headerLength;
                continue;
            }
            if (type.SequenceEqual("mvhd"u8))
            {
                var body = Read(file, position + headerLength, 32);
                if (body.Length < 20) return null;
                long timescale, duration;
                if (body[0] == 1)
                {
                    if (body.Length < 32) return null;
                    timescale = BinaryPrimitives.ReadUInt32BigEndian(body.AsSpan(20));
                    duration = BinaryPrimitives.ReadInt64BigEndian(body.AsSpan(24));
                }
                else
                {
                    timescale = BinaryPrimitives.ReadUInt32BigEndian(body.AsSpan(12));
                    duration = BinaryPrimitives.ReadUInt32BigEndian(body.AsSpan(16));
                }
                return timescale > 0 && duration >= 0 && duration != uint.MaxValue ? duration * 1000 / timescale : null;
            }
            position += size;
        }
        return null;
    }

    /// <summary>
    /// Matroska/WebM: Segment → Info → Duration (a float in units of TimecodeScale nanoseconds). Browsers'
    /// MediaRecorder often writes no duration: then it stays unknown.
    /// </summary>
    private static long? MatroskaDurationMs(Stream file)
    {
        var data = Read(file, 0, 65536);
        var span = data.AsSpan();
        var position = 0;
        // EBML header, then the Segment.
        if (!ReadElement(span, ref position, out var id, out var size) || id != 0x1A45DFA3) return null;
        position += (int)Math.Min(size, span.Length);
        if (!ReadElement(span, ref position, out id, out _) || id != 0x18538067) return null;
        for (var elements = 0; elements < 64 && ReadElement(span, ref position, out id, out size); elements++)
        {
            if (id == 0x1549A966) // Info
            {
                var infoEnd = size < 0 ? span.Length : (int)Math.Min(span.Length, position + size);
                long scale = 1_000_000;
                double? duration = null;
                while (position < infoEnd && ReadElement(span, ref position, out id, out size) && size >= 0 && position + size <= infoEnd)
                {
                    var value = span.Slice(position, (int)size);
                    if (id == 0x2AD7B1 && size is > 0 and <= 8)
                    {
                        scale = 0;
                        foreach (var b in value) scale = scale << 8 | b;
                    }
                    else if (id == 0x4489)
                        duration = size switch
                        {
                            4 => BinaryPrimitives.ReadSingleBigEndian(value),
                            8 => BinaryPrimitives.ReadDoubleBigEndian(value),
                            _ => null,
                        };
                    position += (int)size;
                }
                if (duration is not { } d || scale <= 0 || double.IsNaN(d) || d < 0) return null;
                var ms = d * scale / 1_000_000d;
                return ms < long.MaxValue ? (long)Math.Round(ms) : null;
            }
            if (id == 0x1F43B675 || size < 0) return null; // a Cluster (media data) before any Info
            position += (int)Math.Min(size, span.Length);
        }
        return null;
    }

    /// <summary>One EBML element header; <paramref name="size"/> is -1 for "unknown size".</summary>
    private static bool ReadElement(ReadOnlySpan<byte> span, ref int position, out long id, out long size)
    {
        id = 0;
        size = 0;
        if (position >= span.Length) return false;
        var first = span[position];
        var idLength = first >= 0x80 ? 1 : first >= 0x40 ? 2 : first >= 0x20 ? 3 : first >= 0x10 ? 4 : 0;
        if (idLength == 0 || position + idLength >= span.Length) return false;
        for (var i = 0; i < idLength; i++) id = id << 8 | span[position + i];
        position += idLength;

        var lengthByte = span[position];
        var sizeLength = 1;
        while (sizeLength <= 8 && (lengthByte & (0x80 >> (sizeLength - 1))) == 0) sizeLength++;
        if (sizeLength > 8 || position + sizeLength > span.Length) return false;
        size = lengthByte & (0xFF >> sizeLength);
        var allOnes = size == (0xFF >> sizeLength);
        for (var i = 1; i < sizeLength; i++)
        {
            size = size << 8 | span[position + i];
            allOnes &= span[position + i] == 0xFF;
        }
        position += sizeLength;
        if (allOnes) size = -1;
        return true;
    }

    private static readonly int[] Mp3BitratesV1L3 = [0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 0];
    private static readonly int[] Mp3BitratesV2L3 = [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160, 0];
    private static readonly int[] Mp3SampleRatesV1 = [44100, 48000, 32000, 0];

    /// <summary>MP3 (layer III): the Xing/Info frame count when present, else the first frame's bitrate over the audio's length (constant bitrate).</summary>
    private static long? Mp3DurationMs(Stream file)
    {
        long start = 0;
        var id3 = Read(file, 0, 10);
        if (id3.Length == 10 && id3.AsSpan().StartsWith("ID3"u8))
            start = 10 + (id3[6] << 21 | id3[7] << 14 | id3[8] << 7 | id3[9]) + ((id3[5] & 0x10) != 0 ? 10 : 0);
        var head = Read(file, start, 4096);
        var at = 0;
        while (at + 4 <= head.Length && !(head[at] == 0xFF && (head[at + 1] & 0xE0) == 0xE0)) at++;
        if (at + 4 > head.Length) return null;
        var frame = head.AsSpan(at);
        var versionBits = (frame[1] >> 3) & 3; // 3 = MPEG 1, 2 = MPEG 2, 0 = MPEG 2.5
        var layerBits = (frame[1] >> 1) & 3; // 1 = layer III
        if (layerBits != 1 || versionBits == 1) return null;
        var mpeg1 = versionBits == 3;
        var bitrate = (mpeg1 ? Mp3BitratesV1L3 : Mp3BitratesV2L3)[frame[2] >> 4] * 1000L;
        var sampleRate = Mp3SampleRatesV1[(frame[2] >> 2) & 3] / (mpeg1 ? 1 : versionBits == 2 ? 2 : 4);
        if (bitrate <= 0 || sampleRate <= 0) return null;
        var samplesPerFrame = mpeg1 ? 1152 : 576;

        var mono = (frame[3] >> 6) == 3;
        var sideInfo = mpeg1 ? (mono ? 17 : 32) : (mono ? 9 : 17);
        var xing = 4 + sideInfo;
        if (frame.Length >= xing + 12 && (frame[xing..].StartsWith("Xing"u8) || frame[xing..].StartsWith("Info"u8)) && (frame[xing + 7] & 1) != 0)
        {
            var frames = BinaryPrimitives.ReadUInt32BigEndian(frame[(xing + 8)..]);
            return frames * (long)samplesPerFrame * 1000 / sampleRate;
        }
        var audioBytes = file.Length - start - at;
        return audioBytes * 8 * 1000 / bitrate;
    }
}
