using System.Net;
using Parley.Client;
using Parley.IntegrationTests.Infrastructure;

namespace Parley.IntegrationTests.Groups;

/// <summary><c>POST /groups/{id}/mutes</c> and <c>DELETE /groups/{id}/mutes/{userId or all}</c>.</summary>
public sealed class MutesTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private readonly TestServer _server = fixture.Server;

    [Fact]
    public async Task AnAdminMutesAMemberUntilAFutureTimeAndUnmutesThem()
    {
        using var cast = await GroupCast.StartAsync(_server);
        var until = GroupTestKit.WholeSecondsFromNow(TimeSpan.FromHours(2));

        await cast.Admin.MuteAsync(cast.GroupId, cast.Member.UserId, until);

        var members = await cast.Member.MembersByIdAsync(cast.GroupId);
        Assert.Equal(until, members[cast.Member.UserId].MutedUntil);
        Assert.Null(members[cast.Admin.UserId].MutedUntil);
        Assert.Null(members[cast.Owner.UserId].MutedUntil);
        // Muting one member does not mute the group.
        Assert.Null((await cast.Member.GetGroupAsync(cast.GroupId)).MutedUntil);

        await cast.Admin.UnmuteAsync(cast.GroupId, cast.Member.UserId);
        Assert.Null((await cast.Member.MembersByIdAsync(cast.GroupId))[cast.Member.UserId].MutedUntil);
    }

    [Fact]
    public async Task TheOwnerMutesAndUnmutesAnAdmin()
    {
        using var cast = await GroupCast.StartAsync(_server);
        var until = GroupTestKit.WholeSecondsFromNow(TimeSpan.FromMinutes(30));

        await cast.Owner.MuteAsync(cast.GroupId, cast.Admin.UserId, until);
        Assert.Equal(until, (await cast.Owner.MembersByIdAsync(cast.GroupId))[cast.Admin.UserId].MutedUntil);

        await cast.Owner.UnmuteAsync(cast.GroupId, cast.Admin.UserId);
        Assert.Null((await cast.Owner.MembersByIdAsync(cast.GroupId))[cast.Admin.UserId].MutedUntil);
    }

    [Fact]
    public async Task AMuteMustEndInTheFuture()
    {
        using var cast = await GroupCast.StartAsync(_server);
        var past = GroupTestKit.WholeSecondsFromNow(TimeSpan.FromMinutes(-5));

        var refusal = await Refused.WithAsync(HttpStatusCode.BadRequest, "validation_failed", () =>
            cast.Admin.MuteAsync(cast.GroupId, cast.Member.UserId, past));
        Assert.True(refusal.Errors?.ContainsKey("until"));
        await Refused.WithAsync(HttpStatusCode.BadRequest, "validation_failed", () => cast.Owner.MuteAsync(cast.GroupId, null, past));

        Assert.Null((await cast.Owner.MembersByIdAsync(cast.GroupId))[cast.Member.UserId].MutedUntil);
        Assert.Null((await cast.Owner.GetGroupAsync(cast.GroupId)).MutedUntil);
    }

    [Fact]
    public async Task AMuteNeedsAWellFormedEndTime()
    {
        using var cast = await GroupCast.StartAsync(_server);
        var path = $"api/v1/groups/{cast.GroupId}/mutes";
        await Refused.WithAsync(HttpStatusCode.BadRequest, "validation_failed", () =>
            cast.Owner.SendRawOrThrowAsync(HttpMethod.Post, path, new { userId = cast.Member.UserId }));
        await Refused.WithAsync(HttpStatusCode.BadRequest, "invalid_json", () =>
            cast.Owner.SendRawOrThrowAsync(HttpMethod.Post, path, new { userId = cast.Member.UserId, until = "tomorrow" }));
        Assert.Null((await cast.Owner.MembersByIdAsync(cast.GroupId))[cast.Member.UserId].MutedUntil);
    }

    [Fact]
    public async Task AMemberCannotMuteOrUnmute()
    {
        using var cast = await GroupCast.StartAsync(_server);
        using var other = await _server.NewFriendAsync(cast.Owner, "other member");
        await cast.Owner.InviteToGroupAsync(cast.GroupId, [other.UserId]);
        var until = GroupTestKit.WholeSecondsFromNow(TimeSpan.FromHours(1));

        await Refused.WithAsync(HttpStatusCode.Forbidden, "not_group_admin", () => cast.Member.MuteAsync(cast.GroupId, other.UserId, until));
        await Refused.WithAsync(HttpStatusCode.Forbidden, "not_group_admin", () => cast.Member.MuteAsync(cast.GroupId, null, until));
        await Refused.WithAsync(HttpStatusCode.Forbidden, "not_group_member", () => cast.Outsider.MuteAsync(cast.GroupId, other.UserId, until));

        await cast.Admin.MuteAsync(cast.GroupId, other.UserId, until);
        await cast.Admin.MuteAsync(cast.GroupId, null, until);
        await Refused.WithAsync(HttpStatusCode.Forbidden, "not_group_admin", () => cast.Member.UnmuteAsync(cast.GroupId, other.UserId));
        await Refused.WithAsync(HttpStatusCode.Forbidden, "not_group_admin", () => cast.Member.UnmuteAsync(cast.GroupId, null));

        Assert.Equal(until, (await cast.Owner.MembersByIdAsync(cast.GroupId))[other.UserId].MutedUntil);
        Assert.Equal(until, (await cast.Owner.GetGroupAsync(cast.GroupId)).MutedUntil);
    }

    [Fact]
    public async Task AnAdminCannotMuteTheOwnerOrAnotherAdmin()
    {
        using var cast = await GroupCast.StartAsync(_server);
        using var secondAdmin = await _server.NewFriendAsync(cast.Owner, "second admin");
        await cast.Owner.InviteToGroupAsync(cast.GroupId, [secondAdmin.UserId]);
        await cast.Owner.SetGroupRoleAsync(cast.GroupId, secondAdmin.UserId, GroupRole.Admin);
        var until = GroupTestKit.WholeSecondsFromNow(TimeSpan.FromHours(1));

        await Refused.WithAsync(HttpStatusCode.Forbidden, "insufficient_role", () => cast.Admin.MuteAsync(cast.GroupId, cast.Owner.UserId, until));
        await Refused.WithAsync(HttpStatusCode.Forbidden, "insufficient_role", () => cast.Admin.MuteAsync(cast.GroupId, secondAdmin.UserId, until));
        Assert.All(await cast.Owner.GetGroupMembersAsync(cast.GroupId), m => Assert.Null(m.MutedUntil));

        // Nor lift the owner's mute of another admin.
        await cast.Owner.MuteAsync(cast.GroupId, secondAdmin.UserId, until);
        await Refused.WithAsync(HttpStatusCode.Forbidden, "insufficient_role", () => cast.Admin.UnmuteAsync(cast.GroupId, secondAdmin.UserId));
        Assert.Equal(until, (await cast.Owner.MembersByIdAsync(cast.GroupId))[secondAdmin.UserId].MutedUntil);
    }

    [Fact]
    public async Task MutingSomeoneWhoIsNotAMemberIsNotFound()
    {
        using var cast = await GroupCast.StartAsync(_server);
        var until = GroupTestKit.WholeSecondsFromNow(TimeSpan.FromHours(1));
        await Refused.WithAsync(HttpStatusCode.NotFound, "member_not_found", () => cast.Owner.MuteAsync(cast.GroupId, cast.Outsider.UserId, until));
        await Refused.WithAsync(HttpStatusCode.NotFound, "member_not_found", () => cast.Owner.UnmuteAsync(cast.GroupId, cast.Outsider.UserId));
    }

    [Fact]
    public async Task MutingTheWholeGroupShowsOnTheGroupUntilAllIsUnmuted()
    {
        using var cast = await GroupCast.StartAsync(_server);
        var until = GroupTestKit.WholeSecondsFromNow(TimeSpan.FromHours(3));
        var memberUntil = GroupTestKit.WholeSecondsFromNow(TimeSpan.FromHours(5));
        await cast.Admin.MuteAsync(cast.GroupId, cast.Member.UserId, memberUntil);

        await cast.Admin.MuteAsync(cast.GroupId, null, until);

        Assert.Equal(until, (await cast.Member.GetGroupAsync(cast.GroupId)).MutedUntil);
        Assert.Equal(until, Assert.Single(await cast.Member.GetGroupsAsync()).MutedUntil);
        Assert.Equal(until, (await cast.Outsider.GetGroupAsync(cast.GroupId)).MutedUntil);

        await cast.Admin.UnmuteAsync(cast.GroupId, null);

        Assert.Null((await cast.Member.GetGroupAsync(cast.GroupId)).MutedUntil);
        Assert.Null(Assert.Single(await cast.Owner.GetGroupsAsync()).MutedUntil);
        // Lifting the group's mute leaves a member's own mute alone.
        Assert.Equal(memberUntil, (await cast.Owner.MembersByIdAsync(cast.GroupId))[cast.Member.UserId].MutedUntil);
    }
}
