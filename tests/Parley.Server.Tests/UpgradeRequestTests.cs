using System.Buffers;
using System.Text;
using Parley.Server.Realtime.Handshake;

namespace Parley.Server.Tests;

/// <summary>
/// What the direct upgrade takes itself, and what it leaves to Kestrel's HTTP server (null): wherever the two parsers
/// could read the same bytes differently, it must leave them.
/// </summary>
public sealed class UpgradeRequestTests
{
    private const string Key = "dGhlIHNhbXBsZSBub25jZQ==";

    private static string Head(string target = "/ws?access_token=a.b.c", string extra = "") =>
        $"GET {target} HTTP/1.1\r\nHost: chat.example\r\nUpgrade: websocket\r\nConnection: keep-alive, Upgrade\r\n" +
        $"Sec-WebSocket-Key: {Key}\r\nSec-WebSocket-Version: 13\r\n{extra}\r\n";

    private static UpgradeRequest? Parse(string head) => UpgradeRequest.TryParse(new ReadOnlySequence<byte>(Encoding.Latin1.GetBytes(head)));

    [Fact]
    public void APlainHandshakeIsTakenWithItsTokenKeyAndLength()
    {
        var head = Head();
        var request = Parse(head + "\x81\x80...."); // a frame right behind the head is not part of it
        Assert.NotNull(request);
        Assert.Equal("a.b.c", request.Token);
        Assert.Equal(head.Length, request.HeadLength);
        Assert.Equal("s3pPLMBiTxaQ9kYGzzhZRbK+xOo=", request.AcceptValue()); // RFC 6455's example
    }

    [Fact]
    public void TheHeaderTokenWinsOverTheQueryAsTheBearerHandlerDecides()
    {
        Assert.Equal("from.header.x", Parse(Head(extra: "Authorization: Bearer from.header.x\r\n"))!.Token);
        Assert.Equal("any.case.x", Parse(Head("/ws?ACCESS_TOKEN=any.case.x"))!.Token);
    }

    [Theory]
    [InlineData("/ws")] // no token at all: the pipeline answers 401
    [InlineData("/wss?access_token=a.b.c")]
    [InlineData("/ws/?access_token=a.b.c")]
    [InlineData("/ws?access_token=a%2Eb.c")] // escaped
    [InlineData("/ws?access_token=a.b.c&Access_Token=d.e.f")] // twice
    public void OtherTargetsAreLeftToThePipeline(string target) => Assert.Null(Parse(Head(target)));

    [Theory]
    [InlineData("X-Bare: a\rb\r\n")] // a bare CR
    [InlineData("X-Bare: a\nb\r\n")] // a bare LF
    [InlineData("X Space: a\r\n")] // not a token character in a name
    [InlineData(" X-Folded: a\r\n")] // obsolete line folding
    [InlineData("Content-Length: 5\r\n")] // a body
    [InlineData("Transfer-Encoding: chunked\r\n")]
    [InlineData("Host: second.example\r\n")] // twice
    [InlineData("Upgrade: websocket\r\n")]
    [InlineData("X-Name: caf\u00e9\r\n")] // not ASCII
    public void AnythingKestrelMightReadDifferentlyIsLeftToThePipeline(string extra) => Assert.Null(Parse(Head(extra: extra)));

    [Fact]
    public void MoreHeadersThanKestrelAllowsAreLeftToThePipeline()
    {
        var many = string.Concat(Enumerable.Range(0, 100).Select(i => $"X-{i}: {i}\r\n"));
        Assert.Null(Parse(Head(extra: many)));
        Assert.NotNull(Parse(Head(extra: string.Concat(Enumerable.Range(0, 90).Select(i => $"X-{i}: {i}\r\n")))));
    }

    [Fact]
    public void AnIncompleteHeadOrAWrongVersionIsLeftToThePipeline()
    {
        Assert.Null(Parse(Head()[..^2]));
        Assert.Null(Parse(Head().Replace("Version: 13", "Version: 8", StringComparison.Ordinal)));
        Assert.Null(Parse(Head().Replace(Key, "c2hvcnQ=", StringComparison.Ordinal)));
        Assert.Null(Parse(Head().Replace("HTTP/1.1", "HTTP/1.0", StringComparison.Ordinal)));
    }
}
