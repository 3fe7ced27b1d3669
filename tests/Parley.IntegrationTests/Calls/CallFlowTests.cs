using System.Text.Json;
using Parley.Client;
using Parley.IntegrationTests.Infrastructure;

namespace Parley.IntegrationTests.Calls;

/// <summary>Calls that are answered, refused or cancelled, over real sockets, with the records they leave.</summary>
public sealed class CallFlowTests(CallsFixture fixture) : IClassFixture<CallsFixture>
{
    private readonly TestServer _server = fixture.Server;

    [Fact]
    public async Task AnAcceptedCallRelaysSignalsOnlyBetweenTheActiveDevicesAndRecordsItsDuration()
    {
        var (alice, bob) = await CallKit.FriendsAsync(_server);
        await using var alicePhone = await ParleyRealtime.ConnectAsync(alice);
        await using var aliceLaptop = await ParleyRealtime.ConnectAsync(alice);
        await using var bobPhone = await ParleyRealtime.ConnectAsync(bob);
        await using var bobLaptop = await ParleyRealtime.ConnectAsync(bob);

        var callId = await alicePhone.InviteCallAsync(bob.UserId, "video");
        foreach (var device in new[] { alicePhone, aliceLaptop })
            Assert.Equal(new CallRingingData(callId, bob.UserId, "video"), await device.NextEventAsync<CallRingingData>("call.ringing"));
        foreach (var device in new[] { bobPhone, bobLaptop })
            Assert.Equal(new CallIncomingData(callId, alice.UserId, "video"), await device.NextEventAsync<CallIncomingData>("call.incoming"));

        await bobLaptop.AcceptCallAsync(callId);
        // Everyone hears of the accept: the phone, which did not accept, stops ringing on it.
        foreach (var device in new[] { alicePhone, aliceLaptop, bobPhone, bobLaptop })
            Assert.Equal(callId, (await device.NextEventAsync<CallAcceptedData>("call.accepted")).CallId);
        var startedAt = fixture.Clock.GetUtcNow();

        // The other devices are not in the call: they can neither accept again, nor signal, nor hang up.
        await CallKit.RefusedAsync("call_not_found", () => bobPhone.AcceptCallAsync(callId));
        await CallKit.RefusedAsync("call_not_found", () => bobPhone.SignalAsync(callId, candidate: new { candidate = "x" }));
        await CallKit.RefusedAsync("call_not_found", () => aliceLaptop.SignalAsync(callId, candidate: new { candidate = "x" }));
        await CallKit.RefusedAsync("call_not_found", () => aliceLaptop.HangupCallAsync(callId));

        // The offer goes from the inviting device to the accepting one, verbatim; the answer and candidates come back.
        await alicePhone.SignalAsync(callId, sdp: new { type = "offer", sdp = "v=0\r\no=alice 1 1 IN IP4 0.0.0.0\r\n" });
        var offer = await bobLaptop.NextEventAsync<CallSignal>("call.signal");
        Assert.Equal(callId, offer.CallId);
        Assert.Equal("offer", offer.Sdp!.Value.GetProperty("type").GetString());
        Assert.Equal("v=0\r\no=alice 1 1 IN IP4 0.0.0.0\r\n", offer.Sdp.Value.GetProperty("sdp").GetString());
        Assert.Null(offer.Candidate);

        await bobLaptop.SignalAsync(callId, sdp: new { type = "answer", sdp = "v=0 bob" });
        await bobLaptop.SignalAsync(callId, candidate: new { candidate = "candidate:1 1 udp 2122260223 10.0.0.2 50000 typ host", sdpMid = "0", sdpMLineIndex = 0 });
        var answer = await alicePhone.NextEventAsync<CallSignal>("call.signal");
        Assert.Equal("answer", answer.Sdp!.Value.GetProperty("type").GetString());
        var candidate = await alicePhone.NextEventAsync<CallSignal>("call.signal");
        Assert.Equal(0, candidate.Candidate!.Value.GetProperty("sdpMLineIndex").GetInt32());
        Assert.Equal("0", candidate.Candidate.Value.GetProperty("sdpMid").GetString());

        fixture.Clock.Advance(TimeSpan.FromSeconds(93.5));
        await bobLaptop.HangupCallAsync(callId);
        foreach (var device in new[] { alicePhone, bobLaptop })
            Assert.Equal(93_500, (await CallKit.EndedAsync(device, callId, "hung_up")).DurationMs);
        // The devices that were not in the call saw no signal, only the end.
        foreach (var device in new[] { aliceLaptop, bobPhone })
        {
            var saw = await CallKit.UntilAsync(device, "call.ended");
            Assert.DoesNotContain(saw, f => f.Type == "call.signal");
            Assert.Equal(new CallEndedData(callId, "hung_up", 93_500), saw[^1].Data.Deserialize<CallEndedData>(ParleyClient.JsonOptions));
            Assert.Equal("call", (await device.NextEventAsync("msg.new")).Data.GetProperty("type").GetString());
        }
        var (message, record) = await CallKit.RecordAsync(alicePhone);
        Assert.Equal(alice.UserId, message.GetProperty("senderId").GetString());
        Assert.Equal($"call:{callId}", message.GetProperty("clientMsgId").GetString());
        Assert.Equal("video", record.Media);
        Assert.Equal(alice.UserId, record.InitiatorId);
        Assert.Equal("hung_up", record.EndReason);
        Assert.Equal(93_500, record.DurationMs);
        Assert.Equal(startedAt.ToUnixTimeMilliseconds(), record.StartedAt!.Value.ToUnixTimeMilliseconds());
        Assert.Equal(startedAt.AddSeconds(93.5).ToUnixTimeMilliseconds(), record.EndedAt.ToUnixTimeMilliseconds());

        var conversationId = message.GetProperty("conversationId").GetString()!;
        foreach (var user in new[] { alice, bob })
            Assert.Equal(record, await CallKit.StoredRecordAsync(user, conversationId, callId));

        // Over: nothing more can be done to it.
        await CallKit.RefusedAsync("call_not_found", () => alicePhone.SignalAsync(callId, sdp: "x"));
        await CallKit.RefusedAsync("call_not_found", () => alicePhone.HangupCallAsync(callId));
    }

    [Fact]
    public async Task TheCallerHangsUpFromTheInvitingDevice()
    {
        var (alice, bob) = await CallKit.FriendsAsync(_server);
        await using var alicePhone = await ParleyRealtime.ConnectAsync(alice);
        await using var bobPhone = await ParleyRealtime.ConnectAsync(bob);
        var callId = await alicePhone.InviteCallAsync(bob.UserId, "audio");
        await bobPhone.NextEventAsync("call.incoming");
        await bobPhone.AcceptCallAsync(callId);
        fixture.Clock.Advance(TimeSpan.FromSeconds(2));
        await alicePhone.HangupCallAsync(callId);
        Assert.Equal(2000, (await CallKit.EndedAsync(bobPhone, callId, "hung_up")).DurationMs);
        var (_, record) = await CallKit.RecordAsync(bobPhone);
        Assert.Equal(("audio", "hung_up", 2000L), (record.Media, record.EndReason, record.DurationMs));
    }

    [Fact]
    public async Task ACallThatEndsAfterAnUnfriendingIsStillRecorded()
    {
        var (alice, bob) = await CallKit.FriendsAsync(_server);
        await using var alicePhone = await ParleyRealtime.ConnectAsync(alice);
        await using var bobPhone = await ParleyRealtime.ConnectAsync(bob);
        var callId = await alicePhone.InviteCallAsync(bob.UserId, "audio");
        await bobPhone.AcceptCallAsync(callId);
        await bob.RemoveFriendAsync(alice.UserId);
        fixture.Clock.Advance(TimeSpan.FromSeconds(7));
        await alicePhone.HangupCallAsync(callId);
        await CallKit.EndedAsync(bobPhone, callId, "hung_up");
        var (message, record) = await CallKit.RecordAsync(bobPhone);
        Assert.Equal(("hung_up", 7000L), (record.EndReason, record.DurationMs));
        Assert.Equal(record, await CallKit.StoredRecordAsync(alice, message.GetProperty("conversationId").GetString()!, callId));
        // No longer friends: no new call.
        await CallKit.RefusedAsync("not_friends", () => alicePhone.InviteCallAsync(bob.UserId, "audio"));
    }

    [Fact]
    public async Task TheCalleeRejects()
    {
        var (alice, bob) = await CallKit.FriendsAsync(_server);
        await using var alicePhone = await ParleyRealtime.ConnectAsync(alice);
        await using var bobPhone = await ParleyRealtime.ConnectAsync(bob);
        await using var bobLaptop = await ParleyRealtime.ConnectAsync(bob);

        var callId = await alicePhone.InviteCallAsync(bob.UserId, "audio");
        await bobLaptop.NextEventAsync("call.incoming");
        // The caller cannot reject her own call, nor accept it.
        await CallKit.RefusedAsync("call_not_found", () => alicePhone.RejectCallAsync(callId));
        await CallKit.RefusedAsync("call_not_found", () => alicePhone.AcceptCallAsync(callId));
        fixture.Clock.Advance(TimeSpan.FromSeconds(5));
        await bobLaptop.RejectCallAsync(callId);

        foreach (var device in new[] { alicePhone, bobPhone, bobLaptop })
            Assert.Equal(0, (await CallKit.EndedAsync(device, callId, "rejected")).DurationMs);
        var (message, record) = await CallKit.RecordAsync(bobPhone);
        Assert.Equal(("audio", alice.UserId, "rejected", 0L), (record.Media, record.InitiatorId, record.EndReason, record.DurationMs));
        Assert.Null(record.StartedAt);
        Assert.False(message.GetProperty("content").TryGetProperty("startedAt", out _));
        await CallKit.RefusedAsync("call_not_found", () => bobPhone.AcceptCallAsync(callId));
        Assert.Equal(record, await CallKit.StoredRecordAsync(alice, message.GetProperty("conversationId").GetString()!, callId));
    }

    [Fact]
    public async Task TheCallerCancelsWhileItRings()
    {
        var (alice, bob) = await CallKit.FriendsAsync(_server);
        await using var alicePhone = await ParleyRealtime.ConnectAsync(alice);
        await using var bobPhone = await ParleyRealtime.ConnectAsync(bob);

        var callId = await alicePhone.InviteCallAsync(bob.UserId, "video");
        await bobPhone.NextEventAsync("call.incoming");
        // No signalling before the callee accepts.
        await CallKit.RefusedAsync("call_not_connected", () => alicePhone.SignalAsync(callId, sdp: new { type = "offer", sdp = "v=0" }));
        await CallKit.RefusedAsync("call_not_found", () => bobPhone.SignalAsync(callId, sdp: new { type = "answer", sdp = "v=0" }));
        await alicePhone.HangupCallAsync(callId);

        await CallKit.EndedAsync(alicePhone, callId, "cancelled");
        await CallKit.EndedAsync(bobPhone, callId, "cancelled");
        var (_, record) = await CallKit.RecordAsync(bobPhone);
        Assert.Equal(("cancelled", 0L), (record.EndReason, record.DurationMs));
        await CallKit.RefusedAsync("call_not_found", () => bobPhone.AcceptCallAsync(callId));

        // Free again: a new call between the two rings.
        var again = await bobPhone.InviteCallAsync(alice.UserId, "audio");
        Assert.Equal(again, (await alicePhone.NextEventAsync<CallIncomingData>("call.incoming")).CallId);
        await bobPhone.HangupCallAsync(again);
        await CallKit.EndedAsync(alicePhone, again, "cancelled");
    }

    [Fact]
    public async Task ACalleeInAnotherCallIsBusyAndTheCallIsStillRecorded()
    {
        var (alice, bob) = await CallKit.FriendsAsync(_server);
        using var carol = await _server.NewUserAsync("carol");
        await TestServer.MakeFriendsAsync(carol, bob);
        await using var alicePhone = await ParleyRealtime.ConnectAsync(alice);
        await using var bobPhone = await ParleyRealtime.ConnectAsync(bob);
        await using var carolPhone = await ParleyRealtime.ConnectAsync(carol);

        var first = await alicePhone.InviteCallAsync(bob.UserId, "audio");
        await bobPhone.NextEventAsync("call.incoming");

        var second = await carolPhone.InviteCallAsync(bob.UserId, "video");
        Assert.NotEqual(first, second);
        Assert.Equal(0, (await CallKit.EndedAsync(carolPhone, second, "busy")).DurationMs);
        var (message, record) = await CallKit.RecordAsync(carolPhone);
        Assert.Equal(("video", carol.UserId, "busy", 0L), (record.Media, record.InitiatorId, record.EndReason, record.DurationMs));

        // Bob's phone never rang for carol: the next call event it gets is about alice's call, and carol's record.
        var bobSaw = await CallKit.UntilAsync(bobPhone, "msg.new");
        Assert.DoesNotContain(bobSaw, f => f.Type.StartsWith("call.", StringComparison.Ordinal));
        Assert.Equal($"call:{second}", bobSaw[^1].Data.GetProperty("clientMsgId").GetString());
        Assert.Equal(record, await CallKit.StoredRecordAsync(bob, message.GetProperty("conversationId").GetString()!, second));

        // Alice's call goes on undisturbed.
        await bobPhone.AcceptCallAsync(first);
        await alicePhone.NextEventAsync("call.accepted");
        await alicePhone.HangupCallAsync(first);
        await CallKit.EndedAsync(bobPhone, first, "hung_up");
    }

    [Fact]
    public async Task ACallerAlreadyInACallGetsBusy()
    {
        var (alice, bob) = await CallKit.FriendsAsync(_server);
        using var carol = await _server.NewUserAsync("carol");
        await TestServer.MakeFriendsAsync(alice, carol);
        await using var alicePhone = await ParleyRealtime.ConnectAsync(alice);
        await using var bobPhone = await ParleyRealtime.ConnectAsync(bob);
        await using var carolPhone = await ParleyRealtime.ConnectAsync(carol);

        var first = await alicePhone.InviteCallAsync(bob.UserId, "audio");
        await bobPhone.AcceptCallAsync(first);
        var second = await alicePhone.InviteCallAsync(carol.UserId, "audio");
        await CallKit.EndedAsync(alicePhone, second, "busy");
        var (_, record) = await CallKit.RecordAsync(carolPhone);
        Assert.Equal(("busy", alice.UserId), (record.EndReason, record.InitiatorId));

        // Nor can alice, in a call, be called by carol; a busy call leaves the live one alone.
        var third = await carolPhone.InviteCallAsync(alice.UserId, "video");
        await CallKit.EndedAsync(carolPhone, third, "busy");
        await bobPhone.HangupCallAsync(first);
        await CallKit.EndedAsync(alicePhone, first, "hung_up");
    }
}
