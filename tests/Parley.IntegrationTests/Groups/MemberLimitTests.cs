using System.Net;
using Parley.Client;
using Parley.IntegrationTests.Infrastructure;

namespace Parley.IntegrationTests.Groups;

/// <summary>A server whose groups hold at most three members, owner included.</summary>
public sealed class SmallGroupsServerFixture : IAsyncLifetime
{
    public const int MaxMembers = 3;

    public TestServer Server { get; private set; } = null!;

    public async Task InitializeAsync() =>
        Server = await TestServer.StartAsync(new Dictionary<string, string?> { ["Groups:MaxMembers"] = MaxMembers.ToString() });

    public async Task DisposeAsync() => await Server.DisposeAsync();
}

/// <summary><c>Groups:MaxMembers</c>: every way into a group stops at the limit with 409 group_full.</summary>
public sealed class MemberLimitTests(SmallGroupsServerFixture fixture) : IClassFixture<SmallGroupsServerFixture>
{
    private readonly TestServer _server = fixture.Server;

    [Fact]
    public async Task CreatingAGroupWithMoreInviteesThanTheLimitAllowsIsRefused()
    {
        using var owner = await _server.NewUserAsync("owner");
        using var a = await _server.NewFriendAsync(owner, "a");
        using var b = await _server.NewFriendAsync(owner, "b");
        using var c = await _server.NewFriendAsync(owner, "c");

        await Refused.WithAsync(HttpStatusCode.Conflict, "group_full", () => owner.CreateGroupAsync("Too many", [a.UserId, b.UserId, c.UserId]));
        Assert.Empty(await owner.GetGroupsAsync());

        var full = await owner.CreateGroupAsync("Just enough", [a.UserId, b.UserId]);
        Assert.Equal((3, SmallGroupsServerFixture.MaxMembers), (full.MemberCount, full.MaxMembers));
    }

    [Fact]
    public async Task InvitingPastTheLimitIsRefusedAndAddsNobody()
    {
        using var owner = await _server.NewUserAsync("owner");
        using var a = await _server.NewFriendAsync(owner, "a");
        using var b = await _server.NewFriendAsync(owner, "b");
        using var c = await _server.NewFriendAsync(owner, "c");
        var group = await owner.CreateGroupAsync("Small", [a.UserId]);

        await Refused.WithAsync(HttpStatusCode.Conflict, "group_full", () => owner.InviteToGroupAsync(group.Id, [b.UserId, c.UserId]));
        Assert.Equal(2, (await owner.GetGroupAsync(group.Id)).MemberCount);

        Assert.Equal([b.UserId], (await owner.InviteToGroupAsync(group.Id, [b.UserId])).Added);
        await Refused.WithAsync(HttpStatusCode.Conflict, "group_full", () => owner.InviteToGroupAsync(group.Id, [c.UserId]));
        Assert.Equal(new[] { owner.UserId, a.UserId, b.UserId }.Order(), (await owner.MembersByIdAsync(group.Id)).Keys.Order());
    }

    [Fact]
    public async Task AMembersInvitationIntoAFullGroupIsRefusedWhenApprovalIsOff()
    {
        using var owner = await _server.NewUserAsync("owner");
        using var a = await _server.NewFriendAsync(owner, "a");
        using var b = await _server.NewFriendAsync(owner, "b");
        using var aFriend = await _server.NewFriendAsync(a, "a's friend");
        var group = await owner.CreateGroupAsync("Full", [a.UserId, b.UserId], joinApproval: false);

        await Refused.WithAsync(HttpStatusCode.Conflict, "group_full", () => a.InviteToGroupAsync(group.Id, [aFriend.UserId]));
        Assert.Null((await aFriend.GetGroupAsync(group.Id)).MyRole);
    }

    [Fact]
    public async Task JoiningAFullGroupWithoutApprovalIsRefused()
    {
        using var owner = await _server.NewUserAsync("owner");
        using var first = await _server.NewUserAsync("first");
        using var second = await _server.NewUserAsync("second");
        using var third = await _server.NewUserAsync("third");
        var group = await owner.CreateGroupAsync("Open", joinApproval: false);

        Assert.Equal(RequestStatus.Accepted, (await first.RequestToJoinGroupAsync(group.Id)).Status);
        Assert.Equal(RequestStatus.Accepted, (await second.RequestToJoinGroupAsync(group.Id)).Status);
        await Refused.WithAsync(HttpStatusCode.Conflict, "group_full", () => third.RequestToJoinGroupAsync(group.Id));

        Assert.Null((await third.GetGroupAsync(group.Id)).MyRole);
        Assert.Equal(3, (await owner.GetGroupAsync(group.Id)).MemberCount);

        // A place frees up when someone leaves.
        await first.LeaveGroupAsync(group.Id);
        Assert.Equal(RequestStatus.Accepted, (await third.RequestToJoinGroupAsync(group.Id)).Status);
        Assert.Equal(3, (await owner.GetGroupAsync(group.Id)).MemberCount);
    }

    [Fact]
    public async Task AcceptingARequestIntoAFullGroupIsRefusedAndTheRequestStaysPending()
    {
        using var owner = await _server.NewUserAsync("owner");
        using var a = await _server.NewFriendAsync(owner, "a");
        using var asker = await _server.NewUserAsync("asker");
        using var latecomer = await _server.NewUserAsync("latecomer");
        var group = await owner.CreateGroupAsync("Approved", [a.UserId], joinApproval: true);

        // Asking is allowed while there is room, and even when the group is full: only joining is limited.
        var early = await asker.RequestToJoinGroupAsync(group.Id);
        var late = await latecomer.RequestToJoinGroupAsync(group.Id);
        await owner.AcceptJoinRequestAsync(group.Id, early.Id);

        await Refused.WithAsync(HttpStatusCode.Conflict, "group_full", () => owner.AcceptJoinRequestAsync(group.Id, late.Id));

        Assert.Null((await latecomer.GetGroupAsync(group.Id)).MyRole);
        var stillWaiting = Assert.Single(await owner.GetJoinRequestsAsync(group.Id, status: "pending"));
        Assert.Equal(late.Id, stillWaiting.Id);
        // It can still be turned down.
        Assert.Equal(RequestStatus.Rejected, (await owner.RejectJoinRequestAsync(group.Id, late.Id)).Status);
    }
}
