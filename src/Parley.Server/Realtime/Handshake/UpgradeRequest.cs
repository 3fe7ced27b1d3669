using System.Buffers;
using System.Security.Cryptography;
using System.Text;

namespace Parley.Server.Realtime.Handshake;

/// <summary>
/// The head of a plain HTTP/1.1 WebSocket handshake for <c>/ws</c>, read from a connection's first bytes by
/// <see cref="DirectUpgrade"/>. Only the common, unambiguous form is recognised: <c>GET /ws</c>, the token in an
/// <c>Authorization: Bearer</c> header or an unescaped <c>access_token</c> query parameter, printable ASCII only, no body.
/// Anything else (another path or method, an escaped query, a header it cannot read whole, a head split over more than
/// the first read) is left to the HTTP pipeline, which answers it as it answers every request.
/// </summary>
public sealed record UpgradeRequest(int HeadLength, string Token, string Key)
{
    /// <summary>A longer head is never taken directly (Kestrel's own limit is 32 KiB).</summary>
    public const int MaxHeadBytes = 8 * 1024;

    private static ReadOnlySpan<byte> RequestLineStart => "GET /ws"u8;
    private static ReadOnlySpan<byte> HeadEnd => "\r\n\r\n"u8;
    private static ReadOnlySpan<byte> Crlf => "\r\n"u8;

    /// <summary>The handshake in <paramref name="buffer"/>, or null when it is not one this class takes whole.</summary>
    public static UpgradeRequest? TryParse(ReadOnlySequence<byte> buffer)
    {
        if (buffer.Length < RequestLineStart.Length) return null;
        var length = (int)Math.Min(buffer.Length, MaxHeadBytes);
        byte[]? rented = null;
        var bytes = buffer.IsSingleSegment ? buffer.FirstSpan[..length] : Copy(buffer, length, out rented);
        try
        {
            if (!bytes.StartsWith(RequestLineStart)) return null;
            var end = bytes.IndexOf(HeadEnd);
            return end < 0 ? null : Parse(bytes[..(end + 2)], end + HeadEnd.Length);
        }
        finally
        {
            if (rented is not null) ArrayPool<byte>.Shared.Return(rented);
        }
    }

    private static ReadOnlySpan<byte> Copy(ReadOnlySequence<byte> buffer, int length, out byte[] rented)
    {
        rented = ArrayPool<byte>.Shared.Rent(length);
        buffer.Slice(0, length).CopyTo(rented);
        return rented.AsSpan(0, length);
    }

    /// <summary><paramref name="head"/> holds the request line and every header line, each ending in CRLF.</summary>
    private static UpgradeRequest? Parse(ReadOnlySpan<byte> head, int headLength)
    {
        // Printable ASCII, and CR only as part of CRLF (a bare CR or LF is where parsers disagree: Kestrel refuses it).
        for (var i = 0; i < head.Length; i++)
        {
            var b = head[i];
            if (b == (byte)'\r' ? i + 1 >= head.Length || head[i + 1] != (byte)'\n' : b == (byte)'\n' ? i == 0 || head[i - 1] != (byte)'\r'
                : b is (< 0x20 or > 0x7E) and not (byte)'\t') return null;
        }

        var lineEnd = head.IndexOf(Crlf);
        var queryToken = ParseRequestLine(head[..lineEnd], out var lineOk);
        if (!lineOk) return null;

        string? upgrade = null, connection = null, version = null, key = null, authorization = null;
        var host = false;
        var rest = head[(lineEnd + 2)..];
        var headers = 0;
        while (!rest.IsEmpty)
        {
            if (++headers > MaxHeaders) return null;
            lineEnd = rest.IndexOf(Crlf);
            var line = rest[..lineEnd];
            rest = rest[(lineEnd + 2)..];
            var colon = line.IndexOf((byte)':');
            if (colon <= 0) return null;
            var name = line[..colon];
            foreach (var b in name)
                if (!IsTokenChar(b)) return null; // obsolete folding or a malformed name
            var value = Encoding.ASCII.GetString(line[(colon + 1)..]).Trim(' ', '\t');
            if (Named(name, "Host"))
            {
                if (host) return null;
                host = true;
            }
            else if (Named(name, "Upgrade") && !Once(ref upgrade, value)) return null;
            else if (Named(name, "Connection") && !Once(ref connection, value)) return null;
            else if (Named(name, "Sec-WebSocket-Version") && !Once(ref version, value)) return null;
            else if (Named(name, "Sec-WebSocket-Key") && !Once(ref key, value)) return null;
            else if (Named(name, "Authorization") && !Once(ref authorization, value)) return null;
            else if (Named(name, "Content-Length") || Named(name, "Transfer-Encoding")) return null;
        }

        if (!host || version != "13" || key is null || !IsKey(key)) return null;
        if (!string.Equals(upgrade, "websocket", StringComparison.OrdinalIgnoreCase)) return null;
        if (connection is null || !connection.Split(',').Any(token => token.Trim().Equals("upgrade", StringComparison.OrdinalIgnoreCase))) return null;

        // As the bearer handler reads it: the header first, the query only without one (AccountsSetup).
        string? token;
        if (authorization is not null)
            token = authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? authorization[7..].Trim() : null;
        else
            token = queryToken;
        return string.IsNullOrEmpty(token) ? null : new UpgradeRequest(headLength, token, key);
    }

    /// <summary>
    /// <c>GET /ws[?query] HTTP/1.1</c>; the query may hold only unreserved characters, <c>=</c> and <c>&amp;</c> (a JWT
    /// needs no escaping). Returns the <c>access_token</c> parameter, if any.
    /// </summary>
    private static string? ParseRequestLine(ReadOnlySpan<byte> line, out bool ok)
    {
        ok = false;
        if (!line.EndsWith(" HTTP/1.1"u8)) return null;
        var target = line[4..^9];
        if (!target.StartsWith("/ws"u8)) return null;
        var query = target[3..];
        if (query.IsEmpty)
        {
            ok = true;
            return null;
        }
        if (query[0] != (byte)'?') return null;
        query = query[1..];
        foreach (var b in query)
            if (!(char.IsAsciiLetterOrDigit((char)b) || b is (byte)'-' or (byte)'.' or (byte)'_' or (byte)'~' or (byte)'=' or (byte)'&')) return null;

        string? token = null;
        foreach (var part in Encoding.ASCII.GetString(query).Split('&'))
        {
            // The pipeline reads query names in any case; twice (in any case) is left to it to decide.
            if (!part.StartsWith("access_token=", StringComparison.OrdinalIgnoreCase)) continue;
            if (token is not null) return null;
            token = part["access_token=".Length..];
        }
        ok = true;
        return token;
    }

    /// <summary>Kestrel's default limit on request headers.</summary>
    private const int MaxHeaders = 100;

    /// <summary>RFC 9110's tchar: the characters a header name may hold.</summary>
    private static bool IsTokenChar(byte b) =>
        char.IsAsciiLetterOrDigit((char)b) || "!#$%&'*+-.^_`|~"u8.Contains(b);

    private static bool Named(ReadOnlySpan<byte> name, string expected) => System.Text.Ascii.EqualsIgnoreCase(name, expected);

    private static bool Once(ref string? slot, string value)
    {
        if (slot is not null) return false;
        slot = value;
        return true;
    }

    /// <summary>RFC 6455: the key is 16 random bytes in base64.</summary>
    private static bool IsKey(string key)
    {
        Span<byte> decoded = stackalloc byte[24];
        return Convert.TryFromBase64String(key, decoded, out var written) && written == 16;
    }

    /// <summary>The <c>Sec-WebSocket-Accept</c> value that answers <see cref="Key"/> (RFC 6455 section 4.2.2).</summary>
#pragma warning disable CA5350 // SHA-1 is what the protocol prescribes here; it protects nothing
    public string AcceptValue() =>
        Convert.ToBase64String(SHA1.HashData(Encoding.ASCII.GetBytes(Key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11")));
#pragma warning restore CA5350
}
