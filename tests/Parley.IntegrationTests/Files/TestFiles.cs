using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace Parley.IntegrationTests.Files;

/// <summary>
/// Files built byte by byte where the test is not about what headers say (types, size limits, access). What the server
/// reads from media headers is tested on files real tools made: <see cref="RealMedia"/>.
/// </summary>
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

    /// <summary>
    /// <paramref name="length"/> bytes that begin as an MP4 does (an <c>ftyp</c> box), then zeros: enough for the type
    /// decision and the size limits, nothing to read a duration from. Real media is in <see cref="RealMedia"/>.
    /// </summary>
    public static byte[] Mp4Shaped(int length)
    {
        var mp4 = new byte[length];
        BinaryPrimitives.WriteInt32BigEndian(mp4, 24);
        Encoding.ASCII.GetBytes("ftypisom\0\0\x02\0isommp41", mp4.AsSpan(4));
        return mp4;
    }

    public static byte[] Text(string text) => Encoding.UTF8.GetBytes(text);
}
