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

    public static byte[] Text(string text) => Encoding.UTF8.GetBytes(text);
}
