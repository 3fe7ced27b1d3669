using System.Net;
using Parley.Client;
using Parley.IntegrationTests.Infrastructure;

namespace Parley.IntegrationTests.Groups;

/// <summary>
/// Groups are closed by default, and a removal by an owner or admin is remembered (issue 11, item 1): a stranger who
/// knows a group's id waits outside, and a removed member cannot walk back in by themselves.
/// </summary>
public sealed class ClosedGroupsTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private readonly TestServer _server = fixture.Server;

    [Fact]
    public async Task AGroupCreatedWithDefaultsKeepsAStrangerWaitingOutsideItsHistory()
    {
        using var owner = await _server.NewUserAsync("owner");
        using var friend = await _server.NewFriendAsync(owner, "friend");
        using var stranger = await _server.NewUserAsync("stranger");
        var group = await owner.CreateGroupAsync("Private by default", [friend.UserId]);
        Assert.True(group.JoinApproval);
        Assert.True((await friend.GetGroupAsync(group.Id)).JoinApproval);
        await owner.SendMessageAsync(SendTarget.Group(group.Id), "text", "members only");

        var request = await stranger.RequestToJoinGroupAsync(group.Id, "let me in");

        Assert.Equal(RequestStatus.Pending, request.Status);
        Assert.Null((await stranger.GetGroupAsync(group.Id)).MyRole);
        Assert.Empty(await stranger.GetGroupsAsync());
        Assert.Equal(2, (await owner.GetGroupAsync(group.Id)).MemberCount);
        Assert.Equal(request.Id, Assert.Single(await owner.GetJoinRequestsAsync(group.Id, "pending")).Id);
        await Refused.WithAsync(HttpStatusCode.Forbidden, "not_group_member", () => stranger.GetMessagesAsync(group.Id));
        await using var socket = await ParleyRealtime.ConnectAsync(stranger);
        var synced = await socket.RequestAsync("msg.sync", new { conversations = new Dictionary<string, long> { [group.Id] = 0 } });
        Assert.Equal(group.Id, Assert.Single(synced.Data.GetProperty("refused").EnumerateArray()).GetString());
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task AMemberRemovedByTheOwnerIsRefusedUntilTheOwnerInvitesThemAgain(bool joinApproval)
    {
        using var cast = await GroupCast.StartAsync(_server, joinApproval);
        await cast.Owner.RemoveGroupMemberAsync(cast.GroupId, cast.Member.UserId);

        await Refused.WithAsync(HttpStatusCode.Forbidden, "removed_from_group", () => cast.Member.RequestToJoinGroupAsync(cast.GroupId, "sorry"));
        Assert.Null((await cast.Member.GetGroupAsync(cast.GroupId)).MyRole);
        Assert.Empty(await cast.Owner.GetJoinRequestsAsync(cast.GroupId, "pending"));
        await Refused.WithAsync(HttpStatusCode.Forbidden, "not_group_member", () => cast.Member.GetMessagesAsync(cast.GroupId));

        var invited = await cast.Owner.InviteToGroupAsync(cast.GroupId, [cast.Member.UserId]);

        Assert.Equal([cast.Member.UserId], invited.Added);
        Assert.Equal(GroupRole.Member, (await cast.Member.GetGroupAsync(cast.GroupId)).MyRole);
        await cast.Member.GetMessagesAsync(cast.GroupId);
        // Let back in, they are no longer barred: having left by themselves, they may ask again.
        await cast.Member.LeaveGroupAsync(cast.GroupId);
        var again = await cast.Member.RequestToJoinGroupAsync(cast.GroupId);
        Assert.Equal(joinApproval ? RequestStatus.Pending : RequestStatus.Accepted, again.Status);
    }

    [Fact]
    public async Task APlainMembersInvitationOfSomeoneAnAdminRemovedWaitsForApprovalEvenInAnOpenGroup()
    {
        using var cast = await GroupCast.StartAsync(_server, joinApproval: false);
        using var dot = await _server.NewFriendAsync(cast.Member, "dot");
        Assert.Equal([dot.UserId], (await cast.Member.InviteToGroupAsync(cast.GroupId, [dot.UserId])).Added);
        await cast.Admin.RemoveGroupMemberAsync(cast.GroupId, dot.UserId);
        await Refused.WithAsync(HttpStatusCode.Forbidden, "removed_from_group", () => dot.RequestToJoinGroupAsync(cast.GroupId));

        // A member's invitation is not an owner's or admin's: it waits, and a rejection keeps the bar.
        var first = await cast.Member.InviteToGroupAsync(cast.GroupId, [dot.UserId]);
        Assert.Empty(first.Added);
        Assert.Equal([dot.UserId], first.Pending);
        Assert.Null((await dot.GetGroupAsync(cast.GroupId)).MyRole);
        var rejected = Assert.Single(await cast.Admin.GetJoinRequestsAsync(cast.GroupId, "pending"));
        Assert.Equal((dot.UserId, cast.Member.UserId), (rejected.UserId, rejected.InviterId));
        await cast.Admin.RejectJoinRequestAsync(cast.GroupId, rejected.Id);
        await Refused.WithAsync(HttpStatusCode.Forbidden, "removed_from_group", () => dot.RequestToJoinGroupAsync(cast.GroupId));

        // An approval lets them back in.
        Assert.Equal([dot.UserId], (await cast.Member.InviteToGroupAsync(cast.GroupId, [dot.UserId])).Pending);
        var waiting = Assert.Single(await cast.Admin.GetJoinRequestsAsync(cast.GroupId, "pending"));
        await cast.Admin.AcceptJoinRequestAsync(cast.GroupId, waiting.Id);
        Assert.Equal(GroupRole.Member, (await dot.GetGroupAsync(cast.GroupId)).MyRole);
        await dot.LeaveGroupAsync(cast.GroupId);
        Assert.Equal(RequestStatus.Accepted, (await dot.RequestToJoinGroupAsync(cast.GroupId)).Status);
    }

    [Fact]
    public async Task AMemberWhoLeftMayAskAgain()
    {
        using var cast = await GroupCast.StartAsync(_server, joinApproval: true);
        await cast.Member.LeaveGroupAsync(cast.GroupId);

        var request = await cast.Member.RequestToJoinGroupAsync(cast.GroupId, "changed my mind");

        Assert.Equal(RequestStatus.Pending, request.Status);
        await cast.Owner.AcceptJoinRequestAsync(cast.GroupId, request.Id);
        Assert.Equal(GroupRole.Member, (await cast.Member.GetGroupAsync(cast.GroupId)).MyRole);
    }

    [Fact]
    public async Task AnOpenGroupStillLetsAStrangerInAtOnce()
    {
        using var owner = await _server.NewUserAsync("owner");
        using var stranger = await _server.NewUserAsync("stranger");
        var group = await owner.CreateGroupAsync("Open on purpose", joinApproval: false);
        Assert.False(group.JoinApproval);

        Assert.Equal(RequestStatus.Accepted, (await stranger.RequestToJoinGroupAsync(group.Id)).Status);
        Assert.Equal(GroupRole.Member, (await stranger.GetGroupAsync(group.Id)).MyRole);
    }
}
