using System.Text.Json;
using Parley.Client;
using Parley.IntegrationTests.Infrastructure;

namespace Parley.IntegrationTests.Calls;

/// <summary>
/// A device that connects while its user is in a call learns of it (<c>call.state</c>) and can take it over
/// (<c>call.resume</c>): a reloaded page or a reconnect after a network blip resumes the call instead of leaving it
/// to be dropped (fake clock, no sleeps).
/// </summary>
public sealed class CallResumeTests(CallsFixture fixture) : IClassFixture<CallsFixture>
{
    private readonly TestServer _server = fixture.Server;

    private static async Task PresenceAsync(ParleyRealtime observer, string userId, bool online)
    {
        while (true)
        {
            var presence = await observer.NextEventAsync("presence");
            if (presence.Data.GetProperty("userId").GetString() == userId && presence.Data.GetProperty("online").GetBoolean() == online) return;
        }
    }

    private static async Task<string> ConnectedCallAsync(ParleyRealtime caller, ParleyRealtime callee, string calleeId)
    {
        var callId = await caller.InviteCallAsync(calleeId, "video");
        await callee.NextEventAsync("call.incoming");
        await callee.AcceptCallAsync(callId);
        await caller.NextEventAsync("call.accepted");
        return callId;
    }

    /// <summary>Everything the server sent a fresh connection before a pong (a ping without an id is answered after all it queued).</summary>
    private static async Task<List<ServerFrame>> GreetingAsync(ParleyRealtime device) =>
        await CallKit.UntilAsync(device, "pong", sendPing: true);

    [Fact]
    public async Task ACalleeReloadedDuringACallLearnsOfItResumesItAndTheCallerStartsOver()
    {
        var (alice, bob) = await CallKit.FriendsAsync(_server);
        await using var alicePhone = await ParleyRealtime.ConnectAsync(alice);
        var bobTab = await ParleyRealtime.ConnectAsync(bob);
        var callId = await ConnectedCallAsync(alicePhone, bobTab, bob.UserId);
        fixture.Clock.Advance(TimeSpan.FromSeconds(30));

        // The page reloads: the old socket goes, a new one comes within the grace.
        await bobTab.DisposeAsync();
        await PresenceAsync(alicePhone, bob.UserId, online: false);
        await using var bobReloaded = await ParleyRealtime.ConnectAsync(bob);
        var state = (await GreetingAsync(bobReloaded)).Single(f => f.Type == "call.state").Data.Deserialize<CallStateData>(ParleyClient.JsonOptions)!;
        Assert.Equal((callId, alice.UserId, "video", "callee", "connected", true), (state.CallId, state.PeerId, state.Media, state.Role, state.State, state.Active));
        Assert.NotNull(state.StartedAt);

        await bobReloaded.ResumeCallAsync(callId);
        Assert.Equal(callId, (await alicePhone.NextEventAsync<CallResumedData>("call.resumed")).CallId);
        // The caller makes a fresh offer; the resumed device answers.
        await alicePhone.SignalAsync(callId, sdp: new { type = "offer", sdp = "fresh" });
        Assert.Equal("fresh", (await bobReloaded.NextEventAsync<CallSignal>("call.signal")).Sdp!.Value.GetProperty("sdp").GetString());
        await bobReloaded.SignalAsync(callId, sdp: new { type = "answer", sdp = "ok" });
        Assert.Equal("ok", (await alicePhone.NextEventAsync<CallSignal>("call.signal")).Sdp!.Value.GetProperty("sdp").GetString());

        fixture.Clock.Advance(CallsFixture.ReconnectGrace * 2);
        await bobReloaded.HangupCallAsync(callId);
        var ended = await CallKit.EndedAsync(alicePhone, callId, "hung_up");
        Assert.Equal((long)(TimeSpan.FromSeconds(30) + CallsFixture.ReconnectGrace * 2).TotalMilliseconds, ended.DurationMs);
        await CallKit.EndedAsync(bobReloaded, callId, "hung_up");
    }

    [Fact]
    public async Task AfterANetworkBlipTheNewConnectionTakesTheCallOverFromTheOldOneTheServerStillHolds()
    {
        var (alice, bob) = await CallKit.FriendsAsync(_server);
        await using var alicePhone = await ParleyRealtime.ConnectAsync(alice);
        var bobOld = await ParleyRealtime.ConnectAsync(bob);
        var callId = await ConnectedCallAsync(alicePhone, bobOld, bob.UserId);

        // The client gave its socket up and reconnected before the server noticed the old one was dead.
        await using var bobNew = await ParleyRealtime.ConnectAsync(bob);
        var state = (await GreetingAsync(bobNew)).Single(f => f.Type == "call.state").Data.Deserialize<CallStateData>(ParleyClient.JsonOptions)!;
        Assert.Equal(("callee", "connected", false), (state.Role, state.State, state.Active));
        // Not the active device yet: it may not signal or hang up.
        await CallKit.RefusedAsync("call_not_found", () => bobNew.SignalAsync(callId, sdp: "x"));
        await CallKit.RefusedAsync("call_not_found", () => bobNew.HangupCallAsync(callId));

        await bobNew.ResumeCallAsync(callId);
        await alicePhone.NextEventAsync("call.resumed");
        await alicePhone.SignalAsync(callId, sdp: "fresh offer");
        Assert.Equal("fresh offer", (await bobNew.NextEventAsync<CallSignal>("call.signal")).Sdp!.Value.GetString());
        // The old connection is out of the call, and its going starts no grace.
        await CallKit.RefusedAsync("call_not_found", () => bobOld.SignalAsync(callId, sdp: "stale"));
        await bobOld.DisposeAsync();
        fixture.Clock.Advance(CallsFixture.ReconnectGrace * 2);
        await bobNew.SignalAsync(callId, sdp: "answer");
        Assert.Equal("answer", (await alicePhone.NextEventAsync<CallSignal>("call.signal")).Sdp!.Value.GetString());

        await bobNew.HangupCallAsync(callId);
        await CallKit.EndedAsync(alicePhone, callId, "hung_up");
    }

    [Fact]
    public async Task ACallerReloadedWhileRingingKeepsTheCallAndOffersFromTheNewPageOnceAccepted()
    {
        var (alice, bob) = await CallKit.FriendsAsync(_server);
        var aliceTab = await ParleyRealtime.ConnectAsync(alice);
        await using var bobPhone = await ParleyRealtime.ConnectAsync(bob);
        var callId = await aliceTab.InviteCallAsync(bob.UserId, "audio");
        await bobPhone.NextEventAsync("call.incoming");

        await aliceTab.DisposeAsync();
        await PresenceAsync(bobPhone, alice.UserId, online: false);
        await using var aliceReloaded = await ParleyRealtime.ConnectAsync(alice);
        var state = (await GreetingAsync(aliceReloaded)).Single(f => f.Type == "call.state").Data.Deserialize<CallStateData>(ParleyClient.JsonOptions)!;
        Assert.Equal((callId, bob.UserId, "audio", "caller", "ringing", true, (DateTimeOffset?)null),
            (state.CallId, state.PeerId, state.Media, state.Role, state.State, state.Active, state.StartedAt));
        await aliceReloaded.ResumeCallAsync(callId);
        fixture.Clock.Advance(CallsFixture.ReconnectGrace * 2);

        await bobPhone.AcceptCallAsync(callId);
        await aliceReloaded.NextEventAsync("call.accepted");
        await aliceReloaded.SignalAsync(callId, sdp: "offer");
        Assert.Equal("offer", (await bobPhone.NextEventAsync<CallSignal>("call.signal")).Sdp!.Value.GetString());
        await aliceReloaded.HangupCallAsync(callId);
        await CallKit.EndedAsync(bobPhone, callId, "hung_up");
    }

    [Fact]
    public async Task WhenBothPartiesReloadTheCallerResumesFirstThenOffersWhenTheCalleeResumes()
    {
        var (alice, bob) = await CallKit.FriendsAsync(_server);
        var aliceTab = await ParleyRealtime.ConnectAsync(alice);
        var bobTab = await ParleyRealtime.ConnectAsync(bob);
        var callId = await ConnectedCallAsync(aliceTab, bobTab, bob.UserId);
        await bobTab.DisposeAsync();
        await PresenceAsync(aliceTab, bob.UserId, online: false);
        await aliceTab.DisposeAsync();

        await using var aliceAgain = await ParleyRealtime.ConnectAsync(alice);
        Assert.Contains(await GreetingAsync(aliceAgain), f => f.Type == "call.state");
        await aliceAgain.ResumeCallAsync(callId);
        // Bob's side has no device: the offer cannot go yet.
        await CallKit.RefusedAsync("call_not_connected", () => aliceAgain.SignalAsync(callId, sdp: "offer 1"));

        await using var bobAgain = await ParleyRealtime.ConnectAsync(bob);
        Assert.Contains(await GreetingAsync(bobAgain), f => f.Type == "call.state");
        await bobAgain.ResumeCallAsync(callId);
        Assert.Equal(callId, (await aliceAgain.NextEventAsync<CallResumedData>("call.resumed")).CallId);
        await aliceAgain.SignalAsync(callId, sdp: "offer 2");
        Assert.Equal("offer 2", (await bobAgain.NextEventAsync<CallSignal>("call.signal")).Sdp!.Value.GetString());
        await aliceAgain.HangupCallAsync(callId);
        await CallKit.EndedAsync(bobAgain, callId, "hung_up");
    }

    [Fact]
    public async Task ARingingCalleeThatConnectsGetsTheIncomingCallNotAStateAndADeviceOfSomeoneInNoCallGetsNothing()
    {
        var (alice, bob) = await CallKit.FriendsAsync(_server);
        await using var alicePhone = await ParleyRealtime.ConnectAsync(alice);
        var callId = await alicePhone.InviteCallAsync(bob.UserId, "audio");
        await using var bobLaptop = await ParleyRealtime.ConnectAsync(bob);
        var greeting = await GreetingAsync(bobLaptop);
        Assert.Contains(greeting, f => f.Type == "call.incoming");
        Assert.DoesNotContain(greeting, f => f.Type == "call.state");
        // The callee has no active device while ringing: it answers with call.accept, not call.resume.
        await CallKit.RefusedAsync("call_not_found", () => bobLaptop.ResumeCallAsync(callId));

        await alicePhone.HangupCallAsync(callId);
        await CallKit.EndedAsync(bobLaptop, callId, "cancelled");
        await using var aliceTablet = await ParleyRealtime.ConnectAsync(alice);
        Assert.DoesNotContain(await GreetingAsync(aliceTablet), f => f.Type.StartsWith("call.", StringComparison.Ordinal));
        await CallKit.RefusedAsync("call_not_found", () => aliceTablet.ResumeCallAsync(callId));
    }

    [Fact]
    public async Task NobodyButThePartiesCanResumeACall()
    {
        var (alice, bob) = await CallKit.FriendsAsync(_server);
        var mallory = await _server.NewUserAsync("mallory");
        await TestServer.MakeFriendsAsync(mallory, alice);
        await using var alicePhone = await ParleyRealtime.ConnectAsync(alice);
        await using var bobPhone = await ParleyRealtime.ConnectAsync(bob);
        await using var malloryPhone = await ParleyRealtime.ConnectAsync(mallory);
        var callId = await ConnectedCallAsync(alicePhone, bobPhone, bob.UserId);

        Assert.DoesNotContain(await GreetingAsync(malloryPhone), f => f.Type == "call.state");
        await CallKit.RefusedAsync("call_not_found", () => malloryPhone.ResumeCallAsync(callId));
        await CallKit.RefusedAsync("call_not_found", () => malloryPhone.ResumeCallAsync("123456789"));
        await CallKit.RefusedAsync("validation_failed", () => malloryPhone.ResumeCallAsync("not an id"));
        // The call goes on between its two active devices.
        await alicePhone.SignalAsync(callId, sdp: "offer");
        Assert.Equal("offer", (await bobPhone.NextEventAsync<CallSignal>("call.signal")).Sdp!.Value.GetString());
        await bobPhone.HangupCallAsync(callId);
        await CallKit.EndedAsync(alicePhone, callId, "hung_up");
    }
}
