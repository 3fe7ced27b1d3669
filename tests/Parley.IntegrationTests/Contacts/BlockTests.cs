using System.Net;
using Parley.Client;
using Parley.IntegrationTests.Infrastructure;

namespace Parley.IntegrationTests.Contacts;

public sealed class BlockTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private readonly TestServer _server = fixture.Server;

    [Fact]
    public async Task BlocksAreListedAddedAndRemoved()
    {
        using var alice = await _server.NewUserAsync();
        using var bob = await _server.NewUserAsync("bob");
        using var carol = await _server.NewUserAsync("carol");
        Assert.Empty(await alice.GetBlocksAsync());
        var before = DateTimeOffset.UtcNow.AddSeconds(-5);

        var added = await RawAnswer.SendAsync(alice, HttpMethod.Post, "api/v1/blocks", new { userId = bob.UserId });

        Assert.Equal(HttpStatusCode.Created, added.Status);
        var block = added.As<BlockedUserView>();
        Assert.Equal(bob.UserId, block.UserId);
        Assert.Equal("bob", block.Nickname);
        Assert.InRange(block.BlockedAt, before, DateTimeOffset.UtcNow.AddSeconds(5));
        Assert.Equal(bob.UserId, Assert.Single(await alice.GetBlocksAsync()).UserId);
        Assert.Empty(await bob.GetBlocksAsync());

        await Task.Delay(20);
        await alice.BlockAsync(carol.UserId);
        Assert.Equal([carol.UserId, bob.UserId], (await alice.GetBlocksAsync()).Select(b => b.UserId));

        var removed = await RawAnswer.SendAsync(alice, HttpMethod.Delete, $"api/v1/blocks/{bob.UserId}");
        Assert.Equal(HttpStatusCode.NoContent, removed.Status);
        Assert.Equal([carol.UserId], (await alice.GetBlocksAsync()).Select(b => b.UserId));
    }

    [Fact]
    public async Task BlockingTwiceKeepsTheFirstBlock()
    {
        using var alice = await _server.NewUserAsync();
        using var bob = await _server.NewUserAsync();
        var first = await alice.BlockAsync(bob.UserId);

        var again = await RawAnswer.SendAsync(alice, HttpMethod.Post, "api/v1/blocks", new { userId = bob.UserId });

        Assert.Equal(HttpStatusCode.OK, again.Status);
        Assert.Equal(first, again.As<BlockedUserView>());
        Assert.Single(await alice.GetBlocksAsync());
    }

    [Fact]
    public async Task ABlockedPersonCannotSendMeAFriendRequest()
    {
        using var alice = await _server.NewUserAsync();
        using var bob = await _server.NewUserAsync();
        await alice.BlockAsync(bob.UserId);

        await Refused.WithAsync(HttpStatusCode.Forbidden, "blocked", () => bob.SendFriendRequestAsync(alice.UserId));

        Assert.Empty(await alice.GetFriendRequestsAsync("incoming"));
        Assert.Empty(await bob.GetFriendRequestsAsync("outgoing"));
    }

    [Fact]
    public async Task ICannotSendAFriendRequestToSomeoneIBlocked()
    {
        using var alice = await _server.NewUserAsync();
        using var bob = await _server.NewUserAsync();
        await alice.BlockAsync(bob.UserId);

        await Refused.WithAsync(HttpStatusCode.Forbidden, "blocked", () => alice.SendFriendRequestAsync(bob.UserId));

        Assert.Empty(await alice.GetFriendRequestsAsync("outgoing"));
        Assert.Empty(await bob.GetFriendRequestsAsync("incoming"));
    }

    [Fact]
    public async Task AfterUnblockingARequestGoesThrough()
    {
        using var alice = await _server.NewUserAsync();
        using var bob = await _server.NewUserAsync();
        await alice.BlockAsync(bob.UserId);
        await Refused.WithAsync(HttpStatusCode.Forbidden, "blocked", () => bob.SendFriendRequestAsync(alice.UserId));

        await alice.UnblockAsync(bob.UserId);

        var sent = await bob.SendFriendRequestAsync(alice.UserId, "sorry");
        Assert.Equal(RequestStatus.Pending, sent.Status);
        await alice.AcceptFriendRequestAsync(sent.Id);
        Assert.Equal(bob.UserId, Assert.Single(await alice.GetFriendsAsync()).UserId);
    }

    [Fact]
    public async Task ARequestFromSomeoneIBlockedSinceCannotBeAccepted()
    {
        using var alice = await _server.NewUserAsync();
        using var bob = await _server.NewUserAsync();
        var sent = await bob.SendFriendRequestAsync(alice.UserId);
        await alice.BlockAsync(bob.UserId);

        await Refused.WithAsync(HttpStatusCode.Forbidden, "blocked", () => alice.AcceptFriendRequestAsync(sent.Id));

        Assert.Empty(await alice.GetFriendsAsync());
        Assert.Empty(await bob.GetFriendsAsync());
        Assert.Equal(RequestStatus.Pending, Assert.Single(await alice.GetFriendRequestsAsync("incoming")).Status);
        Assert.Equal(RequestStatus.Rejected, (await alice.RejectFriendRequestAsync(sent.Id)).Status);
    }

    [Fact]
    public async Task UnblockingSomeoneNotBlockedIsNotFound()
    {
        using var alice = await _server.NewUserAsync();
        using var bob = await _server.NewUserAsync();
        await Refused.WithAsync(HttpStatusCode.NotFound, "not_blocked", () => alice.UnblockAsync(bob.UserId));

        // Being blocked by someone is not having blocked them.
        await bob.BlockAsync(alice.UserId);
        await Refused.WithAsync(HttpStatusCode.NotFound, "not_blocked", () => alice.UnblockAsync(bob.UserId));

        await alice.BlockAsync(bob.UserId);
        await alice.UnblockAsync(bob.UserId);
        await Refused.WithAsync(HttpStatusCode.NotFound, "not_blocked", () => alice.UnblockAsync(bob.UserId));
        await Refused.WithAsync(HttpStatusCode.NotFound, "not_blocked", () => alice.UnblockAsync("not-an-id"));
        Assert.Equal(alice.UserId, Assert.Single(await bob.GetBlocksAsync()).UserId);
    }

    [Fact]
    public async Task BlockingYourselfIsRefused()
    {
        using var alice = await _server.NewUserAsync();
        await Refused.WithAsync(HttpStatusCode.BadRequest, "cannot_block_self", () => alice.BlockAsync(alice.UserId));
        Assert.Empty(await alice.GetBlocksAsync());
    }

    [Fact]
    public async Task BlockingAnUnknownOrMalformedUserIsRefused()
    {
        using var alice = await _server.NewUserAsync();
        await Refused.WithAsync(HttpStatusCode.NotFound, "user_not_found", () => alice.BlockAsync("123456789"));
        await Refused.WithAsync(HttpStatusCode.BadRequest, "validation_failed", () => alice.BlockAsync("not-an-id"));
        await Refused.WithAsync(HttpStatusCode.BadRequest, "validation_failed", () => alice.BlockAsync(""));
        var malformed = await RawAnswer.SendTextAsync(_server.Http, alice, HttpMethod.Post, "api/v1/blocks", "{\"userId\": ");
        malformed.AssertRefused(HttpStatusCode.BadRequest, "invalid_json");
        Assert.Empty(await alice.GetBlocksAsync());
    }
}
