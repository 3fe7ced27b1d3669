using System.Net;
using Parley.Client;
using Parley.IntegrationTests.Infrastructure;

namespace Parley.IntegrationTests.Contacts;

public sealed class FriendRequestTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private readonly TestServer _server = fixture.Server;

    [Fact]
    public async Task ARequestIsCreatedPendingWithItsMessage()
    {
        using var alice = await _server.NewUserAsync("alice");
        using var bob = await _server.NewUserAsync("bob");
        var before = DateTimeOffset.UtcNow.AddSeconds(-5);

        var answer = await RawAnswer.AskAsync(alice, bob.UserId, "  hi Bob, it's Alice  ");

        Assert.Equal(HttpStatusCode.Created, answer.Status);
        var request = answer.As<FriendRequestView>();
        Assert.Equal(alice.UserId, request.FromUserId);
        Assert.Equal(bob.UserId, request.ToUserId);
        Assert.Equal("hi Bob, it's Alice", request.Message);
        Assert.Equal(RequestStatus.Pending, request.Status);
        Assert.Null(request.HandledAt);
        Assert.InRange(request.CreatedAt, before, DateTimeOffset.UtcNow.AddSeconds(5));
        Assert.Equal(alice.UserId, request.From.Id);
        Assert.Equal("alice", request.From.Nickname);
        Assert.Equal(bob.UserId, request.To.Id);
        Assert.Equal("bob", request.To.Nickname);
        Assert.False(request.To.IsFriend);
        Assert.Null(request.To.Phone);
        Assert.Matches("^[0-9]+$", request.Id);
    }

    [Fact]
    public async Task ARequestWithoutAMessageHasNone()
    {
        using var alice = await _server.NewUserAsync();
        using var bob = await _server.NewUserAsync();
        Assert.Null((await alice.SendFriendRequestAsync(bob.UserId)).Message);
        using var carol = await _server.NewUserAsync();
        Assert.Null((await alice.SendFriendRequestAsync(carol.UserId, "   ")).Message);
    }

    [Fact]
    public async Task TheAddresseeSeesItAsIncomingAndTheSenderAsOutgoing()
    {
        using var alice = await _server.NewUserAsync("alice");
        using var bob = await _server.NewUserAsync("bob");
        var sent = await alice.SendFriendRequestAsync(bob.UserId, "hello");

        var incoming = Assert.Single(await bob.GetFriendRequestsAsync("incoming"));
        Assert.Equal(sent.Id, incoming.Id);
        Assert.Equal(RequestStatus.Pending, incoming.Status);
        Assert.Equal("hello", incoming.Message);
        Assert.Equal("alice", incoming.From.Nickname);
        Assert.Equal("bob", incoming.To.Nickname);

        var outgoing = Assert.Single(await alice.GetFriendRequestsAsync("outgoing"));
        Assert.Equal(sent.Id, outgoing.Id);
        Assert.Equal(RequestStatus.Pending, outgoing.Status);
        Assert.Equal(bob.UserId, outgoing.To.Id);

        Assert.Empty(await alice.GetFriendRequestsAsync("incoming"));
        Assert.Empty(await bob.GetFriendRequestsAsync("outgoing"));
        // Incoming is the default direction.
        var byDefault = await RawAnswer.SendAsync(bob, HttpMethod.Get, "api/v1/friend-requests");
        Assert.Equal(HttpStatusCode.OK, byDefault.Status);
        Assert.Equal(sent.Id, Assert.Single(byDefault.As<List<FriendRequestView>>()).Id);
    }

    [Fact]
    public async Task ListsAreNewestFirstAndOnlyMine()
    {
        using var bob = await _server.NewUserAsync();
        using var first = await _server.NewUserAsync("first");
        using var second = await _server.NewUserAsync("second");
        using var bystander = await _server.NewUserAsync();
        await first.SendFriendRequestAsync(bob.UserId);
        await Task.Delay(20);
        await second.SendFriendRequestAsync(bob.UserId);
        await first.SendFriendRequestAsync(bystander.UserId);

        var incoming = await bob.GetFriendRequestsAsync("incoming");
        Assert.Equal(["second", "first"], incoming.Select(r => r.From.Nickname));
        Assert.Equal(2, (await first.GetFriendRequestsAsync("outgoing")).Count);
    }

    [Fact]
    public async Task AnUnknownDirectionIsAValidationFailure()
    {
        using var alice = await _server.NewUserAsync();
        var refusal = await Refused.WithAsync(HttpStatusCode.BadRequest, "validation_failed", () => alice.GetFriendRequestsAsync("bogus"));
        Assert.NotNull(refusal.Errors);
        Assert.True(refusal.Errors.ContainsKey("direction"), "the refusal names the 'direction' field");
    }

    [Fact]
    public async Task AskingAgainWhilePendingCreatesNoDuplicate()
    {
        using var alice = await _server.NewUserAsync();
        using var bob = await _server.NewUserAsync();
        var first = await RawAnswer.AskAsync(alice, bob.UserId, "hi");
        Assert.Equal(HttpStatusCode.Created, first.Status);

        var again = await RawAnswer.AskAsync(alice, bob.UserId, "hi again");

        Assert.Equal(HttpStatusCode.OK, again.Status);
        var request = again.As<FriendRequestView>();
        Assert.Equal(first.As<FriendRequestView>().Id, request.Id);
        Assert.Equal(RequestStatus.Pending, request.Status);
        Assert.Equal(request.Id, Assert.Single(await bob.GetFriendRequestsAsync("incoming")).Id);
        Assert.Equal(request.Id, Assert.Single(await alice.GetFriendRequestsAsync("outgoing")).Id);
        Assert.Empty(await alice.GetFriendsAsync());
    }

    [Fact]
    public async Task AskingBackWhenTheOtherSideHasAskedMakesFriendsAtOnce()
    {
        using var alice = await _server.NewUserAsync("alice");
        using var bob = await _server.NewUserAsync("bob");
        var aliceAsks = await alice.SendFriendRequestAsync(bob.UserId, "hi");

        var bobAsks = await RawAnswer.AskAsync(bob, alice.UserId, "oh hi");

        Assert.Equal(HttpStatusCode.OK, bobAsks.Status);
        var request = bobAsks.As<FriendRequestView>();
        Assert.Equal(aliceAsks.Id, request.Id);
        Assert.Equal(RequestStatus.Accepted, request.Status);
        Assert.NotNull(request.HandledAt);
        Assert.True(request.From.IsFriend);

        Assert.Equal(bob.UserId, Assert.Single(await alice.GetFriendsAsync()).UserId);
        Assert.Equal(alice.UserId, Assert.Single(await bob.GetFriendsAsync()).UserId);
        Assert.Equal(RequestStatus.Accepted, Assert.Single(await alice.GetFriendRequestsAsync("outgoing")).Status);
        Assert.Equal(RequestStatus.Accepted, Assert.Single(await bob.GetFriendRequestsAsync("incoming")).Status);
        Assert.Empty(await bob.GetFriendRequestsAsync("outgoing"));
        Assert.True((await alice.GetUserAsync(bob.UserId)).IsFriend);
    }

    [Fact]
    public async Task TheAddresseeAcceptsAndBothBecomeFriends()
    {
        using var alice = await _server.NewUserAsync("alice");
        using var bob = await _server.NewUserAsync("bob");
        var sent = await alice.SendFriendRequestAsync(bob.UserId, "hi");

        var accepted = await bob.AcceptFriendRequestAsync(sent.Id);

        Assert.Equal(sent.Id, accepted.Id);
        Assert.Equal(RequestStatus.Accepted, accepted.Status);
        Assert.NotNull(accepted.HandledAt);
        Assert.True(accepted.From.IsFriend);
        Assert.Equal(bob.UserId, Assert.Single(await alice.GetFriendsAsync()).UserId);
        Assert.Equal(alice.UserId, Assert.Single(await bob.GetFriendsAsync()).UserId);
        Assert.Equal(RequestStatus.Accepted, Assert.Single(await alice.GetFriendRequestsAsync("outgoing")).Status);
        Assert.Equal(RequestStatus.Accepted, Assert.Single(await bob.GetFriendRequestsAsync("incoming")).Status);
    }

    [Fact]
    public async Task TheAddresseeRejectsAndNobodyBecomesFriends()
    {
        using var alice = await _server.NewUserAsync();
        using var bob = await _server.NewUserAsync();
        var sent = await alice.SendFriendRequestAsync(bob.UserId, "hi");

        var rejected = await bob.RejectFriendRequestAsync(sent.Id);

        Assert.Equal(sent.Id, rejected.Id);
        Assert.Equal(RequestStatus.Rejected, rejected.Status);
        Assert.NotNull(rejected.HandledAt);
        Assert.Empty(await alice.GetFriendsAsync());
        Assert.Empty(await bob.GetFriendsAsync());
        Assert.Equal(RequestStatus.Rejected, Assert.Single(await alice.GetFriendRequestsAsync("outgoing")).Status);
        Assert.False((await bob.GetUserAsync(alice.UserId)).IsFriend);
    }

    [Fact]
    public async Task AfterARejectionTheSenderMayAskAgainWhereTheOperatorTurnedTheCooldownOff()
    {
        // By default a rejected requester waits RateLimits:FriendRequestCooldown (Security/AbuseLimitsTests).
        await using var server = await TestServer.StartAsync(new Dictionary<string, string?> { ["RateLimits:FriendRequestCooldown"] = "00:00:00" });
        using var alice = await server.NewUserAsync();
        using var bob = await server.NewUserAsync();
        var first = await alice.SendFriendRequestAsync(bob.UserId);
        await bob.RejectFriendRequestAsync(first.Id);

        var again = await RawAnswer.AskAsync(alice, bob.UserId, "please?");

        Assert.Equal(HttpStatusCode.Created, again.Status);
        var second = again.As<FriendRequestView>();
        Assert.NotEqual(first.Id, second.Id);
        Assert.Equal(RequestStatus.Pending, second.Status);
        var incoming = await bob.GetFriendRequestsAsync("incoming");
        Assert.Equal([(second.Id, RequestStatus.Pending), (first.Id, RequestStatus.Rejected)], incoming.Select(r => (r.Id, r.Status)));
    }

    [Fact]
    public async Task TheSenderCannotHandleTheirOwnRequest()
    {
        using var alice = await _server.NewUserAsync();
        using var bob = await _server.NewUserAsync();
        var sent = await alice.SendFriendRequestAsync(bob.UserId);

        await Refused.WithAsync(HttpStatusCode.Forbidden, "not_request_addressee", () => alice.AcceptFriendRequestAsync(sent.Id));
        await Refused.WithAsync(HttpStatusCode.Forbidden, "not_request_addressee", () => alice.RejectFriendRequestAsync(sent.Id));

        Assert.Equal(RequestStatus.Pending, Assert.Single(await bob.GetFriendRequestsAsync("incoming")).Status);
        Assert.Empty(await alice.GetFriendsAsync());
    }

    [Fact]
    public async Task SomeoneElsesRequestIsNotFound()
    {
        using var alice = await _server.NewUserAsync();
        using var bob = await _server.NewUserAsync();
        using var mallory = await _server.NewUserAsync();
        var sent = await alice.SendFriendRequestAsync(bob.UserId);

        await Refused.WithAsync(HttpStatusCode.NotFound, "friend_request_not_found", () => mallory.AcceptFriendRequestAsync(sent.Id));
        await Refused.WithAsync(HttpStatusCode.NotFound, "friend_request_not_found", () => mallory.RejectFriendRequestAsync(sent.Id));

        Assert.Equal(RequestStatus.Pending, Assert.Single(await bob.GetFriendRequestsAsync("incoming")).Status);
        Assert.Empty(await mallory.GetFriendsAsync());
        Assert.Empty(await alice.GetFriendsAsync());
    }

    [Fact]
    public async Task AnUnknownOrMalformedRequestIdIsNotFound()
    {
        using var bob = await _server.NewUserAsync();
        await Refused.WithAsync(HttpStatusCode.NotFound, "friend_request_not_found", () => bob.AcceptFriendRequestAsync("123456789"));
        await Refused.WithAsync(HttpStatusCode.NotFound, "friend_request_not_found", () => bob.RejectFriendRequestAsync("123456789"));
        await Refused.WithAsync(HttpStatusCode.NotFound, "friend_request_not_found", () => bob.AcceptFriendRequestAsync("not-an-id"));
        await Refused.WithAsync(HttpStatusCode.NotFound, "friend_request_not_found", () => bob.AcceptFriendRequestAsync("99999999999999999999999"));
    }

    [Fact]
    public async Task AnAcceptedRequestCannotBeHandledAgain()
    {
        using var alice = await _server.NewUserAsync();
        using var bob = await _server.NewUserAsync();
        var sent = await alice.SendFriendRequestAsync(bob.UserId);
        await bob.AcceptFriendRequestAsync(sent.Id);

        await Refused.WithAsync(HttpStatusCode.Conflict, "request_already_handled", () => bob.AcceptFriendRequestAsync(sent.Id));
        await Refused.WithAsync(HttpStatusCode.Conflict, "request_already_handled", () => bob.RejectFriendRequestAsync(sent.Id));

        Assert.Equal(RequestStatus.Accepted, Assert.Single(await bob.GetFriendRequestsAsync("incoming")).Status);
        Assert.Single(await bob.GetFriendsAsync());
    }

    [Fact]
    public async Task ARejectedRequestCannotBeHandledAgain()
    {
        using var alice = await _server.NewUserAsync();
        using var bob = await _server.NewUserAsync();
        var sent = await alice.SendFriendRequestAsync(bob.UserId);
        await bob.RejectFriendRequestAsync(sent.Id);

        await Refused.WithAsync(HttpStatusCode.Conflict, "request_already_handled", () => bob.AcceptFriendRequestAsync(sent.Id));
        await Refused.WithAsync(HttpStatusCode.Conflict, "request_already_handled", () => bob.RejectFriendRequestAsync(sent.Id));

        Assert.Equal(RequestStatus.Rejected, Assert.Single(await bob.GetFriendRequestsAsync("incoming")).Status);
        Assert.Empty(await bob.GetFriendsAsync());
    }

    [Fact]
    public async Task AskingYourselfIsRefused()
    {
        using var alice = await _server.NewUserAsync();
        await Refused.WithAsync(HttpStatusCode.BadRequest, "cannot_add_self", () => alice.SendFriendRequestAsync(alice.UserId));
        Assert.Empty(await alice.GetFriendRequestsAsync("outgoing"));
    }

    [Fact]
    public async Task AskingAnUnknownUserIsNotFound()
    {
        using var alice = await _server.NewUserAsync();
        await Refused.WithAsync(HttpStatusCode.NotFound, "user_not_found", () => alice.SendFriendRequestAsync("123456789"));
        Assert.Empty(await alice.GetFriendRequestsAsync("outgoing"));
    }

    [Theory]
    [InlineData("not-an-id")]
    [InlineData("")]
    [InlineData("0")]
    [InlineData("-5")]
    [InlineData("12.5")]
    [InlineData("99999999999999999999999")]
    public async Task AMalformedUserIdIsAValidationFailure(string userId)
    {
        using var alice = await _server.NewUserAsync();
        var refusal = await Refused.WithAsync(HttpStatusCode.BadRequest, "validation_failed", () => alice.SendFriendRequestAsync(userId));
        Assert.NotNull(refusal.Errors);
        Assert.True(refusal.Errors.ContainsKey("userId"), "the refusal names the 'userId' field");
    }

    [Fact]
    public async Task AMissingUserIdIsAValidationFailure()
    {
        using var alice = await _server.NewUserAsync();
        var answer = await RawAnswer.SendAsync(alice, HttpMethod.Post, "api/v1/friend-requests", new { message = "hi" });
        answer.AssertRefused(HttpStatusCode.BadRequest, "validation_failed");
    }

    [Fact]
    public async Task AskingSomeoneWhoIsAlreadyAFriendIsAConflict()
    {
        using var alice = await _server.NewUserAsync();
        using var bob = await _server.NewUserAsync();
        await TestServer.MakeFriendsAsync(alice, bob);

        await Refused.WithAsync(HttpStatusCode.Conflict, "already_friends", () => alice.SendFriendRequestAsync(bob.UserId));
        await Refused.WithAsync(HttpStatusCode.Conflict, "already_friends", () => bob.SendFriendRequestAsync(alice.UserId));

        Assert.Single(await alice.GetFriendRequestsAsync("outgoing"));
        Assert.Empty(await bob.GetFriendRequestsAsync("outgoing"));
    }

    [Fact]
    public async Task AMessageLongerThan200CharactersIsRefused()
    {
        using var alice = await _server.NewUserAsync();
        using var bob = await _server.NewUserAsync();
        var refusal = await Refused.WithAsync(HttpStatusCode.BadRequest, "validation_failed", () =>
            alice.SendFriendRequestAsync(bob.UserId, new string('m', 201)));
        Assert.True(refusal.Errors?.ContainsKey("message"), "the refusal names the 'message' field");
        Assert.Empty(await bob.GetFriendRequestsAsync("incoming"));

        var longest = new string('ü', 200);
        Assert.Equal(longest, (await alice.SendFriendRequestAsync(bob.UserId, longest)).Message);
    }

    [Theory]
    [InlineData("{\"userId\": ", "invalid_json")]
    [InlineData("{\"userId\": 123}", "invalid_json")]
    [InlineData("[1, 2]", "invalid_json")]
    [InlineData("not json at all", "invalid_json")]
    public async Task AMalformedBodyIsABadRequest(string json, string code)
    {
        using var alice = await _server.NewUserAsync();
        var answer = await RawAnswer.SendTextAsync(_server.Http, alice, HttpMethod.Post, "api/v1/friend-requests", json);
        answer.AssertRefused(HttpStatusCode.BadRequest, code);
        Assert.Empty(await alice.GetFriendRequestsAsync("outgoing"));
    }

    [Fact]
    public async Task AMissingBodyIsABadRequest()
    {
        using var alice = await _server.NewUserAsync();
        var answer = await RawAnswer.SendTextAsync(_server.Http, alice, HttpMethod.Post, "api/v1/friend-requests", null);
        Assert.Equal(HttpStatusCode.BadRequest, answer.Status);
        Assert.Equal("application/problem+json", answer.MediaType);
        var nullBody = await RawAnswer.SendTextAsync(_server.Http, alice, HttpMethod.Post, "api/v1/friend-requests", "null");
        Assert.Equal(HttpStatusCode.BadRequest, nullBody.Status);
        Assert.Equal("application/problem+json", nullBody.MediaType);
    }

    [Theory]
    [InlineData("GET", "api/v1/friend-requests?direction=incoming")]
    [InlineData("POST", "api/v1/friend-requests")]
    [InlineData("POST", "api/v1/friend-requests/123/accept")]
    [InlineData("POST", "api/v1/friend-requests/123/reject")]
    [InlineData("GET", "api/v1/friends")]
    [InlineData("PATCH", "api/v1/friends/123")]
    [InlineData("DELETE", "api/v1/friends/123")]
    [InlineData("GET", "api/v1/blocks")]
    [InlineData("POST", "api/v1/blocks")]
    [InlineData("DELETE", "api/v1/blocks/123")]
    public async Task WithoutATokenEveryContactsEndpointIsUnauthorized(string method, string path)
    {
        var body = method is "POST" or "PATCH" ? "{\"userId\": \"123\", \"remark\": \"x\"}" : null;
        var answer = await RawAnswer.SendTextAsync(_server.Http, null, new HttpMethod(method), path, body);
        answer.AssertRefused(HttpStatusCode.Unauthorized, "unauthorized");
    }
}
