using System.Net.WebSockets;
using Parley.IntegrationTests.Contract;
using Parley.IntegrationTests.Infrastructure;

namespace Parley.IntegrationTests.Realtime;

/// <summary>
/// Every frame a socket reads is charged to its frame budget before anything else, whatever it holds: a flood of
/// garbage, binary, empty or oversized frames is refused like a flood of requests, and ends the connection (1008).
/// </summary>
public sealed class EveryFrameCountsTests
{
    public static TheoryData<string> Floods() => ["garbage", "binary", "empty", "oversized"];

    [Theory]
    [MemberData(nameof(Floods))]
    public async Task AFloodOfFramesThatAreNotRequestsIsRefusedAndEndsTheConnection(string kind)
    {
        // One frame a second (bursts of two) and three refusals allowed: 30 frames sent at once trip it on any
        // machine, unless the sender stalls for many seconds between frames.
        await using var server = await TestServer.StartAsync(new Dictionary<string, string?>
        {
            ["Gateway:FramesPerSecond"] = "1",
            ["Gateway:MaxRejectedFrames"] = "3",
        });
        var alice = await server.UserAsync("alice");
        await using var socket = await RawSocket.ConnectAsync(server, alice);

        var oversized = "{\"type\":\"ping\",\"data\":{\"pad\":\"" + new string('x', 70 * 1024) + "\"}}";
        for (var i = 0; i < 30 && socket.State == WebSocketState.Open; i++)
        {
            try
            {
                var sending = kind switch
                {
                    "garbage" => socket.SendTextAsync("{this is not json"),
                    "binary" => socket.SendBinaryAsync([1, 2, 3]),
                    "empty" => socket.SendTextAsync(""),
                    _ => socket.SendTextAsync(oversized),
                };
                await sending;
            }
            catch (WebSocketException)
            {
                break;
            }
        }

        await socket.Closed.WaitAsync(ContractKit.Patience);
        Assert.Equal(WebSocketCloseStatus.PolicyViolation, socket.CloseStatus);
        var frames = socket.Received;
        Assert.Contains(frames, f => RawSocket.Type(f) == "error" && RawSocket.Data(f).GetProperty("code").GetString() == "rate_limited");
    }

    [Fact]
    public async Task AnEmptyTextFrameIsAnsweredAndTheNextFrameIsServedOnItsOwn()
    {
        await using var server = await TestServer.StartAsync();
        var alice = await server.UserAsync("alice");
        await using var socket = await RawSocket.ConnectAsync(server, alice);

        await socket.SendTextAsync("");
        var pong = await socket.RequestAsync("ping", null);
        Assert.Equal("pong", RawSocket.Type(pong));
        var frames = await socket.SoFarAsync();
        var invalid = frames.FindIndex(f => RawSocket.Type(f) == "error" && RawSocket.Data(f).GetProperty("code").GetString() == "invalid_frame");
        Assert.True(invalid >= 0, "the empty frame got no answer: " + string.Join(", ", frames.Select(RawSocket.Type)));
        Assert.True(invalid < frames.FindIndex(f => RawSocket.Id(f) == RawSocket.Id(pong)), "the empty frame's answer came after the next request's");
    }

    [Fact]
    public async Task ARefusalForTooManyFramesCarriesTheRequestsId()
    {
        await using var server = await TestServer.StartAsync(new Dictionary<string, string?>
        {
            ["Gateway:FramesPerSecond"] = "1",
            ["Gateway:MaxRejectedFrames"] = "1000",
        });
        var alice = await server.UserAsync("alice");
        await using var socket = await RawSocket.ConnectAsync(server, alice);
        for (var i = 0; i < 20; i++) await socket.SendAsync("ping", null, id: $"p{i}");
        var refused = await socket.WaitAsync(f => RawSocket.Type(f) == "error" && RawSocket.Data(f).GetProperty("code").GetString() == "rate_limited");
        Assert.StartsWith("p", RawSocket.Id(refused), StringComparison.Ordinal);
    }
}
