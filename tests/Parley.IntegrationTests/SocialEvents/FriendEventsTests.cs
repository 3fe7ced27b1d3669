using System.Net;
using Parley.Client;
using Parley.IntegrationTests.Infrastructure;

namespace Parley.IntegrationTests.SocialEvents;

public sealed class FriendEventsTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private readonly TestServer _server = fixture.Server;

    [Fact]
    public async Task ANewRequestReachesTheAddresseeAndEveryDeviceOfTheRequesterOnly()
    {
        using var alice = await _server.NewUserAsync("alice");
        using var bob = await _server.NewUserAsync("bob");
        using var carol = await _server.NewUserAsync("carol");
        await using var alicePhone = await Device.ConnectAsync(alice);
        await using var aliceLaptop = await Device.ConnectAsync(alice);
        await using var bobPhone = await Device.ConnectAsync(bob);
        await using var carolPhone = await Device.ConnectAsync(carol);

        var sent = await alice.SendFriendRequestAsync(bob.UserId, "hi, it's alice");

        foreach (var device in new[] { alicePhone, aliceLaptop, bobPhone })
        {
            var request = Assert.Single(await device.OfTypeAsync("friend.request")).As<FriendRequestEvent>().Request;
            Assert.Equal(sent.Id, request.Id);
            Assert.Equal(RequestStatus.Pending, request.Status);
            Assert.Equal(alice.UserId, request.FromUserId);
            Assert.Equal(bob.UserId, request.ToUserId);
            Assert.Equal("hi, it's alice", request.Message);
            Assert.Equal("alice", request.From.Nickname);
            Assert.Equal("bob", request.To.Nickname);
        }
        // Enums are written as the HTTP API writes them.
        Assert.Equal("pending", (await bobPhone.OfTypeAsync("friend.request"))[0].Data.GetProperty("request").GetProperty("status").GetString());
        Assert.DoesNotContain(await carolPhone.SoFarAsync(), f => f.Type.StartsWith("friend.", StringComparison.Ordinal));

        // Asking again changes nothing, and says nothing.
        await alice.SendFriendRequestAsync(bob.UserId, "hi, it's alice");
        Assert.Single(await bobPhone.OfTypeAsync("friend.request"));
    }

    [Fact]
    public async Task AcceptingTellsBothSidesAndEachSeesTheOtherAsTheNewFriend()
    {
        using var alice = await _server.NewUserAsync("alice");
        using var bob = await _server.NewUserAsync("bob");
        using var carol = await _server.NewUserAsync("carol");
        var sent = await alice.SendFriendRequestAsync(bob.UserId);
        await using var alicePhone = await Device.ConnectAsync(alice);
        await using var bobPhone = await Device.ConnectAsync(bob);
        await using var carolPhone = await Device.ConnectAsync(carol);

        await bob.AcceptFriendRequestAsync(sent.Id);

        foreach (var (device, other, nickname) in new[] { (alicePhone, bob.UserId, "bob"), (bobPhone, alice.UserId, "alice") })
        {
            var request = Assert.Single(await device.OfTypeAsync("friend.request")).As<FriendRequestEvent>().Request;
            Assert.Equal(RequestStatus.Accepted, request.Status);
            Assert.NotNull(request.HandledAt);
            var friend = Assert.Single(await device.OfTypeAsync("friend.added")).As<FriendAddedEvent>().Friend;
            Assert.Equal(other, friend.UserId);
            Assert.Equal(nickname, friend.Nickname);
            Assert.True(friend.Online);
            Assert.Null(friend.Remark);
            // The same view as GET /friends.
            var listed = Assert.Single(await (device == alicePhone ? alice : bob).GetFriendsAsync());
            Assert.Equal(listed, friend);
        }
        Assert.DoesNotContain(await carolPhone.SoFarAsync(), f => f.Type.StartsWith("friend.", StringComparison.Ordinal));

        // A second acceptance is refused and tells no one anything.
        await Refused.WithAsync(HttpStatusCode.Conflict, "request_already_handled", () => bob.AcceptFriendRequestAsync(sent.Id));
        Assert.Single(await alicePhone.OfTypeAsync("friend.added"));
        Assert.Single(await bobPhone.OfTypeAsync("friend.added"));
    }

    [Fact]
    public async Task CrossedRequestsMakeFriendsAtOnceAndBothHearOfIt()
    {
        using var alice = await _server.NewUserAsync("alice");
        using var bob = await _server.NewUserAsync("bob");
        await alice.SendFriendRequestAsync(bob.UserId);
        await using var alicePhone = await Device.ConnectAsync(alice);
        await using var bobPhone = await Device.ConnectAsync(bob);

        var answer = await bob.SendFriendRequestAsync(alice.UserId);
        Assert.Equal(RequestStatus.Accepted, answer.Status);

        Assert.Equal(bob.UserId, Assert.Single(await alicePhone.OfTypeAsync("friend.added")).As<FriendAddedEvent>().Friend.UserId);
        Assert.Equal(alice.UserId, Assert.Single(await bobPhone.OfTypeAsync("friend.added")).As<FriendAddedEvent>().Friend.UserId);
        Assert.Equal(RequestStatus.Accepted, Assert.Single(await alicePhone.OfTypeAsync("friend.request")).As<FriendRequestEvent>().Request.Status);
    }

    [Fact]
    public async Task RejectingTellsTheRequesterAndMakesNoFriends()
    {
        using var alice = await _server.NewUserAsync("alice");
        using var bob = await _server.NewUserAsync("bob");
        var sent = await alice.SendFriendRequestAsync(bob.UserId);
        await using var alicePhone = await Device.ConnectAsync(alice);
        await using var bobLaptop = await Device.ConnectAsync(bob);

        await bob.RejectFriendRequestAsync(sent.Id);

        var request = Assert.Single(await alicePhone.OfTypeAsync("friend.request")).As<FriendRequestEvent>().Request;
        Assert.Equal(sent.Id, request.Id);
        Assert.Equal(RequestStatus.Rejected, request.Status);
        Assert.Equal(RequestStatus.Rejected, Assert.Single(await bobLaptop.OfTypeAsync("friend.request")).As<FriendRequestEvent>().Request.Status);
        Assert.Empty(await alicePhone.OfTypeAsync("friend.added"));
        Assert.Empty(await bobLaptop.OfTypeAsync("friend.added"));

        // Only the addressee may reject, and the requester's attempt tells nobody anything. (Bob asks: having been
        // rejected, Alice may not ask Bob again for a while.)
        var again = await bob.SendFriendRequestAsync(alice.UserId);
        await Refused.WithAsync(HttpStatusCode.Forbidden, "not_request_addressee", () => bob.RejectFriendRequestAsync(again.Id));
        Assert.DoesNotContain(await alicePhone.OfTypeAsync("friend.request"), f => f.As<FriendRequestEvent>().Request is { Status: RequestStatus.Rejected } r && r.Id == again.Id);
    }

    [Fact]
    public async Task RemovingAFriendTellsBothSidesEachNamingTheOther()
    {
        using var alice = await _server.NewUserAsync("alice");
        using var bob = await _server.NewUserAsync("bob");
        using var carol = await _server.NewUserAsync("carol");
        await TestServer.MakeFriendsAsync(alice, bob);
        await TestServer.MakeFriendsAsync(alice, carol);
        await using var alicePhone = await Device.ConnectAsync(alice);
        await using var bobPhone = await Device.ConnectAsync(bob);
        await using var carolPhone = await Device.ConnectAsync(carol);

        await alice.RemoveFriendAsync(bob.UserId);

        Assert.Equal(bob.UserId, Assert.Single(await alicePhone.OfTypeAsync("friend.removed")).As<FriendRemovedEvent>().UserId);
        Assert.Equal(alice.UserId, Assert.Single(await bobPhone.OfTypeAsync("friend.removed")).As<FriendRemovedEvent>().UserId);
        Assert.Empty(await carolPhone.OfTypeAsync("friend.removed"));

        // Removing someone who is not a friend is refused, and nobody hears of it.
        await Refused.WithAsync(HttpStatusCode.NotFound, "not_friends", () => alice.RemoveFriendAsync(bob.UserId));
        Assert.Single(await bobPhone.OfTypeAsync("friend.removed"));
    }
}
