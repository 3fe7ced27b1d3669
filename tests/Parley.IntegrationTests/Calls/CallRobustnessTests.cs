using System.Text.Json;
using Parley.Client;
using Parley.IntegrationTests.Infrastructure;

namespace Parley.IntegrationTests.Calls;

/// <summary>Malformed call frames, and two friends calling each other at the same moment.</summary>
public sealed class CallRobustnessTests(CallsFixture fixture) : IClassFixture<CallsFixture>
{
    private readonly TestServer _server = fixture.Server;

    private static readonly string[] Refusals = ["validation_failed", "call_not_found", "call_not_connected", "not_friends", "user_not_found"];

    [Fact]
    public async Task MalformedCallFramesAreRefusedInWordsAndNeverBreakTheServer()
    {
        var (alice, bob) = await CallKit.FriendsAsync(_server);
        using var mallory = await _server.NewUserAsync("mallory");
        await TestServer.MakeFriendsAsync(mallory, alice);
        await using var alicePhone = await ParleyRealtime.ConnectAsync(alice);
        await using var bobPhone = await ParleyRealtime.ConnectAsync(bob);

        var callId = await alicePhone.InviteCallAsync(bob.UserId, "audio");
        await bobPhone.AcceptCallAsync(callId);
        var huge = new string('x', 60 * 1024);
        string[] bodies =
        [
            "null", "1", "\"text\"", "[]", "{}", "[1,2]",
            "{\"to\":null}", "{\"to\":1}", "{\"to\":\"abc\"}", "{\"to\":[]}", "{\"to\":{\"userId\":5}}", "{\"to\":{\"userId\":null}}",
            "{\"to\":{\"userId\":\"-1\"}}", "{\"to\":{\"userId\":\"0\"}}", "{\"to\":{\"userId\":\"99999999999999999999999\"}}",
            $"{{\"to\":{{\"userId\":\"{bob.UserId}\"}},\"media\":5}}", $"{{\"to\":{{\"userId\":\"{bob.UserId}\"}},\"media\":null}}",
            $"{{\"to\":{{\"userId\":\"{bob.UserId}\"}},\"media\":{{}}}}",
            "{\"callId\":null}", "{\"callId\":5}", "{\"callId\":{}}", "{\"callId\":[]}", "{\"callId\":\"\"}", "{\"callId\":\" 1\"}",
            "{\"callId\":\"-5\"}", "{\"callId\":\"99999999999999999999999\"}", "{\"callId\":\"123456789\"}",
            $"{{\"callId\":\"{callId}\"}}", $"{{\"callId\":\"{callId}\",\"sdp\":null}}", $"{{\"callId\":\"{callId}\",\"sdp\":{{}},\"candidate\":5}}",
            $"{{\"callId\":\"{callId}\",\"sdp\":\"{huge}\"}}", $"{{\"callId\":\"{callId}\",\"candidate\":\"{huge}\"}}",
            $"{{\"callId\":{callId},\"sdp\":\"x\"}}",
        ];
        string[] types = ["call.invite", "call.accept", "call.reject", "call.hangup", "call.signal", "call.unknown"];
        var outcomes = new List<string>();
        foreach (var type in types)
        {
            // Fresh sockets per type keep each one within the frame rate budget.
            await using var outsider = await ParleyRealtime.ConnectAsync(mallory);
            await using var bobTablet = await ParleyRealtime.ConnectAsync(bob);
            foreach (var body in bodies)
            foreach (var phone in new[] { outsider, bobTablet, bobPhone })
            {
                // Bob, a party, may only do harmless things: no hang-up of his own call from the fuzz.
                if (phone != outsider && type is "call.hangup" or "call.reject" && body.Contains(callId, StringComparison.Ordinal)) continue;
            using var data = JsonDocument.Parse(body);
            try
            {
                await phone.RequestAsync(type, data.RootElement.Clone());
                outcomes.Add($"{type} {Short(body)}: ok");
            }
            catch (ParleyRealtimeException e)
            {
                outcomes.Add($"{type} {Short(body)}: {e.Code}");
                Assert.True(Refusals.Contains(e.Code) || (type == "call.unknown" && e.Code == "unknown_type") || e.Code == "rate_limited",
                    $"{type} {Short(body)} was refused with '{e.Code}': {e.Message}");
            }
            }
        }

        // The frames refused as rate limited did not hide a failure: none got through as an error of the server,
        // and the call in progress still works both ways.
        Assert.DoesNotContain(outcomes, o => o.EndsWith("internal_error", StringComparison.Ordinal));
        await alicePhone.SignalAsync(callId, sdp: "still here");
        var seen = await CallKit.UntilAsync(bobPhone, "call.signal");
        Assert.Equal("still here", seen[^1].Data.GetProperty("sdp").GetString());
        await alicePhone.HangupCallAsync(callId);
        await CallKit.EndedAsync(bobPhone, callId, "hung_up");
    }

    [Fact]
    public async Task ACalleeDeviceThatConnectsWhileTheCallRingsRingsTooAndCanAnswer()
    {
        var (alice, bob) = await CallKit.FriendsAsync(_server);
        await using var alicePhone = await ParleyRealtime.ConnectAsync(alice);
        // Bob has no device online when alice calls (his phone is woken by a push, say).
        var callId = await alicePhone.InviteCallAsync(bob.UserId, "video");
        await alicePhone.NextEventAsync("call.ringing");

        await using var bobPhone = await ParleyRealtime.ConnectAsync(bob);
        var incoming = await bobPhone.NextEventAsync("call.incoming");
        Assert.Equal(callId, incoming.Data.GetProperty("callId").GetString());
        Assert.Equal(alice.UserId, incoming.Data.GetProperty("from").GetString());
        Assert.Equal("video", incoming.Data.GetProperty("media").GetString());
        await bobPhone.AcceptCallAsync(callId);
        await alicePhone.NextEventAsync("call.accepted");

        // Once connected, a further device of bob's is not rung.
        await using var bobTablet = await ParleyRealtime.ConnectAsync(bob);
        var tabletSaw = await CallKit.UntilAsync(bobTablet, "pong", sendPing: true);
        Assert.DoesNotContain(tabletSaw, f => f.Type == "call.incoming");
        await alicePhone.HangupCallAsync(callId);
        await CallKit.EndedAsync(bobPhone, callId, "hung_up");
    }

    private static string Short(string body) => body.Length > 60 ? body[..60] + "…" : body;

    [Fact]
    public async Task TwoFriendsCallingEachOtherAtOnceGetOneRingingCallNotTwoBusyOnes()
    {
        // The race is narrow; many rounds make it likely to show. Each round, both invite at once: exactly one of the
        // two invites must ring (the other is busy, since its caller is being rung by it), never both busy.
        const int rounds = 20;
        for (var round = 0; round < rounds; round++)
        {
            var (alice, bob) = await CallKit.FriendsAsync(_server);
            await using var alicePhone = await ParleyRealtime.ConnectAsync(alice);
            await using var bobPhone = await ParleyRealtime.ConnectAsync(bob);
            using var go = new ManualResetEventSlim();
            var fromAlice = Task.Run(async () => { go.Wait(); return await alicePhone.InviteCallAsync(bob.UserId, "audio"); });
            var fromBob = Task.Run(async () => { go.Wait(); return await bobPhone.InviteCallAsync(alice.UserId, "audio"); });
            go.Set();
            var ids = await Task.WhenAll(fromAlice, fromBob);

            var aliceSaw = await CallKit.UntilAsync(alicePhone, "pong", sendPing: true);
            var bobSaw = await CallKit.UntilAsync(bobPhone, "pong", sendPing: true);
            var busy = aliceSaw.Concat(bobSaw).Where(f => f.Type == "call.ended" && f.Data.GetProperty("endReason").GetString() == "busy")
                .Select(f => f.Data.GetProperty("callId").GetString()).ToList();
            var ringing = aliceSaw.Concat(bobSaw).Where(f => f.Type == "call.incoming").Select(f => f.Data.GetProperty("callId").GetString()).ToList();
            Assert.True(busy.Count == 1 && ringing.Count == 1 && busy[0] != ringing[0] && ids.Contains(busy[0]) && ids.Contains(ringing[0]),
                $"round {round}: busy [{string.Join(',', busy)}], ringing [{string.Join(',', ringing)}]");

            // The ringing one can be hung up, and both are free again afterwards.
            var live = ringing[0]!;
            var caller = live == ids[0] ? alicePhone : bobPhone;
            await caller.HangupCallAsync(live);
        }
    }
}
