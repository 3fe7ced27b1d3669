using System.Text.Json;
using Parley.IntegrationTests.Calls;
using Parley.IntegrationTests.Infrastructure;
using static Parley.IntegrationTests.Contract.ContractKit;

namespace Parley.IntegrationTests.Contract;

/// <summary>API.md, "Calls": the call.* frames and events and the stored <c>call</c> message, with raw sockets (the call clock is fake).</summary>
public sealed class CallsContractTests(CallsFixture fixture) : IClassFixture<CallsFixture>
{
    private readonly TestServer _server = fixture.Server;

    private static string? Str(JsonElement data, string property) => data.GetProperty(property).GetString();

    [Fact]
    public async Task AnAnsweredCallRingsConnectsRelaysSignalsEndsHungUpAndIsStoredAsACallMessage()
    {
        var (alice, bob) = await _server.FriendsAsync();
        await using var alicePhone = await RawSocket.ConnectAsync(_server, alice);
        await using var aliceLaptop = await RawSocket.ConnectAsync(_server, alice);
        await using var bobPhone = await RawSocket.ConnectAsync(_server, bob);
        await using var bobLaptop = await RawSocket.ConnectAsync(_server, bob, inQuery: false);

        var invited = await alicePhone.RequestAsync("call.invite", new { to = new { userId = bob.Id }, media = "video" });
        Assert.Equal("ok", RawSocket.Type(invited));
        var callId = AssertString(RawSocket.Data(invited), "callId");
        AssertId(RawSocket.Data(invited), "callId");

        var ringing = RawSocket.Data(await alicePhone.WaitAsync("call.ringing"));
        Assert.Equal(["callId", "media", "peerId"], ringing.EnumerateObject().Select(p => p.Name).Order());
        AssertString(ringing, "callId", callId);
        AssertId(ringing, "peerId", bob.Id);
        AssertString(ringing, "media", "video");
        Assert.Equal(ringing.GetRawText(), RawSocket.Data(await aliceLaptop.WaitAsync("call.ringing")).GetRawText());
        foreach (var device in new[] { bobPhone, bobLaptop })
        {
            var incoming = RawSocket.Data(await device.WaitAsync("call.incoming"));
            Assert.Equal(["callId", "from", "media"], incoming.EnumerateObject().Select(p => p.Name).Order());
            AssertString(incoming, "callId", callId);
            AssertId(incoming, "from", alice.Id);
            AssertString(incoming, "media", "video");
        }

        fixture.Clock.Advance(TimeSpan.FromSeconds(3));
        Assert.Equal("ok", RawSocket.Type(await bobPhone.RequestAsync("call.accept", new { callId })));
        foreach (var device in new[] { alicePhone, aliceLaptop, bobPhone, bobLaptop })
        {
            var accepted = RawSocket.Data(await device.WaitAsync("call.accepted"));
            AssertString(accepted, "callId", callId);
        }

        Assert.Equal("ok", RawSocket.Type(await alicePhone.RequestAsync("call.signal", new { callId, sdp = new { type = "offer", sdp = "v=0" } })));
        var offer = RawSocket.Data(await bobPhone.WaitAsync("call.signal"));
        AssertString(offer, "callId", callId);
        Assert.Equal("offer", offer.GetProperty("sdp").GetProperty("type").GetString());
        Assert.Equal("ok", RawSocket.Type(await bobPhone.RequestAsync("call.signal", new { callId, candidate = "candidate:1 1 udp 1 127.0.0.1 9 typ host" })));
        var candidate = RawSocket.Data(await alicePhone.WaitAsync("call.signal"));
        AssertString(candidate, "callId", callId);
        AssertString(candidate, "candidate", "candidate:1 1 udp 1 127.0.0.1 9 typ host");
        // Only the active devices take part.
        Assert.DoesNotContain(await bobLaptop.SoFarAsync(), f => RawSocket.Type(f) == "call.signal");

        fixture.Clock.Advance(TimeSpan.FromSeconds(65));
        Assert.Equal("ok", RawSocket.Type(await bobPhone.RequestAsync("call.hangup", new { callId })));
        foreach (var device in new[] { alicePhone, aliceLaptop, bobPhone, bobLaptop })
        {
            var ended = RawSocket.Data(await device.WaitAsync("call.ended"));
            Assert.Equal(["callId", "durationMs", "endReason"], ended.EnumerateObject().Select(p => p.Name).Order());
            AssertString(ended, "callId", callId);
            AssertString(ended, "endReason", "hung_up");
            Assert.Equal(65_000, AssertNumber(ended, "durationMs"));
        }

        var record = RawSocket.Data(await bobPhone.WaitAsync("msg.new", m => m.GetProperty("type").GetString() == "call"));
        AssertMessage(record, senderId: alice.Id, type: "call");
        var content = Prop(record, "content");
        Assert.Equal(["durationMs", "endReason", "endedAt", "initiatorId", "media", "startedAt"], content.EnumerateObject().Select(p => p.Name).Order());
        AssertString(content, "media", "video");
        AssertId(content, "initiatorId", alice.Id);
        var startedAt = AssertTimestamp(content, "startedAt");
        var endedAt = AssertTimestamp(content, "endedAt");
        Assert.Equal(TimeSpan.FromSeconds(65), endedAt - startedAt);
        Assert.Equal(65_000, AssertNumber(content, "durationMs"));
        AssertString(content, "endReason", "hung_up");

        // The same message is in the history, for both.
        var conversation = Str(record, "conversationId")!;
        var stored = (await _server.GetAsync(alice, $"api/v1/conversations/{conversation}/messages?limit=1")).Ok().EnumerateArray().Single();
        Assert.Equal(record.GetRawText(), stored.GetRawText());
        // A call record cannot be recalled.
        (await _server.PostAsync(alice, $"api/v1/conversations/{conversation}/messages/{Str(record, "id")}/recall", null))
            .Problem(System.Net.HttpStatusCode.BadRequest, "message_not_recallable");
    }

    [Theory]
    [InlineData("rejected")]
    [InlineData("cancelled")]
    [InlineData("no_answer")]
    public async Task ACallThatIsNeverAnsweredEndsWithItsReasonAZeroDurationAndNoStartedAt(string reason)
    {
        var (alice, bob) = await _server.FriendsAsync();
        await using var alicePhone = await RawSocket.ConnectAsync(_server, alice);
        await using var bobPhone = await RawSocket.ConnectAsync(_server, bob);
        var callId = Str(RawSocket.Data(await alicePhone.RequestAsync("call.invite", new { to = new { userId = bob.Id }, media = "audio" })), "callId");
        await bobPhone.WaitAsync("call.incoming");

        switch (reason)
        {
            case "rejected":
                Assert.Equal("ok", RawSocket.Type(await bobPhone.RequestAsync("call.reject", new { callId })));
                break;
            case "cancelled":
                Assert.Equal("ok", RawSocket.Type(await alicePhone.RequestAsync("call.hangup", new { callId })));
                break;
            default:
                fixture.Clock.Advance(CallsFixture.RingTimeout);
                break;
        }

        foreach (var device in new[] { alicePhone, bobPhone })
        {
            var ended = RawSocket.Data(await device.WaitAsync("call.ended"));
            AssertString(ended, "callId", callId);
            AssertString(ended, "endReason", reason);
            Assert.Equal(0, AssertNumber(ended, "durationMs"));
        }
        var content = Prop(RawSocket.Data(await alicePhone.WaitAsync("msg.new", m => m.GetProperty("type").GetString() == "call")), "content");
        AssertString(content, "media", "audio");
        AssertString(content, "endReason", reason);
        Assert.Equal(0, AssertNumber(content, "durationMs"));
        AssertTimestamp(content, "endedAt");
        Assert.True(Absent(content, "startedAt"));
    }

    [Fact]
    public async Task AnInviteToSomeoneInACallEndsBusyAndOnlyFriendsCanCall()
    {
        var (alice, bob) = await _server.FriendsAsync();
        var carol = await _server.UserAsync("carol");
        await TestServer.MakeFriendsAsync(carol.Sdk, bob.Sdk);
        await using var alicePhone = await RawSocket.ConnectAsync(_server, alice);
        await using var bobPhone = await RawSocket.ConnectAsync(_server, bob);
        await using var carolPhone = await RawSocket.ConnectAsync(_server, carol);

        var first = Str(RawSocket.Data(await alicePhone.RequestAsync("call.invite", new { to = new { userId = bob.Id }, media = "audio" })), "callId");
        await bobPhone.RequestAsync("call.accept", new { callId = first });

        var busyInvite = await carolPhone.RequestAsync("call.invite", new { to = new { userId = bob.Id }, media = "video" });
        Assert.Equal("ok", RawSocket.Type(busyInvite));
        var busyCall = Str(RawSocket.Data(busyInvite), "callId");
        var busy = RawSocket.Data(await carolPhone.WaitAsync("call.ended", d => Str(d, "callId") == busyCall));
        AssertString(busy, "endReason", "busy");
        Assert.Equal(0, AssertNumber(busy, "durationMs"));
        var busyRecord = Prop(RawSocket.Data(await carolPhone.WaitAsync("msg.new", m => m.GetProperty("type").GetString() == "call")), "content");
        AssertString(busyRecord, "endReason", "busy");
        AssertId(busyRecord, "initiatorId", carol.Id);

        var stranger = await _server.UserAsync("stranger");
        await using var strangerPhone = await RawSocket.ConnectAsync(_server, stranger);
        var refused = await strangerPhone.RequestAsync("call.invite", new { to = new { userId = alice.Id }, media = "audio" });
        Assert.Equal("error", RawSocket.Type(refused));
        AssertString(RawSocket.Data(refused), "code", "not_friends");
        var badMedia = await carolPhone.RequestAsync("call.invite", new { to = new { userId = bob.Id }, media = "hologram" });
        AssertString(RawSocket.Data(badMedia), "code", "validation_failed");
        var notYours = await strangerPhone.RequestAsync("call.hangup", new { callId = first });
        AssertString(RawSocket.Data(notYours), "code", "call_not_found");

        await alicePhone.RequestAsync("call.hangup", new { callId = first });
        AssertString(RawSocket.Data(await bobPhone.WaitAsync("call.ended", d => Str(d, "callId") == first)), "endReason", "hung_up");
    }

    [Fact]
    public async Task AConnectedCallWhosePartyLeavesAndDoesNotComeBackEndsDropped()
    {
        var (alice, bob) = await _server.FriendsAsync();
        var alicePhone = await RawSocket.ConnectAsync(_server, alice);
        await using var bobPhone = await RawSocket.ConnectAsync(_server, bob);
        var callId = Str(RawSocket.Data(await alicePhone.RequestAsync("call.invite", new { to = new { userId = bob.Id }, media = "audio" })), "callId");
        await bobPhone.RequestAsync("call.accept", new { callId });
        fixture.Clock.Advance(TimeSpan.FromSeconds(20));

        await alicePhone.DisposeAsync();
        // The server has seen her go once her friends are told she is offline.
        await bobPhone.WaitAsync("presence", p => Str(p, "userId") == alice.Id && !p.GetProperty("online").GetBoolean());
        fixture.Clock.Advance(CallsFixture.ReconnectGrace);

        var ended = RawSocket.Data(await bobPhone.WaitAsync("call.ended"));
        AssertString(ended, "callId", callId);
        AssertString(ended, "endReason", "dropped");
        Assert.True(AssertNumber(ended, "durationMs") >= 20_000);
        var content = Prop(RawSocket.Data(await bobPhone.WaitAsync("msg.new", m => m.GetProperty("type").GetString() == "call")), "content");
        AssertString(content, "endReason", "dropped");
        AssertTimestamp(content, "startedAt");
    }

    [Fact]
    public async Task TheAnswerToAnInviteARejectOrAHangupComesBeforeTheCallEventsItCaused()
    {
        var (alice, bob) = await _server.FriendsAsync();
        var carol = await _server.UserAsync("carol");
        await TestServer.MakeFriendsAsync(carol.Sdk, bob.Sdk);
        await using var alicePhone = await RawSocket.ConnectAsync(_server, alice);
        await using var bobPhone = await RawSocket.ConnectAsync(_server, bob);
        await using var carolPhone = await RawSocket.ConnectAsync(_server, carol);

        // API.md: "ok {callId}, then call.* events".
        var invited = await alicePhone.RequestAsync("call.invite", new { to = new { userId = bob.Id }, media = "audio" });
        var callId = Str(RawSocket.Data(invited), "callId");
        await alicePhone.WaitAsync("call.ringing", d => Str(d, "callId") == callId);
        AssertBefore(await alicePhone.SoFarAsync(), RawSocket.Id(invited)!, "call.ringing", callId);

        // A busy invite: its ok (with the id) before its end, or the caller could not tell which call ended.
        var busyInvite = await carolPhone.RequestAsync("call.invite", new { to = new { userId = bob.Id }, media = "audio" });
        var busyCall = Str(RawSocket.Data(busyInvite), "callId");
        await carolPhone.WaitAsync("call.ended", d => Str(d, "callId") == busyCall);
        AssertBefore(await carolPhone.SoFarAsync(), RawSocket.Id(busyInvite)!, "call.ended", busyCall);

        var rejected = await bobPhone.RequestAsync("call.reject", new { callId });
        Assert.Equal("ok", RawSocket.Type(rejected));
        await bobPhone.WaitAsync("call.ended", d => Str(d, "callId") == callId);
        AssertBefore(await bobPhone.SoFarAsync(), RawSocket.Id(rejected)!, "call.ended", callId);

        var second = Str(RawSocket.Data(await alicePhone.RequestAsync("call.invite", new { to = new { userId = bob.Id }, media = "audio" })), "callId");
        var hungUp = await alicePhone.RequestAsync("call.hangup", new { callId = second });
        Assert.Equal("ok", RawSocket.Type(hungUp));
        await alicePhone.WaitAsync("call.ended", d => Str(d, "callId") == second);
        AssertBefore(await alicePhone.SoFarAsync(), RawSocket.Id(hungUp)!, "call.ended", second);
    }

    private static void AssertBefore(List<JsonElement> frames, string answerId, string eventType, string? callId)
    {
        var answer = frames.FindIndex(f => RawSocket.Id(f) == answerId);
        var @event = frames.FindIndex(f => RawSocket.Type(f) == eventType && Str(RawSocket.Data(f), "callId") == callId);
        Assert.True(answer >= 0 && @event > answer, $"The answer (at {answer}) comes before {eventType} (at {@event}).");
    }

    [Fact]
    public async Task IceServersAreServedToSignedInUsers()
    {
        var alice = await _server.UserAsync("alice");
        var servers = (await _server.GetAsync(alice, "api/v1/calls/ice-servers")).Ok();
        Assert.Equal(JsonValueKind.Array, Prop(servers, "iceServers").ValueKind);
    }
}
