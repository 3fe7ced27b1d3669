using System.Net;
using Parley.Client;
using Parley.IntegrationTests.Infrastructure;

namespace Parley.IntegrationTests.Groups;

/// <summary><c>PATCH /groups/{id}</c> and <c>DELETE /groups/{id}</c>.</summary>
public sealed class ManagingGroupsTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private readonly TestServer _server = fixture.Server;

    [Fact]
    public async Task TheOwnerChangesTheNameIconNoticeAndJoinApproval()
    {
        using var cast = await GroupCast.StartAsync(_server, joinApproval: false, name: "Before");

        var updated = await cast.Owner.UpdateGroupAsync(cast.GroupId, new UpdateGroupBody
        {
            Name = "After", Icon = "https://cdn.example.test/after.png", Notice = "Be kind", JoinApproval = true,
        });

        Assert.Equal("After", updated.Name);
        Assert.Equal("https://cdn.example.test/after.png", updated.Icon);
        Assert.Equal("Be kind", updated.Notice);
        Assert.True(updated.JoinApproval);
        Assert.Equal(GroupRole.Owner, updated.MyRole);
        Assert.Equal(3, updated.MemberCount);
        // Everyone reads the change, not only the one who made it.
        var seen = await cast.Member.GetGroupAsync(cast.GroupId);
        Assert.Equal(("After", "https://cdn.example.test/after.png", "Be kind", true), (seen.Name, seen.Icon, seen.Notice, seen.JoinApproval));
        Assert.Equal("After", Assert.Single(await cast.Member.GetGroupsAsync()).Name);
    }

    [Fact]
    public async Task AnAdminChangesTheDetailsToo()
    {
        using var cast = await GroupCast.StartAsync(_server, joinApproval: true);

        var updated = await cast.Admin.UpdateGroupAsync(cast.GroupId, new UpdateGroupBody
        {
            Name = "Renamed by admin", Icon = "https://cdn.example.test/admin.png", Notice = "From the admin", JoinApproval = false,
        });

        Assert.Equal(GroupRole.Admin, updated.MyRole);
        var seen = await cast.Owner.GetGroupAsync(cast.GroupId);
        Assert.Equal(("Renamed by admin", "https://cdn.example.test/admin.png", "From the admin", false),
            (seen.Name, seen.Icon, seen.Notice, seen.JoinApproval));
    }

    [Fact]
    public async Task AnUpdateChangesOnlyTheFieldsItNamesAndEmptyStringsClearTheIconAndNotice()
    {
        using var cast = await GroupCast.StartAsync(_server, joinApproval: true, name: "Keep me");
        await cast.Owner.UpdateGroupAsync(cast.GroupId, new UpdateGroupBody { Icon = "https://cdn.example.test/i.png", Notice = "Hello" });

        var onlyNotice = await cast.Owner.UpdateGroupAsync(cast.GroupId, new UpdateGroupBody { Notice = "Changed" });
        Assert.Equal(("Keep me", "https://cdn.example.test/i.png", "Changed", true),
            (onlyNotice.Name, onlyNotice.Icon, onlyNotice.Notice, onlyNotice.JoinApproval));

        var cleared = await cast.Owner.UpdateGroupAsync(cast.GroupId, new UpdateGroupBody { Icon = "", Notice = "" });
        Assert.Null(cleared.Icon);
        Assert.Null(cleared.Notice);
        Assert.Equal("Keep me", (await cast.Member.GetGroupAsync(cast.GroupId)).Name);
    }

    [Fact]
    public async Task APlainMemberCannotChangeTheDetails()
    {
        using var cast = await GroupCast.StartAsync(_server, name: "Unchanged");
        await Refused.WithAsync(HttpStatusCode.Forbidden, "not_group_admin", () =>
            cast.Member.UpdateGroupAsync(cast.GroupId, new UpdateGroupBody { Name = "Hijacked", JoinApproval = true }));
        var group = await cast.Owner.GetGroupAsync(cast.GroupId);
        Assert.Equal(("Unchanged", false), (group.Name, group.JoinApproval));
    }

    [Fact]
    public async Task ANonMemberCannotChangeTheDetails()
    {
        using var cast = await GroupCast.StartAsync(_server, name: "Unchanged");
        await Refused.WithAsync(HttpStatusCode.Forbidden, "not_group_member", () =>
            cast.Outsider.UpdateGroupAsync(cast.GroupId, new UpdateGroupBody { Notice = "Spam" }));
        Assert.Null((await cast.Owner.GetGroupAsync(cast.GroupId)).Notice);
    }

    [Fact]
    public async Task BadDetailsAreRefused()
    {
        using var cast = await GroupCast.StartAsync(_server, name: "Valid");
        foreach (var bad in new[]
                 {
                     new UpdateGroupBody { Name = "" },
                     new UpdateGroupBody { Name = "  " },
                     new UpdateGroupBody { Name = new string('n', 65) },
                     new UpdateGroupBody { Notice = new string('n', 2001) },
                 })
            await Refused.WithAsync(HttpStatusCode.BadRequest, "validation_failed", () => cast.Owner.UpdateGroupAsync(cast.GroupId, bad));

        var group = await cast.Owner.GetGroupAsync(cast.GroupId);
        Assert.Equal(("Valid", (string?)null), (group.Name, group.Notice));
        var longest = await cast.Owner.UpdateGroupAsync(cast.GroupId, new UpdateGroupBody { Notice = new string('n', 2000) });
        Assert.Equal(2000, longest.Notice?.Length);
    }

    [Fact]
    public async Task OnlyTheOwnerDissolvesTheGroup()
    {
        using var cast = await GroupCast.StartAsync(_server);
        await Refused.WithAsync(HttpStatusCode.Forbidden, "not_group_owner", () => cast.Admin.DissolveGroupAsync(cast.GroupId));
        await Refused.WithAsync(HttpStatusCode.Forbidden, "not_group_owner", () => cast.Member.DissolveGroupAsync(cast.GroupId));
        await Refused.WithAsync(HttpStatusCode.Forbidden, "not_group_member", () => cast.Outsider.DissolveGroupAsync(cast.GroupId));

        var group = await cast.Owner.GetGroupAsync(cast.GroupId);
        Assert.Equal(3, group.MemberCount);
        Assert.Equal(3, (await cast.Member.GetGroupMembersAsync(cast.GroupId)).Count);
    }

    [Fact]
    public async Task ADissolvedGroupIsGoneForEveryone()
    {
        using var cast = await GroupCast.StartAsync(_server, joinApproval: true);
        using var other = await _server.NewUserAsync();
        var keep = await cast.Owner.CreateGroupAsync("Another of the owner's groups", [cast.Member.UserId]);
        var pending = await other.RequestToJoinGroupAsync(cast.GroupId, "let me in");
        Assert.Equal(RequestStatus.Pending, pending.Status);

        await cast.Owner.DissolveGroupAsync(cast.GroupId);

        foreach (var person in new[] { cast.Owner, cast.Admin, cast.Member, cast.Outsider })
        {
            await Refused.WithAsync(HttpStatusCode.NotFound, "group_not_found", () => person.GetGroupAsync(cast.GroupId));
            Assert.DoesNotContain(await person.GetGroupsAsync(), g => g.Id == cast.GroupId);
        }
        await Refused.WithAsync(HttpStatusCode.NotFound, "group_not_found", () => cast.Owner.GetGroupMembersAsync(cast.GroupId));
        await Refused.WithAsync(HttpStatusCode.NotFound, "group_not_found", () => cast.Owner.DissolveGroupAsync(cast.GroupId));
        await Refused.WithAsync(HttpStatusCode.NotFound, "group_not_found", () =>
            cast.Owner.UpdateGroupAsync(cast.GroupId, new UpdateGroupBody { Name = "Back from the dead" }));
        await Refused.WithAsync(HttpStatusCode.NotFound, "group_not_found", () => other.RequestToJoinGroupAsync(cast.GroupId));
        await Refused.WithAsync(HttpStatusCode.NotFound, "group_not_found", () => cast.Admin.AcceptJoinRequestAsync(cast.GroupId, pending.Id));

        // The owner's other groups are untouched.
        Assert.Equal(new[] { keep.Id }, (await cast.Owner.GetGroupsAsync()).Select(g => g.Id));
        Assert.Equal(new[] { keep.Id }, (await cast.Member.GetGroupsAsync()).Select(g => g.Id));
        Assert.Equal(2, (await cast.Member.GetGroupAsync(keep.Id)).MemberCount);
    }
}
