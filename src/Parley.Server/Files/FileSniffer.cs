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
/// Finds the content type of an upload from its first bytes (magic numbers), never from what the client claims.
/// This decision is ours, written here on purpose; what is read from the headers afterwards (dimensions, durations)
/// is <see cref="MediaDetails"/>'s job.
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

    /// <summary>
    /// Width, height and duration where the headers give them (<see cref="MediaDetails"/>); <paramref name="file"/>
    /// is read and seeked, never loaded whole. A header that cannot be read leaves the details unknown: never throws.
    /// </summary>
    public static SniffedFile Describe(string contentType, Stream file) => MediaDetails.Read(contentType, file);

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
}
