using System.Net;
using Parley.Client;
using Parley.IntegrationTests.Infrastructure;

namespace Parley.IntegrationTests.Groups;

/// <summary><c>GET /groups/{id}/members</c> and <c>POST /groups/{id}/members</c> (invitations).</summary>
public sealed class MembersAndInvitationsTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private readonly TestServer _server = fixture.Server;

    [Fact]
    public async Task MembersSeeEveryMemberWithRoleProfileAndJoinTime()
    {
        var before = DateTimeOffset.UtcNow.AddSeconds(-1);
        using var cast = await GroupCast.StartAsync(_server);
        using var late = await _server.NewFriendAsync(cast.Owner, "late");
        await Task.Delay(20);
        var invitedAt = DateTimeOffset.UtcNow.AddSeconds(-1);
        await cast.Owner.InviteToGroupAsync(cast.GroupId, [late.UserId]);
        var after = DateTimeOffset.UtcNow.AddSeconds(1);

        var members = await cast.Member.MembersByIdAsync(cast.GroupId);

        Assert.Equal(new[] { cast.Owner.UserId, cast.Admin.UserId, cast.Member.UserId, late.UserId }.Order(), members.Keys.Order());
        Assert.Equal(GroupRole.Owner, members[cast.Owner.UserId].Role);
        Assert.Equal(GroupRole.Admin, members[cast.Admin.UserId].Role);
        Assert.Equal(GroupRole.Member, members[cast.Member.UserId].Role);
        Assert.Equal(GroupRole.Member, members[late.UserId].Role);
        Assert.Equal("admin", members[cast.Admin.UserId].Nickname);
        Assert.Equal("late", members[late.UserId].Nickname);
        Assert.All(members.Values, m => Assert.InRange(m.JoinedAt, before, after));
        Assert.InRange(members[late.UserId].JoinedAt, invitedAt, after);
        Assert.True(members[late.UserId].JoinedAt > members[cast.Owner.UserId].JoinedAt, "the later invitee joined later");
        Assert.All(members.Values, m => Assert.Null(m.MutedUntil));
        // Every member sees the same list.
        Assert.Equal(members.Values.OrderBy(m => m.UserId), (await cast.Owner.GetGroupMembersAsync(cast.GroupId)).OrderBy(m => m.UserId));
    }

    [Fact]
    public async Task OnlyMembersMaySeeTheMemberList()
    {
        using var cast = await GroupCast.StartAsync(_server);
        await Refused.WithAsync(HttpStatusCode.Forbidden, "not_group_member", () => cast.Outsider.GetGroupMembersAsync(cast.GroupId));
    }

    [Fact]
    public async Task AnOwnersOrAdminsInvitationAddsFriendsAtOnceEvenWithApprovalOn()
    {
        using var cast = await GroupCast.StartAsync(_server, joinApproval: true);
        using var ownersFriend = await _server.NewFriendAsync(cast.Owner, "owners friend");
        using var adminsFriend = await _server.NewFriendAsync(cast.Admin, "admins friend");

        var byOwner = await cast.Owner.InviteToGroupAsync(cast.GroupId, [ownersFriend.UserId]);
        Assert.Equal([ownersFriend.UserId], byOwner.Added);
        Assert.Empty(byOwner.Pending);

        var byAdmin = await cast.Admin.InviteToGroupAsync(cast.GroupId, [adminsFriend.UserId]);
        Assert.Equal([adminsFriend.UserId], byAdmin.Added);
        Assert.Empty(byAdmin.Pending);

        var members = await cast.Owner.MembersByIdAsync(cast.GroupId);
        Assert.Equal((GroupRole.Member, cast.Owner.UserId), (members[ownersFriend.UserId].Role, members[ownersFriend.UserId].InvitedBy));
        Assert.Equal((GroupRole.Member, cast.Admin.UserId), (members[adminsFriend.UserId].Role, members[adminsFriend.UserId].InvitedBy));
        Assert.Equal(5, (await cast.Owner.GetGroupAsync(cast.GroupId)).MemberCount);
        Assert.Equal(GroupRole.Member, (await adminsFriend.GetGroupAsync(cast.GroupId)).MyRole);
        Assert.Empty(await cast.Owner.GetJoinRequestsAsync(cast.GroupId));
    }

    [Fact]
    public async Task InvitingSomeoneWhoIsAlreadyAMemberAddsNothing()
    {
        using var cast = await GroupCast.StartAsync(_server);
        var again = await cast.Owner.InviteToGroupAsync(cast.GroupId, [cast.Member.UserId, cast.Admin.UserId]);
        Assert.Empty(again.Added);
        Assert.Empty(again.Pending);
        var members = await cast.Owner.MembersByIdAsync(cast.GroupId);
        Assert.Equal(3, members.Count);
        Assert.Equal(GroupRole.Admin, members[cast.Admin.UserId].Role);
    }

    [Fact]
    public async Task AMembersInvitationAddsAtOnceWhenApprovalIsOff()
    {
        using var cast = await GroupCast.StartAsync(_server, joinApproval: false);
        using var membersFriend = await _server.NewFriendAsync(cast.Member, "members friend");

        var result = await cast.Member.InviteToGroupAsync(cast.GroupId, [membersFriend.UserId]);

        Assert.Equal([membersFriend.UserId], result.Added);
        Assert.Empty(result.Pending);
        var members = await cast.Owner.MembersByIdAsync(cast.GroupId);
        Assert.Equal(cast.Member.UserId, members[membersFriend.UserId].InvitedBy);
        Assert.Contains(await membersFriend.GetGroupsAsync(), g => g.Id == cast.GroupId);
    }

    [Fact]
    public async Task AMembersInvitationWaitsForAnAdminWhenApprovalIsOn()
    {
        using var cast = await GroupCast.StartAsync(_server, joinApproval: true);
        using var membersFriend = await _server.NewFriendAsync(cast.Member, "members friend");

        var result = await cast.Member.InviteToGroupAsync(cast.GroupId, [membersFriend.UserId]);

        Assert.Empty(result.Added);
        Assert.Equal([membersFriend.UserId], result.Pending);
        Assert.DoesNotContain(membersFriend.UserId, (await cast.Owner.MembersByIdAsync(cast.GroupId)).Keys);
        Assert.Null((await membersFriend.GetGroupAsync(cast.GroupId)).MyRole);

        var request = Assert.Single(await cast.Admin.GetJoinRequestsAsync(cast.GroupId));
        Assert.Equal((membersFriend.UserId, cast.Member.UserId, RequestStatus.Pending), (request.UserId, request.InviterId, request.Status));
        Assert.Equal("members friend", request.User?.Nickname);

        // Inviting again while it waits makes no second request.
        var again = await cast.Member.InviteToGroupAsync(cast.GroupId, [membersFriend.UserId]);
        Assert.Equal([membersFriend.UserId], again.Pending);
        Assert.Single(await cast.Admin.GetJoinRequestsAsync(cast.GroupId));

        var accepted = await cast.Admin.AcceptJoinRequestAsync(cast.GroupId, request.Id);
        Assert.Equal((RequestStatus.Accepted, cast.Admin.UserId), (accepted.Status, accepted.HandledBy));
        var member = (await cast.Owner.MembersByIdAsync(cast.GroupId))[membersFriend.UserId];
        Assert.Equal((GroupRole.Member, cast.Member.UserId), (member.Role, member.InvitedBy));
        Assert.Equal(GroupRole.Member, (await membersFriend.GetGroupAsync(cast.GroupId)).MyRole);
    }

    [Fact]
    public async Task OnlyFriendsCanBeInvited()
    {
        using var cast = await GroupCast.StartAsync(_server);
        using var stranger = await _server.NewUserAsync("stranger");
        using var ownersFriend = await _server.NewFriendAsync(cast.Owner, "friend");

        await Refused.WithAsync(HttpStatusCode.Forbidden, "not_friends", () =>
            cast.Owner.InviteToGroupAsync(cast.GroupId, [ownersFriend.UserId, stranger.UserId]));
        // The owner's friend is not the admin's friend.
        await Refused.WithAsync(HttpStatusCode.Forbidden, "not_friends", () => cast.Admin.InviteToGroupAsync(cast.GroupId, [ownersFriend.UserId]));

        // All or nothing: the friend named beside the stranger was not added either.
        Assert.Equal(3, (await cast.Owner.GetGroupMembersAsync(cast.GroupId)).Count);
    }

    [Fact]
    public async Task AnOutsiderCannotInviteAndAnInvitationNamesSomeone()
    {
        using var cast = await GroupCast.StartAsync(_server);
        using var outsidersFriend = await _server.NewFriendAsync(cast.Outsider, "outsiders friend");
        await Refused.WithAsync(HttpStatusCode.Forbidden, "not_group_member", () =>
            cast.Outsider.InviteToGroupAsync(cast.GroupId, [outsidersFriend.UserId]));
        await Refused.WithAsync(HttpStatusCode.BadRequest, "validation_failed", () => cast.Owner.InviteToGroupAsync(cast.GroupId, []));
        await Refused.WithAsync(HttpStatusCode.BadRequest, "validation_failed", () => cast.Owner.InviteToGroupAsync(cast.GroupId, ["12x"]));
        await Refused.WithAsync(HttpStatusCode.BadRequest, "validation_failed", () =>
            cast.Owner.SendRawOrThrowAsync(HttpMethod.Post, $"api/v1/groups/{cast.GroupId}/members", new { }));
        Assert.Equal(3, (await cast.Owner.GetGroupMembersAsync(cast.GroupId)).Count);
    }
}
