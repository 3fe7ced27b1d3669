using Parley.Client;
using Parley.IntegrationTests.Infrastructure;

namespace Parley.IntegrationTests.Calls;

/// <summary>Who may not call, what may not be sent, and what outsiders cannot touch.</summary>
public sealed class CallRefusalTests(CallsFixture fixture) : IClassFixture<CallsFixture>
{
    private readonly TestServer _server = fixture.Server;

    [Fact]
    public async Task OnlyFriendsWhoHaveNotBlockedEachOtherCanCall()
    {
        using var alice = await _server.NewUserAsync("alice");
        using var stranger = await _server.NewUserAsync("stranger");
        await using var socket = await ParleyRealtime.ConnectAsync(alice);
        await using var strangerSocket = await ParleyRealtime.ConnectAsync(stranger);
        await CallKit.RefusedAsync("not_friends", () => socket.InviteCallAsync(stranger.UserId, "audio"));
        await CallKit.RefusedAsync("user_not_found", () => socket.InviteCallAsync("999999999999", "audio"));
        await CallKit.RefusedAsync("validation_failed", () => socket.InviteCallAsync(alice.UserId, "audio"));
        await CallKit.RefusedAsync("validation_failed", () => socket.InviteCallAsync("not-an-id", "audio"));

        var (caller, blocker) = await CallKit.FriendsAsync(_server);
        await blocker.BlockAsync(caller.UserId);
        await using var callerSocket = await ParleyRealtime.ConnectAsync(caller);
        await using var blockerSocket = await ParleyRealtime.ConnectAsync(blocker);
        await CallKit.RefusedAsync("blocked", () => callerSocket.InviteCallAsync(blocker.UserId, "video"));
        await CallKit.RefusedAsync("blocked", () => blockerSocket.InviteCallAsync(caller.UserId, "video"));

        // Nothing rang, and the refusals left no record.
        var frames = await CallKit.UntilAsync(strangerSocket, "pong", TimeSpan.FromSeconds(10), sendPing: true);
        Assert.DoesNotContain(frames, f => f.Type.StartsWith("call.", StringComparison.Ordinal) || f.Type == "msg.new");
    }

    [Fact]
    public async Task TheMediaMustBeAudioOrVideo()
    {
        var (alice, bob) = await CallKit.FriendsAsync(_server);
        await using var socket = await ParleyRealtime.ConnectAsync(alice);
        await CallKit.RefusedAsync("validation_failed", () => socket.InviteCallAsync(bob.UserId, "screen"));
        await CallKit.RefusedAsync("validation_failed", () => socket.RequestAsync("call.invite", new { to = new { userId = bob.UserId } }));
        await CallKit.RefusedAsync("validation_failed", () => socket.RequestAsync("call.accept", new { }));
        await CallKit.RefusedAsync("validation_failed", () => socket.RequestAsync("call.hangup", "not an object"));
    }

    [Fact]
    public async Task AnOutsiderCanDoNothingToSomeoneElsesCall()
    {
        var (alice, bob) = await CallKit.FriendsAsync(_server);
        using var mallory = await _server.NewUserAsync("mallory");
        await TestServer.MakeFriendsAsync(mallory, alice);
        await TestServer.MakeFriendsAsync(mallory, bob);
        await using var alicePhone = await ParleyRealtime.ConnectAsync(alice);
        await using var bobPhone = await ParleyRealtime.ConnectAsync(bob);
        await using var malloryPhone = await ParleyRealtime.ConnectAsync(mallory);

        var callId = await alicePhone.InviteCallAsync(bob.UserId, "video");
        await CallKit.RefusedAsync("call_not_found", () => malloryPhone.AcceptCallAsync(callId));
        await CallKit.RefusedAsync("call_not_found", () => malloryPhone.RejectCallAsync(callId));
        await CallKit.RefusedAsync("call_not_found", () => malloryPhone.HangupCallAsync(callId));
        await bobPhone.AcceptCallAsync(callId);
        await CallKit.RefusedAsync("call_not_found", () => malloryPhone.SignalAsync(callId, sdp: new { type = "offer", sdp = "evil" }));
        await CallKit.RefusedAsync("call_not_found", () => malloryPhone.HangupCallAsync(callId));
        // A call id that never existed looks the same.
        await CallKit.RefusedAsync("call_not_found", () => malloryPhone.SignalAsync("123456789", sdp: "x"));

        // Oversized signals are refused before anything is relayed.
        await CallKit.RefusedAsync("validation_failed", () => alicePhone.SignalAsync(callId, sdp: new string('a', 17 * 1024)));
        await CallKit.RefusedAsync("validation_failed", () => alicePhone.SignalAsync(callId, candidate: new string('a', 3 * 1024)));
        await CallKit.RefusedAsync("validation_failed", () => alicePhone.SignalAsync(callId));

        await alicePhone.SignalAsync(callId, sdp: "the real offer");
        var first = await CallKit.UntilAsync(bobPhone, "call.signal");
        Assert.Single(first, f => f.Type == "call.signal");
        Assert.Equal("the real offer", first[^1].Data.GetProperty("sdp").GetString());

        // Mallory, in no call, is not busy: the call with alice and bob did not touch her.
        await alicePhone.HangupCallAsync(callId);
        await CallKit.EndedAsync(bobPhone, callId, "hung_up");
        var hers = await malloryPhone.InviteCallAsync(bob.UserId, "audio");
        Assert.Equal(hers, (await bobPhone.NextEventAsync<CallIncomingData>("call.incoming")).CallId);
        await malloryPhone.HangupCallAsync(hers);
    }

    [Fact]
    public async Task AFloodOfInvitesIsRateLimited()
    {
        var (alice, bob) = await CallKit.FriendsAsync(_server);
        await using var alicePhone = await ParleyRealtime.ConnectAsync(alice);
        for (var i = 0; i < 10; i++)
        {
            var callId = await alicePhone.InviteCallAsync(bob.UserId, "audio");
            await alicePhone.HangupCallAsync(callId);
        }
        await CallKit.RefusedAsync("rate_limited", () => alicePhone.InviteCallAsync(bob.UserId, "audio"));
        // Bob's own invites are counted apart.
        await using var bobPhone = await ParleyRealtime.ConnectAsync(bob);
        await bobPhone.HangupCallAsync(await bobPhone.InviteCallAsync(alice.UserId, "audio"));

        fixture.Clock.Advance(TimeSpan.FromMinutes(1));
        var later = await alicePhone.InviteCallAsync(bob.UserId, "audio");
        await alicePhone.HangupCallAsync(later);
    }
}
