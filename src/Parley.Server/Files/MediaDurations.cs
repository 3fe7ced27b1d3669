using System.Buffers.Binary;

namespace Parley.Server.Files;

/// <summary>
/// Durations that MetadataExtractor 2.4.3 (what <see cref="MediaDetails"/> uses otherwise) does not give, read here from
/// the headers: WAV (it reads the format chunk, so the byte rate, but not the data chunk's length), Ogg Opus/Vorbis,
/// WebM/Matroska (neither container is known to it) and MP3 (it decodes one frame header: no Xing/Info frame count,
/// no duration, and not after an ID3 tag). Each reads a bounded number of bytes by seeking: never the whole file.
/// </summary>
internal static class MediaDurations
{
    /// <summary>Up to <paramref name="count"/> bytes from <paramref name="offset"/> (fewer at the end of the file).</summary>
    internal static byte[] Read(Stream file, long offset, int count)
    {
        if (offset < 0 || offset >= file.Length) return [];
        file.Position = offset;
        var buffer = new byte[(int)Math.Min(count, file.Length - offset)];
        file.ReadExactly(buffer);
        return buffer;
    }

    /// <summary>RIFF WAVE: the data chunk's length over the format's byte rate.</summary>
    public static long? WavDurationMs(Stream file)
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
    public static long? OggDurationMs(Stream file)
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

    /// <summary>
    /// Matroska/WebM: Segment → Info → Duration (a float in units of TimecodeScale nanoseconds). Browsers'
    /// MediaRecorder often writes no duration: then it stays unknown.
    /// </summary>
    public static long? MatroskaDurationMs(Stream file)
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
    public static long? Mp3DurationMs(Stream file)
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
