using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using Parley.IntegrationTests.Infrastructure;

namespace Parley.IntegrationTests.Realtime;

/// <summary>
/// The handshake as bytes on a real TCP connection, where the direct upgrade (Realtime/Handshake) must read it as
/// the HTTP server would: a frame sent right behind the request, a request split over two writes, a bad token.
/// Which path took a socket is asserted in MetricsTests (the counter is process-wide).
/// </summary>
public sealed class DirectUpgradeTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    /// <summary>The key of RFC 6455's example, and the answer the RFC gives for it.</summary>
    private const string Key = "dGhlIHNhbXBsZSBub25jZQ==";
    private const string AcceptForKey = "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=";

    [Fact]
    public async Task AFrameSentRightBehindTheHandshakeIsAnswered()
    {
        using var alice = await fixture.Server.NewUserAsync();
        using var tcp = await ConnectAsync();
        var stream = tcp.GetStream();
        // One write: the request and the first frame, as a client that does not wait for the 101 may send them.
        byte[] both = [.. Encoding.ASCII.GetBytes(Handshake($"/ws?access_token={alice.AccessToken}")), .. MaskedText("{\"type\":\"ping\",\"id\":\"first\"}")];
        await stream.WriteAsync(both);

        var head = await ReadHeadAsync(stream);
        Assert.StartsWith("HTTP/1.1 101 ", head, StringComparison.Ordinal);
        Assert.Contains($"Sec-WebSocket-Accept: {AcceptForKey}", head, StringComparison.OrdinalIgnoreCase);
        var frame = await ReadTextFrameAsync(stream);
        Assert.Contains("\"type\":\"pong\"", frame, StringComparison.Ordinal);
        Assert.Contains("\"id\":\"first\"", frame, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AHandshakeSplitOverTwoWritesIsServedToo()
    {
        using var alice = await fixture.Server.NewUserAsync();
        using var tcp = await ConnectAsync();
        var stream = tcp.GetStream();
        var request = Encoding.ASCII.GetBytes(Handshake("/ws", $"Authorization: Bearer {alice.AccessToken}\r\n"));
        await stream.WriteAsync(request.AsMemory(0, 20));
        await stream.FlushAsync();
        await Task.Delay(200); // lets the server read the first part alone (if it does not, the test still holds)
        await stream.WriteAsync(request.AsMemory(20));

        Assert.StartsWith("HTTP/1.1 101 ", await ReadHeadAsync(stream), StringComparison.Ordinal);
        await stream.WriteAsync(MaskedText("{\"type\":\"ping\",\"id\":\"split\"}"));
        Assert.Contains("\"id\":\"split\"", await ReadTextFrameAsync(stream), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/ws?access_token=not.a.token", "")]
    [InlineData("/ws", "Authorization: Bearer not.a.token\r\n")]
    [InlineData("/ws", "")]
    public async Task ABadOrMissingTokenGets401InTheErrorShape(string target, string extraHeaders)
    {
        using var tcp = await ConnectAsync();
        var stream = tcp.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes(Handshake(target, extraHeaders)));
        var head = await ReadHeadAsync(stream);
        Assert.StartsWith("HTTP/1.1 401 ", head, StringComparison.Ordinal);
        // The body (chunked or not) up to the end of its JSON object.
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var body = new StringBuilder();
        var buffer = new byte[4096];
        while (!body.ToString().Contains('}', StringComparison.Ordinal))
        {
            var read = await stream.ReadAsync(buffer, cancel.Token);
            if (read == 0) break;
            body.Append(Encoding.UTF8.GetString(buffer, 0, read));
        }
        Assert.Contains("\"code\":\"unauthorized\"", body.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ARevokedSessionIsRefused()
    {
        using var alice = await fixture.Server.NewUserAsync();
        var token = alice.AccessToken!;
        await alice.LogoutAsync();
        using var tcp = await ConnectAsync();
        var stream = tcp.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes(Handshake($"/ws?access_token={token}")));
        Assert.StartsWith("HTTP/1.1 401 ", await ReadHeadAsync(stream), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AConnectionThatSendsNothingIsClosedByTheServersOwnTimeouts()
    {
        // Kestrel closes a connection that sends no request after its keep-alive timeout; the direct upgrade waits
        // for a first read only a while before it hands the connection on, so that this still holds.
        await using var server = await TestServer.StartAsync(adjust: builder =>
            Microsoft.AspNetCore.Hosting.WebHostBuilderKestrelExtensions.ConfigureKestrel(builder.WebHost, kestrel => kestrel.Limits.KeepAliveTimeout = TimeSpan.FromSeconds(2)));
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(server.BaseAddress.Host, server.BaseAddress.Port);

        using var giveUp = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        var buffer = new byte[16];
        int read;
        try
        {
            read = await tcp.GetStream().ReadAsync(buffer, giveUp.Token);
        }
        catch (IOException)
        {
            read = 0; // reset rather than closed: gone either way
        }
        Assert.Equal(0, read);
    }

    private async Task<TcpClient> ConnectAsync()
    {
        var tcp = new TcpClient();
        await tcp.ConnectAsync(fixture.Server.BaseAddress.Host, fixture.Server.BaseAddress.Port);
        return tcp;
    }

    private string Handshake(string target, string extraHeaders = "") =>
        $"GET {target} HTTP/1.1\r\nHost: {fixture.Server.BaseAddress.Authority}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
        $"Sec-WebSocket-Key: {Key}\r\nSec-WebSocket-Version: 13\r\n{extraHeaders}\r\n";

    /// <summary>A client's text frame: FIN, opcode 1, masked (RFC 6455 requires it of clients), payload under 126 bytes.</summary>
    private static byte[] MaskedText(string text)
    {
        var payload = Encoding.UTF8.GetBytes(text);
        var mask = RandomNumberGenerator.GetBytes(4);
        var frame = new byte[2 + 4 + payload.Length];
        frame[0] = 0x81;
        frame[1] = (byte)(0x80 | payload.Length);
        mask.CopyTo(frame, 2);
        for (var i = 0; i < payload.Length; i++) frame[6 + i] = (byte)(payload[i] ^ mask[i % 4]);
        return frame;
    }

    /// <summary>The response head, read byte by byte so that nothing after it is taken.</summary>
    private static async Task<string> ReadHeadAsync(NetworkStream stream)
    {
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var head = new StringBuilder();
        var one = new byte[1];
        while (!head.ToString().EndsWith("\r\n\r\n", StringComparison.Ordinal))
        {
            if (await stream.ReadAsync(one, cancel.Token) == 0) break;
            head.Append((char)one[0]);
        }
        return head.ToString();
    }

    /// <summary>The next text frame from the server (unmasked); control frames before it are skipped.</summary>
    private static async Task<string> ReadTextFrameAsync(NetworkStream stream)
    {
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (true)
        {
            var header = new byte[2];
            await stream.ReadExactlyAsync(header, cancel.Token);
            long length = header[1] & 0x7F;
            if (length == 126)
            {
                var extended = new byte[2];
                await stream.ReadExactlyAsync(extended, cancel.Token);
                length = (extended[0] << 8) | extended[1];
            }
            else if (length == 127)
            {
                var extended = new byte[8];
                await stream.ReadExactlyAsync(extended, cancel.Token);
                length = (long)System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(extended);
            }
            var payload = new byte[length];
            await stream.ReadExactlyAsync(payload, cancel.Token);
            if ((header[0] & 0x0F) == 1) return Encoding.UTF8.GetString(payload);
        }
    }
}
