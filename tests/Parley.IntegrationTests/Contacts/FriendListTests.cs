using System.Net;
using Parley.Client;
using Parley.IntegrationTests.Infrastructure;

namespace Parley.IntegrationTests.Contacts;

public sealed class FriendListTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private readonly TestServer _server = fixture.Server;

    [Fact]
    public async Task TheFriendListShowsEachFriendsProfileWithPhoneRemarkAndPresence()
    {
        using var alice = await _server.NewUserAsync("Alice");
        using var bob = await _server.NewUserAsync("Bob");
        using var stranger = await _server.NewUserAsync("Stranger");
        await bob.UpdateMeAsync(new UpdateProfileRequest
        {
            Username = $"bob_{Random.Shared.Next(1_000_000)}", Avatar = "https://cdn.example.test/bob.png", Sex = Sex.Male,
        });
        var bobMe = await bob.GetMeAsync();
        var before = DateTimeOffset.UtcNow.AddSeconds(-5);
        await TestServer.MakeFriendsAsync(alice, bob);

        var friend = Assert.Single(await alice.GetFriendsAsync());

        Assert.Equal(bob.UserId, friend.UserId);
        Assert.Equal("Bob", friend.Nickname);
        Assert.Equal(bobMe.Username, friend.Username);
        Assert.Equal("https://cdn.example.test/bob.png", friend.Avatar);
        Assert.Equal(Sex.Male, friend.Sex);
        Assert.NotNull(bobMe.Phone);
        Assert.Equal(bobMe.Phone, friend.Phone);
        Assert.Null(friend.Remark);
        Assert.False(friend.Online);
        Assert.InRange(friend.Since, before, DateTimeOffset.UtcNow.AddSeconds(5));

        var other = Assert.Single(await bob.GetFriendsAsync());
        Assert.Equal(alice.UserId, other.UserId);
        Assert.Equal((await alice.GetMeAsync()).Phone, other.Phone);
        Assert.Empty(await stranger.GetFriendsAsync());
    }

    [Fact]
    public async Task TheFriendListIsOrderedByNicknameAndHoldsOnlyFriends()
    {
        using var me = await _server.NewUserAsync("me");
        using var zed = await _server.NewUserAsync("zed");
        using var amy = await _server.NewUserAsync("Amy");
        using var mo = await _server.NewUserAsync("mo");
        using var pending = await _server.NewUserAsync("pending");
        await TestServer.MakeFriendsAsync(me, zed);
        await TestServer.MakeFriendsAsync(amy, me);
        await TestServer.MakeFriendsAsync(me, mo);
        await me.SendFriendRequestAsync(pending.UserId);

        Assert.Equal(["Amy", "mo", "zed"], (await me.GetFriendsAsync()).Select(f => f.Nickname));
    }

    [Fact]
    public async Task ARemarkIsSetOnMySideOnlyAndCleared()
    {
        using var alice = await _server.NewUserAsync();
        using var bob = await _server.NewUserAsync("Bob");
        await TestServer.MakeFriendsAsync(alice, bob);

        var updated = await alice.SetRemarkAsync(bob.UserId, "  Bob from work  ");
        Assert.Equal(bob.UserId, updated.UserId);
        Assert.Equal("Bob from work", updated.Remark);
        Assert.Equal("Bob", updated.Nickname);
        Assert.Equal("Bob from work", Assert.Single(await alice.GetFriendsAsync()).Remark);
        Assert.Null(Assert.Single(await bob.GetFriendsAsync()).Remark);

        Assert.Equal("Bobby", (await alice.SetRemarkAsync(bob.UserId, "Bobby")).Remark);
        Assert.Equal("Bobby", Assert.Single(await alice.GetFriendsAsync()).Remark);

        Assert.Null((await alice.SetRemarkAsync(bob.UserId, null)).Remark);
        Assert.Null(Assert.Single(await alice.GetFriendsAsync()).Remark);

        await alice.SetRemarkAsync(bob.UserId, "again");
        Assert.Null((await alice.SetRemarkAsync(bob.UserId, "   ")).Remark);
        Assert.Null(Assert.Single(await alice.GetFriendsAsync()).Remark);
    }

    [Fact]
    public async Task ARemarkForSomeoneWhoIsNotAFriendIsNotFound()
    {
        using var alice = await _server.NewUserAsync();
        using var stranger = await _server.NewUserAsync();
        await Refused.WithAsync(HttpStatusCode.NotFound, "not_friends", () => alice.SetRemarkAsync(stranger.UserId, "who?"));
        await Refused.WithAsync(HttpStatusCode.NotFound, "not_friends", () => alice.SetRemarkAsync("123456789", "nobody"));
        await Refused.WithAsync(HttpStatusCode.NotFound, "not_friends", () => alice.SetRemarkAsync("not-an-id", "nobody"));
        await Refused.WithAsync(HttpStatusCode.NotFound, "not_friends", () => alice.SetRemarkAsync(alice.UserId, "me"));

        // A pending request is not a friendship either.
        await alice.SendFriendRequestAsync(stranger.UserId);
        await Refused.WithAsync(HttpStatusCode.NotFound, "not_friends", () => alice.SetRemarkAsync(stranger.UserId, "soon"));
    }

    [Fact]
    public async Task ARemarkLongerThan64CharactersIsRefused()
    {
        using var alice = await _server.NewUserAsync();
        using var bob = await _server.NewUserAsync();
        await TestServer.MakeFriendsAsync(alice, bob);
        await alice.SetRemarkAsync(bob.UserId, "kept");

        var refusal = await Refused.WithAsync(HttpStatusCode.BadRequest, "validation_failed", () => alice.SetRemarkAsync(bob.UserId, new string('r', 65)));
        Assert.True(refusal.Errors?.ContainsKey("remark"), "the refusal names the 'remark' field");
        Assert.Equal("kept", Assert.Single(await alice.GetFriendsAsync()).Remark);

        var longest = new string('备', 64);
        Assert.Equal(longest, (await alice.SetRemarkAsync(bob.UserId, longest)).Remark);
        Assert.Equal(longest, Assert.Single(await alice.GetFriendsAsync()).Remark);
    }

    [Fact]
    public async Task ARemarkWithABadBodyIsABadRequest()
    {
        using var alice = await _server.NewUserAsync();
        using var bob = await _server.NewUserAsync();
        await TestServer.MakeFriendsAsync(alice, bob);

        var answer = await RawAnswer.SendTextAsync(_server.Http, alice, HttpMethod.Patch, $"api/v1/friends/{bob.UserId}", "{\"remark\": 5}");
        answer.AssertRefused(HttpStatusCode.BadRequest, "invalid_json");
    }

    [Fact]
    public async Task RemovingAFriendRemovesBothSides()
    {
        using var alice = await _server.NewUserAsync();
        using var bob = await _server.NewUserAsync();
        await TestServer.MakeFriendsAsync(alice, bob);
        await bob.SetRemarkAsync(alice.UserId, "Al");

        var removed = await RawAnswer.SendAsync(alice, HttpMethod.Delete, $"api/v1/friends/{bob.UserId}");

        Assert.Equal(HttpStatusCode.NoContent, removed.Status);
        Assert.Empty(await alice.GetFriendsAsync());
        Assert.Empty(await bob.GetFriendsAsync());
        var bobSeenByAlice = await alice.GetUserAsync(bob.UserId);
        Assert.False(bobSeenByAlice.IsFriend);
        Assert.Null(bobSeenByAlice.Phone);
        var aliceSeenByBob = await bob.GetUserAsync(alice.UserId);
        Assert.False(aliceSeenByBob.IsFriend);
        Assert.Null(aliceSeenByBob.Phone);
        Assert.DoesNotContain(await alice.SearchUsersAsync(ids: [bob.UserId]), u => u.IsFriend);
        await Refused.WithAsync(HttpStatusCode.NotFound, "not_friends", () => bob.SetRemarkAsync(alice.UserId, "Al"));
    }

    [Fact]
    public async Task RemovingSomeoneWhoIsNotAFriendIsNotFound()
    {
        using var alice = await _server.NewUserAsync();
        using var bob = await _server.NewUserAsync();
        await TestServer.MakeFriendsAsync(alice, bob);
        await alice.RemoveFriendAsync(bob.UserId);

        await Refused.WithAsync(HttpStatusCode.NotFound, "not_friends", () => alice.RemoveFriendAsync(bob.UserId));
        await Refused.WithAsync(HttpStatusCode.NotFound, "not_friends", () => bob.RemoveFriendAsync(alice.UserId));
        await Refused.WithAsync(HttpStatusCode.NotFound, "not_friends", () => alice.RemoveFriendAsync("123456789"));
        await Refused.WithAsync(HttpStatusCode.NotFound, "not_friends", () => alice.RemoveFriendAsync("not-an-id"));
    }

    [Fact]
    public async Task RemovingOneFriendLeavesTheOthers()
    {
        using var alice = await _server.NewUserAsync("alice");
        using var bob = await _server.NewUserAsync("bob");
        using var carol = await _server.NewUserAsync("carol");
        await TestServer.MakeFriendsAsync(alice, bob);
        await TestServer.MakeFriendsAsync(alice, carol);
        await TestServer.MakeFriendsAsync(bob, carol);

        await bob.RemoveFriendAsync(alice.UserId);

        Assert.Equal([carol.UserId], (await alice.GetFriendsAsync()).Select(f => f.UserId));
        Assert.Equal([carol.UserId], (await bob.GetFriendsAsync()).Select(f => f.UserId));
        Assert.Equal([alice.UserId, bob.UserId], (await carol.GetFriendsAsync()).Select(f => f.UserId));
    }

    [Fact]
    public async Task FormerFriendsCanBecomeFriendsAgain()
    {
        using var alice = await _server.NewUserAsync();
        using var bob = await _server.NewUserAsync();
        await TestServer.MakeFriendsAsync(alice, bob);
        await alice.SetRemarkAsync(bob.UserId, "old remark");
        await alice.RemoveFriendAsync(bob.UserId);

        var again = await RawAnswer.AskAsync(bob, alice.UserId, "friends again?");
        Assert.Equal(HttpStatusCode.Created, again.Status);
        await alice.AcceptFriendRequestAsync(again.As<FriendRequestView>().Id);

        var friend = Assert.Single(await alice.GetFriendsAsync());
        Assert.Equal(bob.UserId, friend.UserId);
        Assert.Null(friend.Remark);
        Assert.Equal(alice.UserId, Assert.Single(await bob.GetFriendsAsync()).UserId);
    }
}
