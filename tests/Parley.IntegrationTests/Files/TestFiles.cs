using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace Parley.IntegrationTests.Files;

/// <summary>Small, real files built byte by byte, so each test knows exactly what the server should find.</summary>
internal static class TestFiles
{
    /// <summary>A valid PNG of <paramref name="width"/>×<paramref name="height"/> RGB pixels (with correct CRCs and zlib data).</summary>
    public static byte[] Png(int width, int height, int padTo = 0)
    {
        using var png = new MemoryStream();
        png.Write([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]);
        var ihdr = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(ihdr, width);
        BinaryPrimitives.WriteInt32BigEndian(ihdr.AsSpan(4), height);
        ihdr[8] = 8; // bit depth
        ihdr[9] = 2; // truecolour
        Chunk(png, "IHDR", ihdr);

        var raw = new byte[height * (1 + width * 3)];
        for (var y = 0; y < height; y++)
            for (var x = 0; x < width; x++)
                raw[y * (1 + width * 3) + 1 + x * 3] = (byte)(40 * x + 60 * y);
        using var compressed = new MemoryStream();
        using (var zlib = new ZLibStream(compressed, CompressionLevel.Optimal, leaveOpen: true)) zlib.Write(raw);
        Chunk(png, "IDAT", compressed.ToArray());
        if (padTo > png.Length + 24) Chunk(png, "tEXt", new byte[padTo - png.Length - 24]); // an ancillary chunk makes it large
        Chunk(png, "IEND", []);
        return png.ToArray();
    }

    private static void Chunk(Stream png, string type, byte[] data)
    {
        var header = new byte[8];
        BinaryPrimitives.WriteInt32BigEndian(header, data.Length);
        Encoding.ASCII.GetBytes(type, header.AsSpan(4));
        png.Write(header);
        png.Write(data);
        var crc = Crc32(header.AsSpan(4), data);
        var crcBytes = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(crcBytes, crc);
        png.Write(crcBytes);
    }

    private static uint Crc32(ReadOnlySpan<byte> type, ReadOnlySpan<byte> data)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var part in new[] { type.ToArray(), data.ToArray() })
            foreach (var b in part)
            {
                crc ^= b;
                for (var k = 0; k < 8; k++) crc = (crc & 1) != 0 ? 0xEDB88320u ^ (crc >> 1) : crc >> 1;
            }
        return ~crc;
    }

    /// <summary>A baseline JPEG's headers (JFIF APP0, a quantisation table, the frame header) for <paramref name="width"/>×<paramref name="height"/>.</summary>
    public static byte[] JpegHeader(int width, int height)
    {
        using var jpeg = new MemoryStream();
        jpeg.Write([0xFF, 0xD8]);
        jpeg.Write([0xFF, 0xE0, 0x00, 0x10, (byte)'J', (byte)'F', (byte)'I', (byte)'F', 0x00, 0x01, 0x01, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00]);
        jpeg.Write([0xFF, 0xDB, 0x00, 0x43, 0x00]);
        jpeg.Write(Enumerable.Repeat((byte)1, 64).ToArray());
        jpeg.Write([0xFF, 0xC0, 0x00, 0x11, 0x08, (byte)(height >> 8), (byte)height, (byte)(width >> 8), (byte)width, 0x03,
            0x01, 0x22, 0x00, 0x02, 0x11, 0x01, 0x03, 0x11, 0x01]);
        jpeg.Write([0xFF, 0xD9]);
        return jpeg.ToArray();
    }

    /// <summary>A PCM WAV of silence: 8 kHz, mono, 16-bit, so 16,000 bytes a second.</summary>
    public static byte[] Wav(int milliseconds)
    {
        var dataLength = 16 * milliseconds;
        var wav = new byte[44 + dataLength];
        var s = wav.AsSpan();
        Encoding.ASCII.GetBytes("RIFF", s);
        BinaryPrimitives.WriteInt32LittleEndian(s[4..], 36 + dataLength);
        Encoding.ASCII.GetBytes("WAVEfmt ", s[8..]);
        BinaryPrimitives.WriteInt32LittleEndian(s[16..], 16);
        BinaryPrimitives.WriteInt16LittleEndian(s[20..], 1); // PCM
        BinaryPrimitives.WriteInt16LittleEndian(s[22..], 1); // mono
        BinaryPrimitives.WriteInt32LittleEndian(s[24..], 8000); // sample rate
        BinaryPrimitives.WriteInt32LittleEndian(s[28..], 16000); // byte rate
        BinaryPrimitives.WriteInt16LittleEndian(s[32..], 2); // block align
        BinaryPrimitives.WriteInt16LittleEndian(s[34..], 16); // bits per sample
        Encoding.ASCII.GetBytes("data", s[36..]);
        BinaryPrimitives.WriteInt32LittleEndian(s[40..], dataLength);
        return wav;
    }

    /// <summary>An MP4 of <paramref name="length"/> bytes: ftyp, a movie header saying <paramref name="durationMs"/>, then filler media data.</summary>
    public static byte[] Mp4(long durationMs, int length)
    {
        var mp4 = new byte[length];
        var s = mp4.AsSpan();
        BinaryPrimitives.WriteInt32BigEndian(s, 24);
        Encoding.ASCII.GetBytes("ftypisom", s[4..]);
        BinaryPrimitives.WriteInt32BigEndian(s[12..], 512);
        Encoding.ASCII.GetBytes("isommp41", s[16..]);
        // moov { mvhd v0: flags, created, modified, timescale 1000, duration }
        BinaryPrimitives.WriteInt32BigEndian(s[24..], 8 + 8 + 100);
        Encoding.ASCII.GetBytes("moov", s[28..]);
        BinaryPrimitives.WriteInt32BigEndian(s[32..], 8 + 100);
        Encoding.ASCII.GetBytes("mvhd", s[36..]);
        BinaryPrimitives.WriteInt32BigEndian(s[52..], 1000);
        BinaryPrimitives.WriteInt32BigEndian(s[56..], (int)durationMs);
        var mdat = 24 + 116;
        BinaryPrimitives.WriteInt32BigEndian(s[mdat..], length - mdat);
        Encoding.ASCII.GetBytes("mdat", s[(mdat + 4)..]);
        return mp4;
    }

    public static byte[] Gif(int width, int height)
    {
        var gif = new byte[14];
        Encoding.ASCII.GetBytes("GIF89a", gif);
        BinaryPrimitives.WriteUInt16LittleEndian(gif.AsSpan(6), (ushort)width);
        BinaryPrimitives.WriteUInt16LittleEndian(gif.AsSpan(8), (ushort)height);
        gif[13] = 0x3B; // trailer
        return gif;
    }

    /// <summary>A 24-bit BMP header; <paramref name="height"/> is stored negative (top-down rows), as many writers do.</summary>
    public static byte[] Bmp(int width, int height)
    {
        var bmp = new byte[54];
        var s = bmp.AsSpan();
        Encoding.ASCII.GetBytes("BM", s);
        BinaryPrimitives.WriteInt32LittleEndian(s[2..], 54);
        BinaryPrimitives.WriteInt32LittleEndian(s[10..], 54);
        BinaryPrimitives.WriteInt32LittleEndian(s[14..], 40);
        BinaryPrimitives.WriteInt32LittleEndian(s[18..], width);
        BinaryPrimitives.WriteInt32LittleEndian(s[22..], -height);
        BinaryPrimitives.WriteInt16LittleEndian(s[26..], 1);
        BinaryPrimitives.WriteInt16LittleEndian(s[28..], 24);
        return bmp;
    }

    /// <summary>An extended-format WebP (VP8X) header.</summary>
    public static byte[] WebPExtended(int width, int height)
    {
        var webp = new byte[30];
        var s = webp.AsSpan();
        Encoding.ASCII.GetBytes("RIFF", s);
        BinaryPrimitives.WriteInt32LittleEndian(s[4..], 22);
        Encoding.ASCII.GetBytes("WEBPVP8X", s[8..]);
        BinaryPrimitives.WriteInt32LittleEndian(s[16..], 10);
        WriteUInt24(s[24..], width - 1);
        WriteUInt24(s[27..], height - 1);
        return webp;
    }

    /// <summary>A lossless WebP (VP8L) header.</summary>
    public static byte[] WebPLossless(int width, int height)
    {
        var webp = new byte[25];
        var s = webp.AsSpan();
        Encoding.ASCII.GetBytes("RIFF", s);
        BinaryPrimitives.WriteInt32LittleEndian(s[4..], 17);
        Encoding.ASCII.GetBytes("WEBPVP8L", s[8..]);
        BinaryPrimitives.WriteInt32LittleEndian(s[16..], 5);
        s[20] = 0x2F;
        BinaryPrimitives.WriteUInt32LittleEndian(s[21..], (uint)(width - 1) | (uint)(height - 1) << 14);
        return webp;
    }

    private static void WriteUInt24(Span<byte> s, int value)
    {
        s[0] = (byte)value;
        s[1] = (byte)(value >> 8);
        s[2] = (byte)(value >> 16);
    }

    /// <summary>Ogg Opus: an OpusHead page (pre-skip 312) and a last page whose granule position is the end of <paramref name="milliseconds"/>.</summary>
    public static byte[] OggOpus(int milliseconds)
    {
        using var ogg = new MemoryStream();
        OggPage(ogg, headerType: 2, granule: 0, [.. "OpusHead"u8, 1, 1, 0x38, 0x01, 0x80, 0xBB, 0, 0, 0, 0, 0]);
        OggPage(ogg, headerType: 0, granule: 0, [.. "OpusTags"u8, 0, 0, 0, 0, 0, 0, 0, 0]);
        OggPage(ogg, headerType: 0, granule: 312 + 48L * 500, new byte[200]);
        OggPage(ogg, headerType: 4, granule: 312 + 48L * milliseconds, new byte[200]);
        return ogg.ToArray();
    }

    private static void OggPage(Stream ogg, byte headerType, long granule, byte[] packet)
    {
        var header = new byte[28];
        Encoding.ASCII.GetBytes("OggS", header);
        header[5] = headerType;
        BinaryPrimitives.WriteInt64LittleEndian(header.AsSpan(6), granule);
        BinaryPrimitives.WriteInt32LittleEndian(header.AsSpan(14), 1234);
        header[26] = 1; // one segment
        header[27] = (byte)packet.Length;
        ogg.Write(header);
        ogg.Write(packet);
    }

    /// <summary>MP3: an empty ID3v2 tag, then constant-bitrate MPEG-1 layer III frames at 128 kbit/s (16,000 bytes a second).</summary>
    public static byte[] Mp3(int milliseconds)
    {
        var mp3 = new byte[10 + 16 * milliseconds];
        Encoding.ASCII.GetBytes("ID3", mp3);
        mp3[3] = 4;
        mp3[10] = 0xFF;
        mp3[11] = 0xFB; // MPEG-1, layer III, no CRC
        mp3[12] = 0x90; // 128 kbit/s, 44.1 kHz
        mp3[13] = 0x64; // joint stereo
        return mp3;
    }

    /// <summary>WebM: an EBML header with doctype webm, a Segment of unknown size, and its Info with a Duration.</summary>
    public static byte[] WebM(double milliseconds)
    {
        using var webm = new MemoryStream();
        webm.Write([0x1A, 0x45, 0xDF, 0xA3, 0x87, 0x42, 0x82, 0x84, .. "webm"u8]);
        webm.Write([0x18, 0x53, 0x80, 0x67, 0x01, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF]);
        var duration = new byte[4];
        BinaryPrimitives.WriteSingleBigEndian(duration, (float)milliseconds);
        webm.Write([0x15, 0x49, 0xA9, 0x66, 0x8E, 0x2A, 0xD7, 0xB1, 0x83, 0x0F, 0x42, 0x40, 0x44, 0x89, 0x84, .. duration]);
        webm.Write([0x1F, 0x43, 0xB6, 0x75, 0x80]); // an empty Cluster
        return webm.ToArray();
    }

    public static byte[] Text(string text) => Encoding.UTF8.GetBytes(text);
}
