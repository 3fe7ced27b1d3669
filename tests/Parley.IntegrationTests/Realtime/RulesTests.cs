using System.Net;
using System.Net.WebSockets;
using Parley.Client;
using Parley.IntegrationTests.Infrastructure;

namespace Parley.IntegrationTests.Realtime;

public sealed class RulesTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private readonly TestServer _server = fixture.Server;

    [Fact]
    public async Task ARetryAfterAnUnfriendingStillGetsTheFirstAck()
    {
        using var alice = await _server.NewUserAsync();
        using var bob = await _server.NewUserAsync();
        await TestServer.MakeFriendsAsync(alice, bob);
        var first = await alice.SendMessageAsync(SendTarget.User(bob.UserId), "text", "sent before", clientMsgId: "before-unfriend");
        await bob.RemoveFriendAsync(alice.UserId);

        Assert.Equal(first, await alice.SendMessageAsync(SendTarget.User(bob.UserId), "text", "sent before", clientMsgId: "before-unfriend"));
        await Refused.WithAsync(HttpStatusCode.Forbidden, "not_friends", () => alice.SendMessageAsync(SendTarget.User(bob.UserId), "text", "new one"));
    }

    [Fact]
    public async Task TypingReachesTheOtherSideButNotAcrossABlock()
    {
        using var alice = await _server.NewUserAsync();
        using var bob = await _server.NewUserAsync();
        await TestServer.MakeFriendsAsync(alice, bob);
        var ack = await alice.SendMessageAsync(SendTarget.User(bob.UserId), "text", "hi");
        await using var aliceSocket = await ParleyRealtime.ConnectAsync(alice);
        await using var bobSocket = await ParleyRealtime.ConnectAsync(bob);

        await aliceSocket.SendRawAsync($"{{\"type\":\"typing\",\"data\":{{\"conversationId\":\"{ack.ConversationId}\"}}}}");
        var typing = await bobSocket.NextEventAsync("typing");
        Assert.Equal(alice.UserId, typing.Data.GetProperty("userId").GetString());

        await bob.BlockAsync(alice.UserId);
        await aliceSocket.SendRawAsync($"{{\"type\":\"typing\",\"id\":\"t2\",\"data\":{{\"conversationId\":\"{ack.ConversationId}\"}}}}");
        Assert.Equal("blocked", (await aliceSocket.NextEventAsync("error")).Data.GetProperty("code").GetString());
    }

    [Fact]
    public async Task TheFriendListShowsNoPresenceAcrossABlock()
    {
        using var alice = await _server.NewUserAsync();
        using var bob = await _server.NewUserAsync();
        await TestServer.MakeFriendsAsync(alice, bob);
        await using var bobSocket = await ParleyRealtime.ConnectAsync(bob);
        Assert.True((await alice.GetFriendsAsync()).Single().Online);
        await bob.BlockAsync(alice.UserId);
        Assert.False((await alice.GetFriendsAsync()).Single().Online);
    }

    [Fact]
    public async Task LoggingOutClosesThatSessionsSockets()
    {
        using var alice = await _server.NewUserAsync();
        await using var socket = await ParleyRealtime.ConnectAsync(alice);
        await alice.LogoutAsync();
        await socket.Closed.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(WebSocketCloseStatus.PolicyViolation, socket.CloseStatus);
    }

    [Fact]
    public async Task APathConversationCannotBeRedirectedByTheBody()
    {
        using var alice = await _server.NewUserAsync();
        using var bob = await _server.NewUserAsync();
        await TestServer.MakeFriendsAsync(alice, bob);
        using var carol = await _server.NewUserAsync();
        await TestServer.MakeFriendsAsync(alice, carol);
        var ack = await alice.SendMessageAsync(SendTarget.User(bob.UserId), "text", "hi");
        // A `to` naming another conversation (here: the one with carol) is refused, never followed.
        using var response = await alice.SendRawAsync(HttpMethod.Post, $"api/v1/conversations/{ack.ConversationId}/messages",
            new { to = new { userId = carol.UserId }, clientMsgId = "x1", type = "text", content = "redirect?" });
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);

        using var ok = await alice.SendRawAsync(HttpMethod.Post, $"api/v1/conversations/{ack.ConversationId}/messages",
            new { clientMsgId = "x2", type = "text", content = "by path" });
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        Assert.Equal(2, (await alice.GetMessagesAsync(ack.ConversationId)).Count);
    }

    [Fact]
    public async Task ARegistrationWithAnUnknownSexIsRefused()
    {
        using var client = _server.NewClient();
        using var response = await client.SendRawAsync(HttpMethod.Post, "api/v1/auth/register",
            new { phone = _server.UniquePhone(), password = "s3cret-pass", nickname = "x", sex = 7 }, authenticated: false);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task ARightToPostThatWasJustUsedEndsAtOnceWithABlockOrAnUnfriending()
    {
        using var alice = await _server.NewUserAsync();
        using var bob = await _server.NewUserAsync();
        await TestServer.MakeFriendsAsync(alice, bob);
        await alice.SendMessageAsync(SendTarget.User(bob.UserId), "text", "allowed");
        await bob.BlockAsync(alice.UserId);
        await Refused.WithAsync(HttpStatusCode.Forbidden, "blocked", () => alice.SendMessageAsync(SendTarget.User(bob.UserId), "text", "now refused"));
        await bob.UnblockAsync(alice.UserId);
        await alice.SendMessageAsync(SendTarget.User(bob.UserId), "text", "allowed again");
        await bob.RemoveFriendAsync(alice.UserId);
        await Refused.WithAsync(HttpStatusCode.Forbidden, "not_friends", () => alice.SendMessageAsync(SendTarget.User(bob.UserId), "text", "refused again"));
    }

    [Fact]
    public async Task GroupMutesAndRemovalsApplyToTheVeryNextMessage()
    {
        using var owner = await _server.NewUserAsync();
        using var member = await _server.NewUserAsync();
        await TestServer.MakeFriendsAsync(owner, member);
        var group = await owner.CreateGroupAsync("rules", [member.UserId]);
        await member.SendMessageAsync(SendTarget.Group(group.Id), "text", "allowed");

        await owner.MuteAsync(group.Id, member.UserId, DateTimeOffset.UtcNow.AddMinutes(5));
        await Refused.WithAsync(HttpStatusCode.Forbidden, "muted", () => member.SendMessageAsync(SendTarget.Group(group.Id), "text", "muted"));
        await owner.UnmuteAsync(group.Id, member.UserId);
        await member.SendMessageAsync(SendTarget.Group(group.Id), "text", "unmuted");

        await owner.MuteAsync(group.Id, null, DateTimeOffset.UtcNow.AddMinutes(5));
        await Refused.WithAsync(HttpStatusCode.Forbidden, "group_muted", () => member.SendMessageAsync(SendTarget.Group(group.Id), "text", "all muted"));
        await owner.SendMessageAsync(SendTarget.Group(group.Id), "text", "owners may still post");
        await owner.UnmuteAsync(group.Id, null);

        await owner.RemoveGroupMemberAsync(group.Id, member.UserId);
        await Refused.WithAsync(HttpStatusCode.Forbidden, "not_group_member", () => member.SendMessageAsync(SendTarget.Group(group.Id), "text", "gone"));
    }

    [Fact]
    public async Task MalformedMessageFieldsAreBadRequestsNotServerErrors()
    {
        using var alice = await _server.NewUserAsync();
        using var bob = await _server.NewUserAsync();
        await TestServer.MakeFriendsAsync(alice, bob);
        var bodies = new[]
        {
            $"{{\"to\":{{\"userId\":\"{bob.UserId}\"}},\"clientMsgId\":\"f1\",\"type\":\"file\",\"file\":{{\"name\":\"a\",\"size\":\"5\",\"contentType\":\"x\",\"url\":\"u\"}}}}",
            $"{{\"to\":{{\"userId\":\"{bob.UserId}\"}},\"clientMsgId\":\"f2\",\"type\":\"text\",\"content\":\"\\ud800\"}}",
            $"{{\"to\":{{\"userId\":\"{bob.UserId}\"}},\"clientMsgId\":\"a\\u0000b\",\"type\":\"text\",\"content\":\"hi\"}}",
        };
        foreach (var body in bodies)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "api/v1/messages")
            {
                Content = new StringContent(body, System.Text.Encoding.UTF8, "application/json"),
            };
            request.Headers.Authorization = new("Bearer", alice.AccessToken);
            using var response = await _server.Http.SendAsync(request);
            Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{body} answered {(int)response.StatusCode}");
        }
    }

    [Fact]
    public async Task ASyncSkipsAConversationTheUserMayNoLongerReadAndDeliversTheRest()
    {
        using var owner = await _server.NewUserAsync();
        using var member = await _server.NewUserAsync();
        await TestServer.MakeFriendsAsync(owner, member);
        var group = await owner.CreateGroupAsync("left behind", [member.UserId]);
        await owner.SendMessageAsync(SendTarget.Group(group.Id), "text", "in the group");
        var direct = await owner.SendMessageAsync(SendTarget.User(member.UserId), "text", "direct");
        await owner.RemoveGroupMemberAsync(group.Id, member.UserId);

        await using var socket = await ParleyRealtime.ConnectAsync(member);
        var done = socket.RequestAsync("msg.sync", new { conversations = new Dictionary<string, long> { [group.Id] = 0, [direct.ConversationId] = 0 } });
        var batch = await socket.NextEventAsync("msg.batch");
        var synced = await done;
        Assert.Equal(direct.ConversationId, batch.Data.GetProperty("conversationId").GetString());
        Assert.Equal(group.Id, Assert.Single(synced.Data.GetProperty("refused").EnumerateArray()).GetString());
    }
}
