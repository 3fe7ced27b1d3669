using Parley.Client;
using Parley.IntegrationTests.Calls;
using Parley.IntegrationTests.Infrastructure;

namespace Parley.IntegrationTests.ScaleOut;

/// <summary>
/// Calls whose parties are connected to different nodes: the call lives on the node that took the invite, the
/// other party's frames are forwarded to it, and its answers and relayed signals come back (docs/calls.md).
/// </summary>
public sealed class CallsAcrossNodesTests
{
    private static async Task<(TwoNodes.User Alice, TwoNodes.User Bob)> FriendsAsync(TwoNodes nodes)
    {
        var alice = await nodes.NewUserAsync("alice");
        var bob = await nodes.NewUserAsync("bob");
        await TestServer.MakeFriendsAsync(alice.OnA, bob.OnA);
        return (alice, bob);
    }

    private static async Task<ServerFrame> EndedAsync(ParleyRealtime device, string callId, TimeSpan? timeout = null)
    {
        var ended = await device.NextEventAsync("call.ended", timeout);
        Assert.Equal(callId, ended.Data.GetProperty("callId").GetString());
        return ended;
    }

    [Fact]
    public async Task ACallBetweenDevicesOnDifferentNodesRingsConnectsRelaysSignalsAndEnds()
    {
        await using var nodes = await TwoNodes.StartAsync();
        var (alice, bob) = await FriendsAsync(nodes);
        await using var aliceDevice = await TwoNodes.ConnectAsync(alice.OnA);
        await using var bobDevice = await TwoNodes.ConnectAsync(bob.OnB);
        await using var bobOther = await TwoNodes.ConnectAsync(bob.OnB);

        var callId = await aliceDevice.InviteCallAsync(bob.Id, "audio");
        Assert.Equal(callId, (await aliceDevice.NextEventAsync<CallRingingData>("call.ringing")).CallId);
        foreach (var device in new[] { bobDevice, bobOther })
            Assert.Equal(new CallIncomingData(callId, alice.Id, "audio"), await device.NextEventAsync<CallIncomingData>("call.incoming"));

        // Answered on node B, for a call held by node A.
        await bobDevice.AcceptCallAsync(callId);
        foreach (var device in new[] { aliceDevice, bobDevice, bobOther })
            Assert.Equal(callId, (await device.NextEventAsync<CallAcceptedData>("call.accepted")).CallId);
        // The device that did not accept is still refused, from across the nodes too.
        await CallKit.RefusedAsync("call_not_found", () => bobOther.SignalAsync(callId, candidate: new { candidate = "x" }));

        await aliceDevice.SignalAsync(callId, sdp: new { type = "offer", sdp = "v=0 alice" });
        var offer = await bobDevice.NextEventAsync<CallSignal>("call.signal");
        Assert.Equal("offer", offer.Sdp!.Value.GetProperty("type").GetString());
        Assert.Equal("v=0 alice", offer.Sdp.Value.GetProperty("sdp").GetString());

        await bobDevice.SignalAsync(callId, sdp: new { type = "answer", sdp = "v=0 bob" });
        await bobDevice.SignalAsync(callId, candidate: new { candidate = "candidate:1", sdpMid = "0", sdpMLineIndex = 0 });
        Assert.Equal("answer", (await aliceDevice.NextEventAsync<CallSignal>("call.signal")).Sdp!.Value.GetProperty("type").GetString());
        Assert.Equal("candidate:1", (await aliceDevice.NextEventAsync<CallSignal>("call.signal")).Candidate!.Value.GetProperty("candidate").GetString());

        await bobDevice.HangupCallAsync(callId);
        foreach (var device in new[] { aliceDevice, bobDevice })
            Assert.Equal("hung_up", (await EndedAsync(device, callId)).Data.GetProperty("endReason").GetString());
        var record = await aliceDevice.NextEventAsync("msg.new");
        Assert.Equal("call", record.Data.GetProperty("type").GetString());
        Assert.Equal($"call:{callId}", record.Data.GetProperty("clientMsgId").GetString());
        Assert.Equal("call", (await bobDevice.NextEventAsync("msg.new")).Data.GetProperty("type").GetString());
        // Ended: the call is gone on both nodes.
        await CallKit.RefusedAsync("call_not_found", () => bobDevice.HangupCallAsync(callId));
        await CallKit.RefusedAsync("call_not_found", () => aliceDevice.HangupCallAsync(callId));
    }

    [Fact]
    public async Task ACalleeOnAnotherNodeCanRejectAndItsDisconnectionDropsTheCallAfterTheGrace()
    {
        await using var nodes = await TwoNodes.StartAsync(new Dictionary<string, string?> { ["Calls:ReconnectGrace"] = "00:00:01" });
        var (alice, bob) = await FriendsAsync(nodes);
        await using var aliceDevice = await TwoNodes.ConnectAsync(alice.OnA);
        var bobDevice = await TwoNodes.ConnectAsync(bob.OnB);

        var rejected = await aliceDevice.InviteCallAsync(bob.Id, "video");
        await bobDevice.NextEventAsync("call.incoming");
        await bobDevice.RejectCallAsync(rejected);
        Assert.Equal("rejected", (await EndedAsync(aliceDevice, rejected)).Data.GetProperty("endReason").GetString());

        var dropped = await aliceDevice.InviteCallAsync(bob.Id, "video");
        var incoming = await bobDevice.NextEventAsync<CallIncomingData>("call.incoming");
        Assert.Equal(dropped, incoming.CallId);
        await bobDevice.AcceptCallAsync(dropped);
        await aliceDevice.NextEventAsync("call.accepted");
        await bobDevice.DisposeAsync();
        var ended = await EndedAsync(aliceDevice, dropped);
        Assert.Equal("dropped", ended.Data.GetProperty("endReason").GetString());
    }

    [Fact]
    public async Task AUserInACallOnOneNodeIsBusyForAnInviteOnTheOther()
    {
        await using var nodes = await TwoNodes.StartAsync();
        var (alice, bob) = await FriendsAsync(nodes);
        var carol = await nodes.NewUserAsync("carol");
        await TestServer.MakeFriendsAsync(carol.OnA, bob.OnA);
        await using var aliceDevice = await TwoNodes.ConnectAsync(alice.OnA);
        await using var bobDevice = await TwoNodes.ConnectAsync(bob.OnA);
        await using var carolDevice = await TwoNodes.ConnectAsync(carol.OnB);

        var first = await aliceDevice.InviteCallAsync(bob.Id, "audio");
        await bobDevice.NextEventAsync("call.incoming");

        // Bob rings on node A; carol's invite is taken by node B.
        var second = await carolDevice.InviteCallAsync(bob.Id, "audio");
        Assert.Equal("busy", (await EndedAsync(carolDevice, second)).Data.GetProperty("endReason").GetString());

        // Once the first call ended, bob is free again on every node.
        await aliceDevice.HangupCallAsync(first);
        await EndedAsync(aliceDevice, first);
        await bobDevice.NextEventAsync("call.ended");
        var third = await carolDevice.InviteCallAsync(bob.Id, "audio");
        Assert.Equal(third, (await bobDevice.NextEventAsync<CallIncomingData>("call.incoming")).CallId);
    }

    [Fact]
    public async Task ACalleeOnAnotherNodeResumesTheCallFromANewDeviceThere()
    {
        await using var nodes = await TwoNodes.StartAsync();
        var (alice, bob) = await FriendsAsync(nodes);
        await using var aliceDevice = await TwoNodes.ConnectAsync(alice.OnA);
        var bobPage = await TwoNodes.ConnectAsync(bob.OnB);

        var callId = await aliceDevice.InviteCallAsync(bob.Id, "video");
        await bobPage.NextEventAsync("call.incoming");
        await bobPage.AcceptCallAsync(callId);
        await aliceDevice.NextEventAsync("call.accepted");

        // Bob reloads the page: the old socket goes, a new one on node B takes the call over.
        await bobPage.DisposeAsync();
        await using var bobReloaded = await TwoNodes.ConnectAsync(bob.OnB);
        await bobReloaded.ResumeCallAsync(callId);
        Assert.Equal(callId, (await aliceDevice.NextEventAsync<CallResumedData>("call.resumed")).CallId);

        await aliceDevice.SignalAsync(callId, sdp: new { type = "offer", sdp = "v=0 again" });
        Assert.Equal("v=0 again", (await bobReloaded.NextEventAsync<CallSignal>("call.signal")).Sdp!.Value.GetProperty("sdp").GetString());
        await bobReloaded.SignalAsync(callId, sdp: new { type = "answer", sdp = "v=0 bob again" });
        Assert.Equal("v=0 bob again", (await aliceDevice.NextEventAsync<CallSignal>("call.signal")).Sdp!.Value.GetProperty("sdp").GetString());

        await aliceDevice.HangupCallAsync(callId);
        Assert.Equal("hung_up", (await EndedAsync(bobReloaded, callId)).Data.GetProperty("endReason").GetString());
    }
}
