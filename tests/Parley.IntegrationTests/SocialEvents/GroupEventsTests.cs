using System.Net;
using Parley.Client;
using Parley.IntegrationTests.Groups;
using Parley.IntegrationTests.Infrastructure;

namespace Parley.IntegrationTests.SocialEvents;

public sealed class GroupEventsTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private readonly TestServer _server = fixture.Server;

    /// <summary>A <see cref="GroupCast"/> with one connected device each.</summary>
    private sealed class Online : IAsyncDisposable
    {
        public required GroupCast Cast { get; init; }
        public required Device Owner { get; init; }
        public required Device Admin { get; init; }
        public required Device Member { get; init; }
        public required Device Outsider { get; init; }
        public Device[] Members => [Owner, Admin, Member];

        public async ValueTask DisposeAsync()
        {
            foreach (var device in new[] { Owner, Admin, Member, Outsider }) await device.DisposeAsync();
            Cast.Dispose();
        }
    }

    private async Task<Online> OnlineCastAsync(bool joinApproval = false)
    {
        var cast = await GroupCast.StartAsync(_server, joinApproval);
        return new Online
        {
            Cast = cast,
            Owner = await Device.ConnectAsync(cast.Owner),
            Admin = await Device.ConnectAsync(cast.Admin),
            Member = await Device.ConnectAsync(cast.Member),
            Outsider = await Device.ConnectAsync(cast.Outsider),
        };
    }

    private static async Task<List<ServerFrame>> GroupEventsAsync(Device device) =>
        (await device.SoFarAsync()).Where(f => f.Type.StartsWith("group.", StringComparison.Ordinal)).ToList();

    [Fact]
    public async Task CreatingAGroupWithMembersTellsEveryMemberWhoJoined()
    {
        using var owner = await _server.NewUserAsync("owner");
        using var ann = await _server.NewFriendAsync(owner, "ann");
        using var ben = await _server.NewFriendAsync(owner, "ben");
        using var stranger = await _server.NewFriendAsync(owner, "stranger");
        await using var ownerPhone = await Device.ConnectAsync(owner);
        await using var annPhone = await Device.ConnectAsync(ann);
        await using var benPhone = await Device.ConnectAsync(ben);
        await using var strangerPhone = await Device.ConnectAsync(stranger);

        var group = await owner.CreateGroupAsync("picnic", [ann.UserId, ben.UserId]);

        foreach (var device in new[] { ownerPhone, annPhone, benPhone })
        {
            var joined = Assert.Single(await device.OfTypeAsync("group.member.joined")).As<GroupMembersEvent>();
            Assert.Equal(group.Id, joined.GroupId);
            Assert.Equal(owner.UserId, joined.By);
            Assert.Equal(new[] { ann.UserId, ben.UserId }.Order(), joined.Members.Select(m => m.UserId).Order());
            Assert.All(joined.Members, m => Assert.Equal(GroupRole.Member, m.Role));
            Assert.All(joined.Members, m => Assert.Equal(owner.UserId, m.InvitedBy));
        }
        Assert.Empty(await GroupEventsAsync(strangerPhone));
    }

    [Fact]
    public async Task ChangingTheGroupTellsEachMemberWithTheirOwnRoleAndNoOneElse()
    {
        await using var online = await OnlineCastAsync();
        var groupId = online.Cast.GroupId;

        await online.Cast.Admin.UpdateGroupAsync(groupId, new UpdateGroupBody { Name = "Renamed", Notice = "Be kind", JoinApproval = true });

        foreach (var (device, role) in new[] { (online.Owner, "owner"), (online.Admin, "admin"), (online.Member, "member") })
        {
            var frame = Assert.Single(await device.OfTypeAsync("group.updated"));
            var group = frame.As<GroupUpdatedEvent>().Group;
            Assert.Equal(groupId, group.Id);
            Assert.Equal("Renamed", group.Name);
            Assert.Equal("Be kind", group.Notice);
            Assert.True(group.JoinApproval);
            Assert.Equal(3, group.MemberCount);
            Assert.Equal(role, frame.Data.GetProperty("group").GetProperty("myRole").GetString());
            // The same view as GET /groups/{id} gives that member.
            var client = device == online.Owner ? online.Cast.Owner : device == online.Admin ? online.Cast.Admin : online.Cast.Member;
            Assert.Equal(await client.GetGroupAsync(groupId), group);
        }
        Assert.Empty(await GroupEventsAsync(online.Outsider));

        // A refused change tells nobody anything.
        await Refused.WithAsync(HttpStatusCode.Forbidden, "not_group_admin",
            () => online.Cast.Member.UpdateGroupAsync(groupId, new UpdateGroupBody { Name = "Mine now" }));
        // A change to nothing new says nothing either.
        await online.Cast.Owner.UpdateGroupAsync(groupId, new UpdateGroupBody { Name = "Renamed" });
        foreach (var device in online.Members) Assert.Single(await device.OfTypeAsync("group.updated"));
    }

    [Fact]
    public async Task InvitationsByManagersAndJoinsWithoutApprovalReachEveryMemberAndTheNewcomers()
    {
        await using var online = await OnlineCastAsync();
        var groupId = online.Cast.GroupId;
        using var dan = await _server.NewFriendAsync(online.Cast.Admin, "dan");
        await using var danPhone = await Device.ConnectAsync(dan);

        await online.Cast.Admin.InviteToGroupAsync(groupId, [dan.UserId]);

        foreach (var device in online.Members.Append(danPhone))
        {
            var joined = Assert.Single(await device.OfTypeAsync("group.member.joined")).As<GroupMembersEvent>();
            Assert.Equal(groupId, joined.GroupId);
            Assert.Equal(online.Cast.Admin.UserId, joined.By);
            var dansRow = Assert.Single(joined.Members);
            Assert.Equal(dan.UserId, dansRow.UserId);
            Assert.Equal("dan", dansRow.Nickname);
            Assert.Equal(GroupRole.Member, dansRow.Role);
        }
        Assert.Empty(await GroupEventsAsync(online.Outsider));

        // The outsider joins by themselves (no approval needed): no "by".
        await online.Cast.Outsider.RequestToJoinGroupAsync(groupId);
        foreach (var device in online.Members.Append(danPhone).Append(online.Outsider))
        {
            var joined = (await device.OfTypeAsync("group.member.joined")).Last().As<GroupMembersEvent>();
            Assert.Null(joined.By);
            Assert.Equal(online.Cast.Outsider.UserId, Assert.Single(joined.Members).UserId);
        }
    }

    [Fact]
    public async Task RequestsWaitingForApprovalGoToManagersAndTheirHandlingToEveryoneConcerned()
    {
        await using var online = await OnlineCastAsync(joinApproval: true);
        var groupId = online.Cast.GroupId;
        using var eve = await _server.NewFriendAsync(online.Cast.Member, "eve");
        await using var evePhone = await Device.ConnectAsync(eve);

        // A plain member's invitation needs approval: owner and admin hear of it, as do the inviter and the invitee.
        var invited = await online.Cast.Member.InviteToGroupAsync(groupId, [eve.UserId]);
        Assert.Equal([eve.UserId], invited.Pending);
        foreach (var device in new[] { online.Owner, online.Admin, online.Member, evePhone })
        {
            var waiting = Assert.Single(await device.OfTypeAsync("group.join-request")).As<GroupJoinRequestEvent>();
            Assert.Equal(groupId, waiting.GroupId);
            Assert.Equal(RequestStatus.Pending, waiting.Request.Status);
            Assert.Equal(eve.UserId, waiting.Request.UserId);
            Assert.Equal(online.Cast.Member.UserId, waiting.Request.InviterId);
            Assert.Equal("eve", waiting.Request.User!.Nickname);
        }
        Assert.Empty(await online.Owner.OfTypeAsync("group.member.joined"));

        // The outsider asks: only the managers (and the outsider) hear of it.
        var asked = await online.Cast.Outsider.RequestToJoinGroupAsync(groupId, "let me in");
        Assert.Equal(RequestStatus.Pending, asked.Status);
        Assert.Equal("let me in", (await online.Admin.OfTypeAsync("group.join-request"))[^1].As<GroupJoinRequestEvent>().Request.Message);
        Assert.Single(await online.Member.OfTypeAsync("group.join-request"));
        Assert.Single(await evePhone.OfTypeAsync("group.join-request"));

        // The owner accepts Eve: everyone, Eve included, sees her join; the request's handling goes out too.
        var pendingEve = Assert.Single(await online.Cast.Owner.GetJoinRequestsAsync(groupId, "pending"), r => r.UserId == eve.UserId);
        await online.Cast.Owner.AcceptJoinRequestAsync(groupId, pendingEve.Id);
        foreach (var device in online.Members.Append(evePhone))
        {
            var joined = Assert.Single(await device.OfTypeAsync("group.member.joined")).As<GroupMembersEvent>();
            Assert.Equal(online.Cast.Owner.UserId, joined.By);
            Assert.Equal(eve.UserId, Assert.Single(joined.Members).UserId);
            Assert.Equal(online.Cast.Member.UserId, joined.Members[0].InvitedBy);
        }
        var handled = (await evePhone.OfTypeAsync("group.join-request"))[^1].As<GroupJoinRequestEvent>().Request;
        Assert.Equal(RequestStatus.Accepted, handled.Status);
        Assert.Equal(online.Cast.Owner.UserId, handled.HandledBy);
        Assert.Empty(await online.Outsider.OfTypeAsync("group.member.joined"));

        // The admin rejects the outsider: they hear of it, and nobody hears of a join.
        await online.Cast.Admin.RejectJoinRequestAsync(groupId, asked.Id);
        Assert.Equal(RequestStatus.Rejected, (await online.Outsider.OfTypeAsync("group.join-request"))[^1].As<GroupJoinRequestEvent>().Request.Status);
        Assert.Empty(await online.Outsider.OfTypeAsync("group.member.joined"));
        Assert.Single(await online.Owner.OfTypeAsync("group.member.joined"));
    }

    [Fact]
    public async Task LeavingAndRemovalTellTheRemainingMembersAndTheOneWhoWent_ThenTheyHearNoMore()
    {
        await using var online = await OnlineCastAsync();
        var groupId = online.Cast.GroupId;

        await online.Cast.Member.LeaveGroupAsync(groupId);
        foreach (var device in online.Members)
        {
            var left = Assert.Single(await device.OfTypeAsync("group.member.left")).As<GroupMemberLeftEvent>();
            Assert.Equal(new GroupMemberLeftEvent(groupId, online.Cast.Member.UserId, null, "left"), left);
        }
        Assert.Empty(await GroupEventsAsync(online.Outsider));

        await online.Cast.Owner.RemoveGroupMemberAsync(groupId, online.Cast.Admin.UserId);
        foreach (var device in new[] { online.Owner, online.Admin })
        {
            var removed = (await device.OfTypeAsync("group.member.left"))[^1].As<GroupMemberLeftEvent>();
            Assert.Equal(new GroupMemberLeftEvent(groupId, online.Cast.Admin.UserId, online.Cast.Owner.UserId, "removed"), removed);
        }
        // The member who left earlier is not told of later changes.
        Assert.Single(await online.Member.OfTypeAsync("group.member.left"));

        // Neither of them hears of what happens in the group from now on.
        await online.Cast.Owner.UpdateGroupAsync(groupId, new UpdateGroupBody { Notice = "just me now" });
        Assert.Single(await online.Owner.OfTypeAsync("group.updated"));
        Assert.Empty(await online.Member.OfTypeAsync("group.updated"));
        Assert.Empty(await online.Admin.OfTypeAsync("group.updated"));

        // A refused removal tells nobody anything.
        await Refused.WithAsync(HttpStatusCode.Conflict, "owner_must_transfer", () => online.Cast.Owner.LeaveGroupAsync(groupId));
        Assert.Equal(2, (await online.Owner.OfTypeAsync("group.member.left")).Count);
    }

    [Fact]
    public async Task RoleChangesGoToEveryMemberAndTheGroupViewToThoseWhoseRoleMoved()
    {
        await using var online = await OnlineCastAsync();
        var groupId = online.Cast.GroupId;

        await online.Cast.Owner.SetGroupRoleAsync(groupId, online.Cast.Member.UserId, GroupRole.Admin);
        foreach (var device in online.Members)
        {
            var changed = Assert.Single(await device.OfTypeAsync("group.member.updated")).As<GroupMembersEvent>();
            Assert.Equal(online.Cast.Owner.UserId, changed.By);
            var row = Assert.Single(changed.Members);
            Assert.Equal(online.Cast.Member.UserId, row.UserId);
            Assert.Equal(GroupRole.Admin, row.Role);
        }
        Assert.Equal(GroupRole.Admin, Assert.Single(await online.Member.OfTypeAsync("group.updated")).As<GroupUpdatedEvent>().Group.MyRole);
        Assert.Empty(await online.Admin.OfTypeAsync("group.updated"));
        Assert.Empty(await GroupEventsAsync(online.Outsider));

        // Transferring ownership changes the group for everyone: two member rows, and a new ownerId.
        await online.Cast.Owner.SetGroupRoleAsync(groupId, online.Cast.Admin.UserId, GroupRole.Owner);
        foreach (var (device, role) in new[] { (online.Owner, GroupRole.Admin), (online.Admin, GroupRole.Owner), (online.Member, GroupRole.Admin) })
        {
            var changed = (await device.OfTypeAsync("group.member.updated"))[^1].As<GroupMembersEvent>();
            Assert.Equal(
                new[] { (online.Cast.Admin.UserId, GroupRole.Owner), (online.Cast.Owner.UserId, GroupRole.Admin) },
                changed.Members.Select(m => (m.UserId, m.Role)));
            var group = (await device.OfTypeAsync("group.updated"))[^1].As<GroupUpdatedEvent>().Group;
            Assert.Equal(online.Cast.Admin.UserId, group.OwnerId);
            Assert.Equal(role, group.MyRole);
        }

        // Only the owner changes roles; a refusal says nothing.
        await Refused.WithAsync(HttpStatusCode.Forbidden, "not_group_owner",
            () => online.Cast.Owner.SetGroupRoleAsync(groupId, online.Cast.Member.UserId, GroupRole.Member));
        Assert.Equal(2, (await online.Member.OfTypeAsync("group.member.updated")).Count);
    }

    [Fact]
    public async Task MutesShowUpAsGroupOrMemberUpdates()
    {
        await using var online = await OnlineCastAsync();
        var groupId = online.Cast.GroupId;
        var until = GroupTestKit.WholeSecondsFromNow(TimeSpan.FromHours(1));

        await online.Cast.Admin.MuteAsync(groupId, online.Cast.Member.UserId, until);
        foreach (var device in online.Members)
        {
            var row = Assert.Single(Assert.Single(await device.OfTypeAsync("group.member.updated")).As<GroupMembersEvent>().Members);
            Assert.Equal(online.Cast.Member.UserId, row.UserId);
            Assert.Equal(until, row.MutedUntil);
        }

        await online.Cast.Owner.MuteAsync(groupId, null, until);
        foreach (var device in online.Members)
            Assert.Equal(until, Assert.Single(await device.OfTypeAsync("group.updated")).As<GroupUpdatedEvent>().Group.MutedUntil);

        await online.Cast.Owner.UnmuteAsync(groupId, null);
        await online.Cast.Owner.UnmuteAsync(groupId, online.Cast.Member.UserId);
        foreach (var device in online.Members)
        {
            Assert.Null((await device.OfTypeAsync("group.updated"))[^1].As<GroupUpdatedEvent>().Group.MutedUntil);
            Assert.Null((await device.OfTypeAsync("group.member.updated"))[^1].As<GroupMembersEvent>().Members[0].MutedUntil);
        }
        Assert.Empty(await GroupEventsAsync(online.Outsider));

        // Unmuting what is not muted changes nothing and says nothing.
        await online.Cast.Owner.UnmuteAsync(groupId, null);
        Assert.Equal(2, (await online.Member.OfTypeAsync("group.updated")).Count);
    }

    [Fact]
    public async Task DissolvingTellsEveryoneWhoWasAMember()
    {
        await using var online = await OnlineCastAsync();
        var groupId = online.Cast.GroupId;

        await Refused.WithAsync(HttpStatusCode.Forbidden, "not_group_owner", () => online.Cast.Admin.DissolveGroupAsync(groupId));
        Assert.Empty(await online.Member.OfTypeAsync("group.dissolved"));

        await online.Cast.Owner.DissolveGroupAsync(groupId);
        foreach (var device in online.Members)
            Assert.Equal(new GroupDissolvedEvent(groupId, online.Cast.Owner.UserId), Assert.Single(await device.OfTypeAsync("group.dissolved")).As<GroupDissolvedEvent>());
        Assert.Empty(await GroupEventsAsync(online.Outsider));
    }
}
