using Parley.Client;
using Parley.IntegrationTests.Infrastructure;

namespace Parley.IntegrationTests.Calls;

/// <summary>Calls that end by time: nobody answers, or a party's device goes away and does not come back (fake clock, no sleeps).</summary>
public sealed class CallTimeoutTests(CallsFixture fixture) : IClassFixture<CallsFixture>
{
    private readonly TestServer _server = fixture.Server;

    /// <summary>Waits until the server has seen <paramref name="userId"/>'s last device go (or first come): friends get presence right after.</summary>
    private static async Task PresenceAsync(ParleyRealtime observer, string userId, bool online)
    {
        while (true)
        {
            var presence = await observer.NextEventAsync("presence");
            if (presence.Data.GetProperty("userId").GetString() == userId && presence.Data.GetProperty("online").GetBoolean() == online) return;
        }
    }

    [Fact]
    public async Task ACallNobodyAnswersEndsAsNoAnswerAtTheRingTimeout()
    {
        var (alice, bob) = await CallKit.FriendsAsync(_server);
        await using var alicePhone = await ParleyRealtime.ConnectAsync(alice);
        await using var bobPhone = await ParleyRealtime.ConnectAsync(bob);
        var callId = await alicePhone.InviteCallAsync(bob.UserId, "video");
        await bobPhone.NextEventAsync("call.incoming");

        fixture.Clock.Advance(CallsFixture.RingTimeout - TimeSpan.FromSeconds(1));
        // Still ringing a second before the timeout.
        await CallKit.RefusedAsync("call_not_connected", () => alicePhone.SignalAsync(callId, sdp: "offer"));
        fixture.Clock.Advance(TimeSpan.FromSeconds(1));

        await CallKit.EndedAsync(alicePhone, callId, "no_answer");
        await CallKit.EndedAsync(bobPhone, callId, "no_answer");
        var (message, record) = await CallKit.RecordAsync(bobPhone);
        Assert.Equal(("video", alice.UserId, "no_answer", 0L), (record.Media, record.InitiatorId, record.EndReason, record.DurationMs));
        Assert.Null(record.StartedAt);
        await CallKit.RefusedAsync("call_not_found", () => bobPhone.AcceptCallAsync(callId));
        Assert.Equal(record, await CallKit.StoredRecordAsync(alice, message.GetProperty("conversationId").GetString()!, callId));
    }

    [Fact]
    public async Task AnAcceptedCallIsNotTimedOutByTheRing()
    {
        var (alice, bob) = await CallKit.FriendsAsync(_server);
        await using var alicePhone = await ParleyRealtime.ConnectAsync(alice);
        await using var bobPhone = await ParleyRealtime.ConnectAsync(bob);
        var callId = await alicePhone.InviteCallAsync(bob.UserId, "audio");
        await bobPhone.AcceptCallAsync(callId);
        fixture.Clock.Advance(CallsFixture.RingTimeout * 3);
        await alicePhone.SignalAsync(callId, sdp: "offer");
        Assert.Equal("offer", (await bobPhone.NextEventAsync<CallSignal>("call.signal")).Sdp!.Value.GetString());
        await bobPhone.HangupCallAsync(callId);
        Assert.Equal((long)(CallsFixture.RingTimeout * 3).TotalMilliseconds, (await CallKit.EndedAsync(alicePhone, callId, "hung_up")).DurationMs);
    }

    [Fact]
    public async Task ACalleeWhoseActiveDeviceLeavesAndDoesNotComeBackIsDropped()
    {
        var (alice, bob) = await CallKit.FriendsAsync(_server);
        await using var alicePhone = await ParleyRealtime.ConnectAsync(alice);
        var bobPhone = await ParleyRealtime.ConnectAsync(bob);
        var callId = await alicePhone.InviteCallAsync(bob.UserId, "video");
        await bobPhone.AcceptCallAsync(callId);
        await alicePhone.NextEventAsync("call.accepted");

        await bobPhone.DisposeAsync();
        await PresenceAsync(alicePhone, bob.UserId, online: false);
        fixture.Clock.Advance(CallsFixture.ReconnectGrace - TimeSpan.FromSeconds(1));
        // Within the grace the call is still on (the signal is refused only because bob's side has no device right now).
        await CallKit.RefusedAsync("call_not_connected", () => alicePhone.SignalAsync(callId, candidate: new { candidate = "c" }));
        fixture.Clock.Advance(TimeSpan.FromSeconds(1));

        Assert.Equal((long)CallsFixture.ReconnectGrace.TotalMilliseconds, (await CallKit.EndedAsync(alicePhone, callId, "dropped")).DurationMs);
        var (message, record) = await CallKit.RecordAsync(alicePhone);
        Assert.Equal(("dropped", (long)CallsFixture.ReconnectGrace.TotalMilliseconds), (record.EndReason, record.DurationMs));
        Assert.NotNull(record.StartedAt);
        Assert.Equal(record, await CallKit.StoredRecordAsync(bob, message.GetProperty("conversationId").GetString()!, callId));
    }

    [Fact]
    public async Task ACalleeWhoReconnectsWithinTheGraceStaysInTheCallOnTheNewConnection()
    {
        var (alice, bob) = await CallKit.FriendsAsync(_server);
        await using var alicePhone = await ParleyRealtime.ConnectAsync(alice);
        var bobPhone = await ParleyRealtime.ConnectAsync(bob);
        var callId = await alicePhone.InviteCallAsync(bob.UserId, "video");
        await bobPhone.AcceptCallAsync(callId);
        await alicePhone.NextEventAsync("call.accepted");

        await bobPhone.DisposeAsync();
        await PresenceAsync(alicePhone, bob.UserId, online: false);
        fixture.Clock.Advance(CallsFixture.ReconnectGrace - TimeSpan.FromSeconds(1));
        await using var bobAgain = await ParleyRealtime.ConnectAsync(bob);
        await PresenceAsync(alicePhone, bob.UserId, online: true);
        fixture.Clock.Advance(CallsFixture.ReconnectGrace * 2);

        // Not dropped: signals flow to the reconnected device, which can hang up.
        await alicePhone.SignalAsync(callId, sdp: new { type = "offer", sdp = "ice restart" });
        Assert.Equal("ice restart", (await bobAgain.NextEventAsync<CallSignal>("call.signal")).Sdp!.Value.GetProperty("sdp").GetString());
        await bobAgain.SignalAsync(callId, sdp: new { type = "answer", sdp = "ok" });
        Assert.Equal("answer", (await alicePhone.NextEventAsync<CallSignal>("call.signal")).Sdp!.Value.GetProperty("type").GetString());
        await bobAgain.HangupCallAsync(callId);

        var saw = await CallKit.UntilAsync(alicePhone, "call.ended");
        var ended = saw[^1].Data;
        Assert.Equal("hung_up", ended.GetProperty("endReason").GetString());
        var expected = CallsFixture.ReconnectGrace - TimeSpan.FromSeconds(1) + CallsFixture.ReconnectGrace * 2;
        Assert.Equal((long)expected.TotalMilliseconds, ended.GetProperty("durationMs").GetInt64());
    }

    [Fact]
    public async Task ACallerWhoseInvitingDeviceLeavesWhileRingingIsDropped()
    {
        var (alice, bob) = await CallKit.FriendsAsync(_server);
        var alicePhone = await ParleyRealtime.ConnectAsync(alice);
        await using var bobPhone = await ParleyRealtime.ConnectAsync(bob);
        var callId = await alicePhone.InviteCallAsync(bob.UserId, "audio");
        await bobPhone.NextEventAsync("call.incoming");

        await alicePhone.DisposeAsync();
        await PresenceAsync(bobPhone, alice.UserId, online: false);
        fixture.Clock.Advance(CallsFixture.ReconnectGrace);

        Assert.Equal(0, (await CallKit.EndedAsync(bobPhone, callId, "dropped")).DurationMs);
        var (_, record) = await CallKit.RecordAsync(bobPhone);
        Assert.Equal(("dropped", 0L), (record.EndReason, record.DurationMs));
        Assert.Null(record.StartedAt);
        await CallKit.RefusedAsync("call_not_found", () => bobPhone.AcceptCallAsync(callId));
    }
}
