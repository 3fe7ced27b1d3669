using System.Net;
using System.Text.Json;
using Parley.IntegrationTests.Contract;
using Parley.IntegrationTests.Infrastructure;

namespace Parley.IntegrationTests.Security;

/// <summary>
/// Strings from outside are checked once, at the edge (Http/InputText.cs): NUL and text that is no valid Unicode never
/// reach a handler or the database, in query strings, JSON bodies and socket frames alike. On PostgreSQL a NUL in a
/// search used to be a 500.
/// </summary>
public sealed class InputAtTheEdgeTests : IAsyncLifetime
{
    private TestServer Server { get; set; } = null!;

    public async Task InitializeAsync() => Server = await TestServer.StartAsync();

    public async Task DisposeAsync() => await Server.DisposeAsync();

    [Theory]
    [InlineData("api/v1/users?query=%00ali")]
    [InlineData("api/v1/users?query=ali%00ce")]
    [InlineData("api/v1/users?ids=1%00")]
    [InlineData("api/v1/messages/search?q=a%00b")]
    public async Task ANulInTheQueryIsRefusedAsBadInput(string path)
    {
        var alice = await Server.UserAsync("alice");
        var reply = await Server.GetAsync(alice, path);
        reply.Problem(HttpStatusCode.BadRequest, "validation_failed");
    }

    [Fact]
    public async Task TextThatIsNoUnicodeOrHoldsNulIsRefusedInABody()
    {
        var alice = await Server.UserAsync("alice");
        // Written by hand: a serializer would refuse to write a lone surrogate. A body that is no valid text is bad JSON (docs/errors.md).
        (await Server.CallAsync(alice, HttpMethod.Patch, "api/v1/users/me", "{\"nickname\":\"Al\\ud800ice\"}")).Problem(HttpStatusCode.BadRequest, "invalid_json");
        (await Server.CallAsync(alice, HttpMethod.Patch, "api/v1/users/me", "{\"nickname\":\"Al\\u0000ice\"}")).Problem(HttpStatusCode.BadRequest, "invalid_json");
        (await Server.CallAsync(null, HttpMethod.Post, "api/v1/auth/login", "{\"login\":\"\\udc00\",\"password\":\"x\"}")).Problem(HttpStatusCode.BadRequest, "invalid_json");
    }

    [Fact]
    public async Task TextThatIsNoUnicodeOrHoldsNulIsRefusedInAFrame()
    {
        var alice = await Server.UserAsync("alice");
        await using var socket = await RawSocket.ConnectAsync(Server, alice);
        foreach (var (id, frame) in new[]
        {
            ("s1", "{\"type\":\"msg.read\",\"id\":\"s1\",\"data\":{\"conversationId\":\"\\ud800\",\"seq\":1}}"),
            ("s2", "{\"type\":\"typing\",\"id\":\"s2\",\"data\":{\"conversationId\":\"12\\u00003\"}}"),
            ("s4", "{\"type\":\"call.accept\",\"id\":\"s4\",\"data\":{\"callId\":\"\\ud800\"}}"),
            ("s5", "{\"type\":\"call.signal\",\"id\":\"s5\",\"data\":{\"callId\":\"1\\udc00\",\"sdp\":{}}}"),
            ("s3", "{\"type\":\"msg.send\",\"id\":\"s3\",\"data\":{\"to\":{\"userId\":\"\\udfff\"},\"clientMsgId\":\"c1\",\"type\":\"text\",\"content\":\"hi\"}}"),
        })
        {
            await socket.SendTextAsync(frame);
            var answer = await socket.WaitAsync(f => RawSocket.Id(f) == id);
            Assert.Equal("error", RawSocket.Type(answer));
            Assert.Equal("validation_failed", RawSocket.Data(answer).GetProperty("code").GetString());
        }
    }

    [Fact]
    public async Task NamesPeopleShowEachOtherLoseTheirBidirectionalControls()
    {
        var (alice, bob) = await Server.FriendsAsync();
        var spoof = "Eve\u202Egnp.exe";
        var me = await Server.PatchAsync(alice, "api/v1/users/me", new { nickname = spoof });
        Assert.Equal("Evegnp.exe", me.Json.GetProperty("nickname").GetString());

        var group = await Server.PostAsync(alice, "api/v1/groups", new { name = "\u2067Admins\u2069 only\u200F", memberIds = new[] { bob.Id } });
        Assert.Equal("Admins only", group.Json.GetProperty("name").GetString());

        var remark = await Server.PatchAsync(bob, $"api/v1/friends/{alice.Id}", new { remark = "\u202Dboss\u202C" });
        Assert.Equal("boss", remark.Json.GetProperty("remark").GetString());

        // Joiners stay: a family emoji is one picture only with them.
        var family = await Server.PatchAsync(alice, "api/v1/users/me", new { nickname = "Ann \U0001F468\u200D\U0001F469\u200D\U0001F467" });
        Assert.Equal("Ann \U0001F468\u200D\U0001F469\u200D\U0001F467", family.Json.GetProperty("nickname").GetString());
    }
}
