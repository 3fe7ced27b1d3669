using System.Net;
using Parley.Client;
using Parley.IntegrationTests.Infrastructure;

namespace Parley.IntegrationTests.Groups;

/// <summary><c>PATCH</c> and <c>DELETE /groups/{id}/members/{userId}</c>: roles, ownership, removing and leaving.</summary>
public sealed class RolesRemovalAndLeavingTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private readonly TestServer _server = fixture.Server;

    [Fact]
    public async Task TheOwnerMakesAndUnmakesAdmins()
    {
        using var cast = await GroupCast.StartAsync(_server);

        var promoted = await cast.Owner.SetGroupRoleAsync(cast.GroupId, cast.Member.UserId, GroupRole.Admin);
        Assert.Equal((cast.Member.UserId, GroupRole.Admin), (promoted.UserId, promoted.Role));
        Assert.Equal(GroupRole.Admin, (await cast.Owner.MembersByIdAsync(cast.GroupId))[cast.Member.UserId].Role);
        Assert.Equal(GroupRole.Admin, (await cast.Member.GetGroupAsync(cast.GroupId)).MyRole);
        // The role is real: the new admin may now change the details.
        await cast.Member.UpdateGroupAsync(cast.GroupId, new UpdateGroupBody { Notice = "I am an admin now" });

        var demoted = await cast.Owner.SetGroupRoleAsync(cast.GroupId, cast.Member.UserId, GroupRole.Member);
        Assert.Equal(GroupRole.Member, demoted.Role);
        Assert.Equal(GroupRole.Member, (await cast.Owner.MembersByIdAsync(cast.GroupId))[cast.Member.UserId].Role);
        await Refused.WithAsync(HttpStatusCode.Forbidden, "not_group_admin", () =>
            cast.Member.UpdateGroupAsync(cast.GroupId, new UpdateGroupBody { Notice = "Not any more" }));
    }

    [Fact]
    public async Task TheOwnerTransfersOwnershipAndStaysOnAsAnAdmin()
    {
        using var cast = await GroupCast.StartAsync(_server);

        var newOwner = await cast.Owner.SetGroupRoleAsync(cast.GroupId, cast.Member.UserId, GroupRole.Owner);

        Assert.Equal(GroupRole.Owner, newOwner.Role);
        var group = await cast.Member.GetGroupAsync(cast.GroupId);
        Assert.Equal(cast.Member.UserId, group.OwnerId);
        Assert.Equal(GroupRole.Owner, group.MyRole);
        Assert.Equal(GroupRole.Admin, (await cast.Owner.GetGroupAsync(cast.GroupId)).MyRole);
        var members = await cast.Admin.MembersByIdAsync(cast.GroupId);
        Assert.Equal(GroupRole.Owner, members[cast.Member.UserId].Role);
        Assert.Equal(GroupRole.Admin, members[cast.Owner.UserId].Role);
        Assert.Equal(GroupRole.Admin, members[cast.Admin.UserId].Role);
        Assert.Single(members.Values, m => m.Role == GroupRole.Owner);

        // The powers moved with the title.
        await Refused.WithAsync(HttpStatusCode.Forbidden, "not_group_owner", () => cast.Owner.DissolveGroupAsync(cast.GroupId));
        await Refused.WithAsync(HttpStatusCode.Forbidden, "not_group_owner", () =>
            cast.Owner.SetGroupRoleAsync(cast.GroupId, cast.Admin.UserId, GroupRole.Member));
        await cast.Member.SetGroupRoleAsync(cast.GroupId, cast.Admin.UserId, GroupRole.Member);
        await cast.Member.RemoveGroupMemberAsync(cast.GroupId, cast.Owner.UserId);
        Assert.Equal(new[] { cast.Admin.UserId, cast.Member.UserId }.Order(), (await cast.Member.MembersByIdAsync(cast.GroupId)).Keys.Order());
    }

    [Fact]
    public async Task OnlyTheOwnerChangesRoles()
    {
        using var cast = await GroupCast.StartAsync(_server);
        await Refused.WithAsync(HttpStatusCode.Forbidden, "not_group_owner", () =>
            cast.Admin.SetGroupRoleAsync(cast.GroupId, cast.Member.UserId, GroupRole.Admin));
        await Refused.WithAsync(HttpStatusCode.Forbidden, "not_group_owner", () =>
            cast.Admin.SetGroupRoleAsync(cast.GroupId, cast.Admin.UserId, GroupRole.Owner));
        await Refused.WithAsync(HttpStatusCode.Forbidden, "not_group_owner", () =>
            cast.Admin.SetGroupRoleAsync(cast.GroupId, cast.Owner.UserId, GroupRole.Member));
        await Refused.WithAsync(HttpStatusCode.Forbidden, "not_group_owner", () =>
            cast.Member.SetGroupRoleAsync(cast.GroupId, cast.Member.UserId, GroupRole.Admin));
        await Refused.WithAsync(HttpStatusCode.Forbidden, "not_group_member", () =>
            cast.Outsider.SetGroupRoleAsync(cast.GroupId, cast.Member.UserId, GroupRole.Admin));

        var members = await cast.Owner.MembersByIdAsync(cast.GroupId);
        Assert.Equal((GroupRole.Owner, GroupRole.Admin, GroupRole.Member),
            (members[cast.Owner.UserId].Role, members[cast.Admin.UserId].Role, members[cast.Member.UserId].Role));
        Assert.Equal(cast.Owner.UserId, (await cast.Owner.GetGroupAsync(cast.GroupId)).OwnerId);
    }

    [Fact]
    public async Task BadRoleChangesAreRefused()
    {
        using var cast = await GroupCast.StartAsync(_server);
        var path = $"api/v1/groups/{cast.GroupId}/members/{cast.Member.UserId}";

        await Refused.WithAsync(HttpStatusCode.BadRequest, "cannot_change_own_role", () =>
            cast.Owner.SetGroupRoleAsync(cast.GroupId, cast.Owner.UserId, GroupRole.Member));
        await Refused.WithAsync(HttpStatusCode.NotFound, "member_not_found", () =>
            cast.Owner.SetGroupRoleAsync(cast.GroupId, cast.Outsider.UserId, GroupRole.Admin));
        await Refused.WithAsync(HttpStatusCode.BadRequest, "validation_failed", () => cast.Owner.SendRawOrThrowAsync(HttpMethod.Patch, path, new { }));
        await Refused.WithAsync(HttpStatusCode.BadRequest, "validation_failed", () => cast.Owner.SendRawOrThrowAsync(HttpMethod.Patch, path, new { role = 7 }));
        await Refused.WithAsync(HttpStatusCode.BadRequest, "invalid_json", () => cast.Owner.SendRawOrThrowAsync(HttpMethod.Patch, path, new { role = "emperor" }));

        Assert.Equal(GroupRole.Owner, (await cast.Owner.GetGroupAsync(cast.GroupId)).MyRole);
        Assert.Equal(GroupRole.Member, (await cast.Owner.MembersByIdAsync(cast.GroupId))[cast.Member.UserId].Role);
    }

    [Fact]
    public async Task TheOwnerRemovesAnAdminAndAMember()
    {
        using var cast = await GroupCast.StartAsync(_server);

        await cast.Owner.RemoveGroupMemberAsync(cast.GroupId, cast.Admin.UserId);
        await cast.Owner.RemoveGroupMemberAsync(cast.GroupId, cast.Member.UserId);

        Assert.Equal([cast.Owner.UserId], (await cast.Owner.MembersByIdAsync(cast.GroupId)).Keys);
        Assert.Equal(1, (await cast.Owner.GetGroupAsync(cast.GroupId)).MemberCount);
        foreach (var removed in new[] { cast.Admin, cast.Member })
        {
            Assert.Empty(await removed.GetGroupsAsync());
            Assert.Null((await removed.GetGroupAsync(cast.GroupId)).MyRole);
            await Refused.WithAsync(HttpStatusCode.Forbidden, "not_group_member", () => removed.GetGroupMembersAsync(cast.GroupId));
        }
    }

    [Fact]
    public async Task AnAdminRemovesAMemberButNotAnotherAdminOrTheOwner()
    {
        using var cast = await GroupCast.StartAsync(_server);
        using var secondAdmin = await _server.NewFriendAsync(cast.Owner, "second admin");
        await cast.Owner.InviteToGroupAsync(cast.GroupId, [secondAdmin.UserId]);
        await cast.Owner.SetGroupRoleAsync(cast.GroupId, secondAdmin.UserId, GroupRole.Admin);

        await Refused.WithAsync(HttpStatusCode.Forbidden, "insufficient_role", () => cast.Admin.RemoveGroupMemberAsync(cast.GroupId, secondAdmin.UserId));
        await Refused.WithAsync(HttpStatusCode.Forbidden, "insufficient_role", () => cast.Admin.RemoveGroupMemberAsync(cast.GroupId, cast.Owner.UserId));
        Assert.Equal(4, (await cast.Owner.GetGroupMembersAsync(cast.GroupId)).Count);

        await cast.Admin.RemoveGroupMemberAsync(cast.GroupId, cast.Member.UserId);
        Assert.Equal(new[] { cast.Owner.UserId, cast.Admin.UserId, secondAdmin.UserId }.Order(),
            (await cast.Owner.MembersByIdAsync(cast.GroupId)).Keys.Order());
        Assert.Empty(await cast.Member.GetGroupsAsync());
    }

    [Fact]
    public async Task AMemberCannotRemoveAnyone()
    {
        using var cast = await GroupCast.StartAsync(_server);
        using var other = await _server.NewFriendAsync(cast.Owner, "other member");
        await cast.Owner.InviteToGroupAsync(cast.GroupId, [other.UserId]);

        foreach (var target in new[] { other, cast.Admin, cast.Owner })
            await Refused.WithAsync(HttpStatusCode.Forbidden, "insufficient_role", () => cast.Member.RemoveGroupMemberAsync(cast.GroupId, target.UserId));
        await Refused.WithAsync(HttpStatusCode.Forbidden, "not_group_member", () => cast.Outsider.RemoveGroupMemberAsync(cast.GroupId, other.UserId));
        Assert.Equal(4, (await cast.Owner.GetGroupMembersAsync(cast.GroupId)).Count);
    }

    [Fact]
    public async Task RemovingSomeoneWhoIsNotAMemberIsNotFound()
    {
        using var cast = await GroupCast.StartAsync(_server);
        await Refused.WithAsync(HttpStatusCode.NotFound, "member_not_found", () => cast.Owner.RemoveGroupMemberAsync(cast.GroupId, cast.Outsider.UserId));
        await Refused.WithAsync(HttpStatusCode.NotFound, "member_not_found", () => cast.Owner.RemoveGroupMemberAsync(cast.GroupId, "not-an-id"));
    }

    [Fact]
    public async Task MembersAndAdminsLeave()
    {
        using var cast = await GroupCast.StartAsync(_server);

        await cast.Member.LeaveGroupAsync(cast.GroupId);
        await cast.Admin.LeaveGroupAsync(cast.GroupId);

        Assert.Empty(await cast.Member.GetGroupsAsync());
        Assert.Empty(await cast.Admin.GetGroupsAsync());
        var group = await cast.Owner.GetGroupAsync(cast.GroupId);
        Assert.Equal(1, group.MemberCount);
        Assert.Equal([cast.Owner.UserId], (await cast.Owner.MembersByIdAsync(cast.GroupId)).Keys);
        // Leaving twice: no longer a member.
        await Refused.WithAsync(HttpStatusCode.Forbidden, "not_group_member", () => cast.Member.LeaveGroupAsync(cast.GroupId));
    }

    [Fact]
    public async Task TheOwnerCannotLeaveUntilTheyTransferOwnership()
    {
        using var cast = await GroupCast.StartAsync(_server);

        await Refused.WithAsync(HttpStatusCode.Conflict, "owner_must_transfer", () => cast.Owner.LeaveGroupAsync(cast.GroupId));
        Assert.Equal(GroupRole.Owner, (await cast.Owner.GetGroupAsync(cast.GroupId)).MyRole);

        await cast.Owner.SetGroupRoleAsync(cast.GroupId, cast.Admin.UserId, GroupRole.Owner);
        await cast.Owner.LeaveGroupAsync(cast.GroupId);

        Assert.Empty(await cast.Owner.GetGroupsAsync());
        var group = await cast.Admin.GetGroupAsync(cast.GroupId);
        Assert.Equal((cast.Admin.UserId, GroupRole.Owner, 2), (group.OwnerId, group.MyRole, group.MemberCount));
        // And the new owner is bound by the same rule.
        await Refused.WithAsync(HttpStatusCode.Conflict, "owner_must_transfer", () => cast.Admin.LeaveGroupAsync(cast.GroupId));
    }
}
