using System.Net;
using Parley.Client;
using Parley.IntegrationTests.Infrastructure;

namespace Parley.IntegrationTests.ScaleOut;

/// <summary>
/// Two nodes behind one user base (docs/architecture.md, "Scale-out"): whatever node a device is connected to, it
/// gets the events of its user, and presence, seqs and rights are the same on both.
/// </summary>
public sealed class ScaleOutTests
{
    private static async Task<(TwoNodes.User Alice, TwoNodes.User Bob)> FriendsAsync(TwoNodes nodes)
    {
        var alice = await nodes.NewUserAsync("alice");
        var bob = await nodes.NewUserAsync("bob");
        await TestServer.MakeFriendsAsync(alice.OnA, bob.OnA);
        return (alice, bob);
    }

    /// <summary>The next <paramref name="count"/> frames of the given types, in arrival order (other types are skipped).</summary>
    private static async Task<List<ServerFrame>> NextAsync(ParleyRealtime device, int count, params string[] types)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var frames = new List<ServerFrame>();
        while (frames.Count < count)
        {
            var frame = await device.Events.ReadAsync(timeout.Token);
            if (types.Contains(frame.Type)) frames.Add(frame);
        }
        return frames;
    }

    [Fact]
    public async Task AMessageSentOnOneNodeReachesTheFriendAndTheSendersOtherDeviceOnTheOther()
    {
        await using var nodes = await TwoNodes.StartAsync();
        var (alice, bob) = await FriendsAsync(nodes);
        await using var alicePhone = await TwoNodes.ConnectAsync(alice.OnA);
        await using var aliceLaptop = await TwoNodes.ConnectAsync(alice.OnB);
        await using var bobPhone = await TwoNodes.ConnectAsync(bob.OnB);

        var ack = await alicePhone.SendMessageAsync(SendTarget.User(bob.Id), "text", "hello from node A");
        foreach (var device in new[] { bobPhone, aliceLaptop })
        {
            var delivered = await device.NextEventAsync("msg.new");
            Assert.Equal(ack.MessageId, delivered.Data.GetProperty("id").GetString());
            Assert.Equal("hello from node A", delivered.Data.GetProperty("content").GetString());
            Assert.Equal(1, delivered.Data.GetProperty("seq").GetInt64());
        }

        // And back: a message sent on node B reaches node A, and the sending device gets only its ack.
        var reply = await bobPhone.SendMessageAsync(SendTarget.User(alice.Id), "text", "hello from node B");
        Assert.Equal(2, reply.Seq);
        foreach (var device in new[] { alicePhone, aliceLaptop })
        {
            var delivered = await device.NextEventAsync("msg.new");
            Assert.Equal(reply.MessageId, delivered.Data.GetProperty("id").GetString());
        }
        // Nothing else was on its way to the sending devices: their next msg.new is a third message.
        var third = await alice.OnB.SendMessageAsync(SendTarget.User(bob.Id), "text", "third, over HTTP on node B");
        Assert.Equal(third.MessageId, (await alicePhone.NextEventAsync("msg.new")).Data.GetProperty("id").GetString());
        Assert.Equal(third.MessageId, (await bobPhone.NextEventAsync("msg.new")).Data.GetProperty("id").GetString());
    }

    [Fact]
    public async Task FramesFromOneNodeReachADeviceOnTheOtherInPublishOrder()
    {
        // 200 sends in one burst on one socket, right after its ping: 201 frames, one more than the default
        // budget's burst (Gateway:FramesPerSecond 100, bursts to 200). Unless 10 ms pass between the ping and the
        // last send, the last one got rate_limited (as it should) and this test failed before checking any order.
        // The order across nodes is what is tested here, so the budget is out of the way.
        await using var nodes = await TwoNodes.StartAsync(new Dictionary<string, string?> { ["Gateway:FramesPerSecond"] = "100000" });
        var (alice, bob) = await FriendsAsync(nodes);
        await using var alicePhone = await TwoNodes.ConnectAsync(alice.OnA);
        await using var bobPhone = await TwoNodes.ConnectAsync(bob.OnB);

        const int count = 200;
        var sends = Enumerable.Range(1, count).Select(i => alicePhone.SendMessageAsync(SendTarget.User(bob.Id), "text", $"m{i}")).ToList();
        await Task.WhenAll(sends);
        var seen = new List<long>();
        for (var i = 0; i < count; i++) seen.Add((await bobPhone.NextEventAsync("msg.new")).Data.GetProperty("seq").GetInt64());
        Assert.Equal(Enumerable.Range(1, count).Select(i => (long)i), seen);
    }

    [Fact]
    public async Task GroupMessagesFanOutToMembersOnBothNodes()
    {
        await using var nodes = await TwoNodes.StartAsync();
        var owner = await nodes.NewUserAsync("owner");
        var onB = await nodes.NewUserAsync("member on B");
        var onA = await nodes.NewUserAsync("member on A");
        await TestServer.MakeFriendsAsync(owner.OnA, onB.OnA);
        await TestServer.MakeFriendsAsync(owner.OnA, onA.OnA);
        await using var ownerDevice = await TwoNodes.ConnectAsync(owner.OnA);
        await using var bDevice = await TwoNodes.ConnectAsync(onB.OnB);
        await using var aDevice = await TwoNodes.ConnectAsync(onA.OnA);

        // Created on node B: group.* events reach the owner and the member on node A too.
        var group = await owner.OnB.CreateGroupAsync("across", [onB.Id, onA.Id]);
        // The event and the group's system message (seq 1, committed on node B) travel separately.
        foreach (var device in new[] { ownerDevice, bDevice, aDevice })
        {
            var frames = await NextAsync(device, 2, "group.member.joined", "msg.new");
            Assert.Equal(group.Id, frames.Single(f => f.Type == "group.member.joined").Data.GetProperty("groupId").GetString());
            Assert.Equal(1, frames.Single(f => f.Type == "msg.new").Data.GetProperty("seq").GetInt64());
        }

        var first = await ownerDevice.SendMessageAsync(SendTarget.Group(group.Id), "text", "to everyone");
        Assert.Equal(2, first.Seq);
        foreach (var device in new[] { bDevice, aDevice })
            Assert.Equal(first.MessageId, (await device.NextEventAsync("msg.new")).Data.GetProperty("id").GetString());

        var second = await bDevice.SendMessageAsync(SendTarget.Group(group.Id), "text", "from node B");
        foreach (var device in new[] { ownerDevice, aDevice })
            Assert.Equal(second.MessageId, (await device.NextEventAsync("msg.new")).Data.GetProperty("id").GetString());
    }

    [Fact]
    public async Task PresenceAndOnlineFlagsSpanBothNodes()
    {
        await using var nodes = await TwoNodes.StartAsync();
        var (alice, bob) = await FriendsAsync(nodes);
        var conversation = (await alice.OnA.SendMessageAsync(SendTarget.User(bob.Id), "text", "hi")).ConversationId;
        await using var aliceDevice = await TwoNodes.ConnectAsync(alice.OnA);

        Assert.False(Assert.Single(await alice.OnA.GetFriendsAsync()).Online);

        var bobOnB = await TwoNodes.ConnectAsync(bob.OnB);
        var online = await aliceDevice.NextEventAsync("presence");
        Assert.Equal(bob.Id, online.Data.GetProperty("userId").GetString());
        Assert.True(online.Data.GetProperty("online").GetBoolean());
        // The flags come from the shared presence, on either node.
        Assert.True(Assert.Single(await alice.OnA.GetFriendsAsync()).Online);
        Assert.True((await alice.OnA.GetConversationAsync(conversation)).Online);
        Assert.True(Assert.Single((await alice.OnA.ListConversationsAsync()).Conversations).Online);
        Assert.True(Assert.Single(await bob.OnA.GetFriendsAsync()).Online);

        // A second device on the other node does not announce again; the user stays online until the last leaves.
        var bobOnA = await TwoNodes.ConnectAsync(bob.OnA);
        await bobOnB.DisposeAsync();
        await bobOnA.DisposeAsync();
        var offline = await aliceDevice.NextEventAsync("presence");
        Assert.Equal(bob.Id, offline.Data.GetProperty("userId").GetString());
        Assert.False(offline.Data.GetProperty("online").GetBoolean());
        Assert.False(Assert.Single(await alice.OnB.GetFriendsAsync()).Online);
        Assert.False((await alice.OnB.GetConversationAsync(conversation)).Online);
    }

    [Fact]
    public async Task UsersOfANodeThatDiesWithoutGoodbyeGoOfflineWhenItsHeartbeatExpires()
    {
        await using var nodes = await TwoNodes.StartAsync();
        var (alice, bob) = await FriendsAsync(nodes);
        await using var aliceDevice = await TwoNodes.ConnectAsync(alice.OnA);
        await using var bobDevice = await TwoNodes.ConnectAsync(bob.OnB);
        Assert.True((await aliceDevice.NextEventAsync("presence")).Data.GetProperty("online").GetBoolean());

        var stopped = System.Diagnostics.Stopwatch.StartNew();
        await nodes.StopBAsync(goodbye: false);
        var offline = await aliceDevice.NextEventAsync("presence", TimeSpan.FromSeconds(15));
        Assert.Equal(bob.Id, offline.Data.GetProperty("userId").GetString());
        Assert.False(offline.Data.GetProperty("online").GetBoolean());
        Assert.False(Assert.Single(await alice.OnA.GetFriendsAsync()).Online);
        // Reaped on expiry (2 s here), not at once: node B never said goodbye.
        Assert.True(stopped.Elapsed >= TwoNodes.NodeTtl - TimeSpan.FromMilliseconds(500), $"offline after {stopped.Elapsed}");
    }

    [Fact]
    public async Task ReadReceiptsAndTypingCrossNodes()
    {
        await using var nodes = await TwoNodes.StartAsync();
        var (alice, bob) = await FriendsAsync(nodes);
        await using var aliceDevice = await TwoNodes.ConnectAsync(alice.OnA);
        await using var bobDevice = await TwoNodes.ConnectAsync(bob.OnB);
        await using var bobOtherDevice = await TwoNodes.ConnectAsync(bob.OnA);

        var ack = await aliceDevice.SendMessageAsync(SendTarget.User(bob.Id), "text", "read me");
        await bobDevice.NextEventAsync("msg.new");
        Assert.Equal(1, await bobDevice.MarkReadAsync(ack.ConversationId, ack.Seq));
        foreach (var device in new[] { aliceDevice, bobOtherDevice })
        {
            var read = await device.NextEventAsync("msg.read");
            Assert.Equal(ack.ConversationId, read.Data.GetProperty("conversationId").GetString());
            Assert.Equal(bob.Id, read.Data.GetProperty("userId").GetString());
            Assert.Equal(1, read.Data.GetProperty("seq").GetInt64());
        }

        await bobDevice.RequestAsync("typing", new { conversationId = ack.ConversationId }, TimeSpan.FromMilliseconds(1)).ContinueWith(_ => { });
        var typing = await aliceDevice.NextEventAsync("typing");
        Assert.Equal(ack.ConversationId, typing.Data.GetProperty("conversationId").GetString());
        Assert.Equal(bob.Id, typing.Data.GetProperty("userId").GetString());
    }

    [Fact]
    public async Task ConcurrentSendsFromBothNodesToOneConversationGetGaplessSeqs()
    {
        await using var nodes = await TwoNodes.StartAsync();
        var (alice, bob) = await FriendsAsync(nodes);
        await using var aliceDevice = await TwoNodes.ConnectAsync(alice.OnA);
        await using var bobDevice = await TwoNodes.ConnectAsync(bob.OnB);

        const int each = 40;
        var fromA = Enumerable.Range(0, each).Select(i => aliceDevice.SendMessageAsync(SendTarget.User(bob.Id), "text", $"a{i}"));
        var fromB = Enumerable.Range(0, each).Select(i => bobDevice.SendMessageAsync(SendTarget.User(alice.Id), "text", $"b{i}"));
        var fromHttp = Enumerable.Range(0, each).Select(i => (i % 2 == 0 ? alice.OnB : bob.OnA).SendMessageAsync(
            SendTarget.User(i % 2 == 0 ? bob.Id : alice.Id), "text", $"h{i}"));
        var acks = await Task.WhenAll(fromA.Concat(fromB).Concat(fromHttp));

        Assert.Equal(Enumerable.Range(1, 3 * each).Select(i => (long)i), acks.Select(a => a.Seq).Order());
        var stored = new List<MessageView>();
        long? before = null;
        while (true)
        {
            var page = await alice.OnA.GetMessagesAsync(acks[0].ConversationId, beforeSeq: before, limit: 100);
            if (page.Count == 0) break;
            stored.AddRange(page);
            before = page.Min(m => m.Seq);
        }
        Assert.Equal(Enumerable.Range(1, 3 * each).Select(i => (long)i), stored.Select(m => m.Seq).Order());
    }

    [Fact]
    public async Task TheSameClientMsgIdSentToBothNodesAtOnceIsStoredOnce()
    {
        await using var nodes = await TwoNodes.StartAsync();
        var (alice, bob) = await FriendsAsync(nodes);
        await using var onA = await TwoNodes.ConnectAsync(alice.OnA);
        await using var onB = await TwoNodes.ConnectAsync(alice.OnB);

        for (var round = 0; round < 20; round++)
        {
            var id = $"twice-{round}";
            var acks = await Task.WhenAll(
                onA.SendMessageAsync(SendTarget.User(bob.Id), "text", "once", clientMsgId: id),
                onB.SendMessageAsync(SendTarget.User(bob.Id), "text", "once", clientMsgId: id));
            Assert.Equal(acks[0], acks[1]);
        }
        var stored = await bob.OnB.GetMessagesAsync((await onA.SendMessageAsync(SendTarget.User(bob.Id), "text", "last")).ConversationId, limit: 100);
        Assert.Equal(Enumerable.Range(1, 21).Select(i => (long)i), stored.Select(m => m.Seq).Order());
    }

    [Fact]
    public async Task SocialChangesOnOneNodeTakeEffectOnTheOtherAtOnce()
    {
        await using var nodes = await TwoNodes.StartAsync();
        var alice = await nodes.NewUserAsync("alice");
        var bob = await nodes.NewUserAsync("bob");
        await using var bobDevice = await TwoNodes.ConnectAsync(bob.OnB);

        // Several rounds, each one a chance for the event to overtake the change (it never may).
        for (var round = 0; round < 3; round++)
        {
            // friend.* events cross nodes.
            var request = await alice.OnA.SendFriendRequestAsync(bob.Id, "hi");
            Assert.Equal(request.Id, (await bobDevice.NextEventAsync("friend.request")).Data.GetProperty("request").GetProperty("id").GetString());
            await bob.OnA.AcceptFriendRequestAsync(request.Id);
            Assert.Equal(alice.Id, (await bobDevice.NextEventAsync("friend.added")).Data.GetProperty("friend").GetProperty("userId").GetString());

            // Node B checks (and caches) that bob may message alice; the unfriending happens on node A.
            await bobDevice.SendMessageAsync(SendTarget.User(alice.Id), "text", $"friends, round {round}");
            await alice.OnA.RemoveFriendAsync(bob.Id);
            Assert.Equal(alice.Id, (await bobDevice.NextEventAsync("friend.removed")).Data.GetProperty("userId").GetString());
            // Node A published the change before the event, in one ordered stream: node B applied it (voiding its
            // cached right) before it delivered the event, so the very next send is refused; no waiting involved.
            var refusal = await Assert.ThrowsAsync<ParleyRealtimeException>(
                () => bobDevice.SendMessageAsync(SendTarget.User(alice.Id), "text", "still friends?"));
            Assert.Equal("not_friends", refusal.Code);
        }
    }

    [Fact]
    public async Task AMemberRemovedOnOneNodeCannotPostOnTheOtherOnceTheyHearOfIt()
    {
        await using var nodes = await TwoNodes.StartAsync();
        var (alice, bob) = await FriendsAsync(nodes);
        await using var bobDevice = await TwoNodes.ConnectAsync(bob.OnB);
        var group = await alice.OnA.CreateGroupAsync("team", [bob.Id]);

        // Node B checks (and caches) bob's membership; alice removes him on node A.
        await bobDevice.SendMessageAsync(SendTarget.Group(group.Id), "text", "hello team");
        await alice.OnA.RemoveGroupMemberAsync(group.Id, bob.Id);
        Assert.Equal(bob.Id, (await bobDevice.NextEventAsync("group.member.left")).Data.GetProperty("userId").GetString());
        var refusal = await Assert.ThrowsAsync<ParleyRealtimeException>(
            () => bobDevice.SendMessageAsync(SendTarget.Group(group.Id), "text", "still here?"));
        Assert.Equal("not_group_member", refusal.Code);
    }

    [Fact]
    public async Task ASessionRevokedOnOneNodeIsRefusedAndItsSocketClosedOnTheOther()
    {
        await using var nodes = await TwoNodes.StartAsync();
        var alice = await nodes.NewUserAsync("alice");
        // One session, two nodes: its HTTP goes to node B, its socket to node A.
        using var session = new ParleyClient(new HttpClient(new ToNode(nodes.B.BaseAddress) { InnerHandler = new HttpClientHandler() })
        {
            BaseAddress = nodes.A.BaseAddress,
        });
        var phone = (await alice.OnA.GetMeAsync()).Phone!;
        await session.LoginAsync(phone, "correct horse 1");
        await using var device = await TwoNodes.ConnectAsync(session);
        // Node A has checked the session (and cached the answer) before the logout on node B.
        using (var check = new HttpRequestMessage(HttpMethod.Get, "api/v1/users/me"))
        {
            check.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", session.AccessToken);
            Assert.Equal(HttpStatusCode.OK, (await nodes.A.Http.SendAsync(check)).StatusCode);
        }

        await session.LogoutAsync();
        await device.Closed.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(System.Net.WebSockets.WebSocketCloseStatus.PolicyViolation, device.CloseStatus);
        using var again = new HttpRequestMessage(HttpMethod.Get, "api/v1/users/me");
        again.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", session.AccessToken);
        Assert.Equal(HttpStatusCode.Unauthorized, (await nodes.A.Http.SendAsync(again)).StatusCode);
    }

    /// <summary>Sends every HTTP request to another node than the client's base address (which its socket uses).</summary>
    private sealed class ToNode(Uri node) : DelegatingHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            request.RequestUri = new UriBuilder(request.RequestUri!) { Host = node.Host, Port = node.Port }.Uri;
            return base.SendAsync(request, cancellationToken);
        }
    }

    [Fact]
    public async Task RedisWithSqliteIsRefusedAtStart()
    {
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => TestServer.StartAsync(new Dictionary<string, string?>
        {
            ["ConnectionStrings:Redis"] = TwoNodes.Redis,
            ["Database:Provider"] = "sqlite",
            ["ConnectionStrings:Database"] = $"Data Source={Path.Combine(Path.GetTempPath(), $"parley-refused-{Guid.NewGuid():N}.db")}",
        }));
        Assert.Contains("Database:Provider", error.Message, StringComparison.Ordinal);
        Assert.Contains("postgres", error.Message, StringComparison.Ordinal);
    }
}
