using System.Net;
using Parley.Client;
using Parley.IntegrationTests.Infrastructure;

namespace Parley.IntegrationTests.Groups;

/// <summary><c>POST /groups</c>, <c>GET /groups</c> and <c>GET /groups/{id}</c>.</summary>
public sealed class CreatingAndViewingGroupsTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private readonly TestServer _server = fixture.Server;

    [Fact]
    public async Task TheCreatorBecomesTheOwnerAndInvitedFriendsJoinAtOnce()
    {
        using var owner = await _server.NewUserAsync("owner");
        using var ann = await _server.NewFriendAsync(owner, "ann");
        using var ben = await _server.NewFriendAsync(owner, "ben");
        var before = DateTimeOffset.UtcNow.AddSeconds(-1);

        var group = await owner.CreateGroupAsync("Hikers", [ann.UserId, ben.UserId], joinApproval: true, icon: "https://cdn.example.test/hike.png");

        var after = DateTimeOffset.UtcNow.AddSeconds(1);
        Assert.Equal("Hikers", group.Name);
        Assert.Equal("https://cdn.example.test/hike.png", group.Icon);
        Assert.True(group.JoinApproval);
        Assert.Equal(owner.UserId, group.OwnerId);
        Assert.Equal(GroupRole.Owner, group.MyRole);
        Assert.Equal(3, group.MemberCount);
        Assert.Null(group.Notice);
        Assert.Null(group.MutedUntil);
        Assert.InRange(group.CreatedAt, before, after);

        var members = await owner.MembersByIdAsync(group.Id);
        Assert.Equal(new[] { owner.UserId, ann.UserId, ben.UserId }.Order(), members.Keys.Order());
        Assert.Equal(GroupRole.Owner, members[owner.UserId].Role);
        Assert.Null(members[owner.UserId].InvitedBy);
        foreach (var invitee in new[] { ann, ben })
        {
            Assert.Equal(GroupRole.Member, members[invitee.UserId].Role);
            Assert.Equal(owner.UserId, members[invitee.UserId].InvitedBy);
            Assert.InRange(members[invitee.UserId].JoinedAt, before, after);

            // The invitees are members already: no request to accept.
            var seen = await invitee.GetGroupAsync(group.Id);
            Assert.Equal(GroupRole.Member, seen.MyRole);
            Assert.Contains(await invitee.GetGroupsAsync(), g => g.Id == group.Id);
        }
    }

    [Fact]
    public async Task AGroupWithoutInviteesHasOnlyItsOwnerAndByDefaultNeedsApproval()
    {
        using var owner = await _server.NewUserAsync("solo");
        // Naming myself among the invitees does not count me twice.
        var group = await owner.CreateGroupAsync("Solo", [owner.UserId]);
        Assert.Equal(1, group.MemberCount);
        Assert.True(group.JoinApproval);
        Assert.Null(group.Icon);
        Assert.Equal(2000, group.MaxMembers);
        var member = Assert.Single(await owner.GetGroupMembersAsync(group.Id));
        Assert.Equal((owner.UserId, GroupRole.Owner), (member.UserId, member.Role));
    }

    [Fact]
    public async Task InvitingSomeoneWhoIsNotAFriendCreatesNoGroup()
    {
        using var owner = await _server.NewUserAsync();
        using var friend = await _server.NewFriendAsync(owner, "friend");
        using var stranger = await _server.NewUserAsync("stranger");

        await Refused.WithAsync(HttpStatusCode.Forbidden, "not_friends", () =>
            owner.CreateGroupAsync("Mixed", [friend.UserId, stranger.UserId]));

        Assert.Empty(await owner.GetGroupsAsync());
        Assert.Empty(await friend.GetGroupsAsync());
        Assert.Empty(await stranger.GetGroupsAsync());
    }

    [Fact]
    public async Task AGroupNeedsANameOfAtMost64Characters()
    {
        using var owner = await _server.NewUserAsync();

        foreach (var bad in new[] { "", "   ", new string('n', 65) })
        {
            var refusal = await Refused.WithAsync(HttpStatusCode.BadRequest, "validation_failed", () => owner.CreateGroupAsync(bad));
            Assert.True(refusal.Errors?.ContainsKey("name"), $"the refusal of '{bad}' should name the field");
        }
        // No name at all: a body the SDK cannot send.
        await Refused.WithAsync(HttpStatusCode.BadRequest, "validation_failed", () =>
            owner.SendRawOrThrowAsync(HttpMethod.Post, "api/v1/groups", new { icon = "x" }));
        Assert.Empty(await owner.GetGroupsAsync());

        var longest = await owner.CreateGroupAsync(new string('n', 64));
        Assert.Equal(64, longest.Name.Length);
    }

    [Fact]
    public async Task MalformedInviteeIdsAreABadRequest()
    {
        using var owner = await _server.NewUserAsync();
        var refusal = await Refused.WithAsync(HttpStatusCode.BadRequest, "validation_failed", () => owner.CreateGroupAsync("Bad ids", ["not-an-id"]));
        Assert.True(refusal.Errors?.ContainsKey("memberIds"));
        Assert.Empty(await owner.GetGroupsAsync());
    }

    [Fact]
    public async Task MyGroupsListsOnlyTheGroupsIBelongToWithMyRoleAndTheMemberCount()
    {
        using var alice = await _server.NewUserAsync("alice");
        using var bob = await _server.NewFriendAsync(alice, "bob");
        using var carol = await _server.NewUserAsync("carol");

        var shared = await alice.CreateGroupAsync("Alice and Bob", [bob.UserId]);
        var alicesOwn = await alice.CreateGroupAsync("Alice alone");
        var bobsOwn = await bob.CreateGroupAsync("Bob alone");
        var carolsOwn = await carol.CreateGroupAsync("Carol alone");

        var alices = (await alice.GetGroupsAsync()).ToDictionary(g => g.Id);
        Assert.Equal(new[] { shared.Id, alicesOwn.Id }.Order(), alices.Keys.Order());
        Assert.Equal((GroupRole?)GroupRole.Owner, alices[shared.Id].MyRole);
        Assert.Equal(2, alices[shared.Id].MemberCount);
        Assert.Equal(1, alices[alicesOwn.Id].MemberCount);

        var bobs = (await bob.GetGroupsAsync()).ToDictionary(g => g.Id);
        Assert.Equal(new[] { shared.Id, bobsOwn.Id }.Order(), bobs.Keys.Order());
        Assert.Equal((GroupRole?)GroupRole.Member, bobs[shared.Id].MyRole);
        Assert.Equal("Alice and Bob", bobs[shared.Id].Name);
        Assert.Equal((GroupRole?)GroupRole.Owner, bobs[bobsOwn.Id].MyRole);

        var carols = Assert.Single(await carol.GetGroupsAsync());
        Assert.Equal(carolsOwn.Id, carols.Id);
    }

    [Fact]
    public async Task MembersSeeTheNoticeAndOutsidersSeeTheGroupWithoutItOrARole()
    {
        using var cast = await GroupCast.StartAsync(_server, joinApproval: true, name: "Book club");
        await cast.Owner.UpdateGroupAsync(cast.GroupId, new UpdateGroupBody { Notice = "Chapter 3 by Friday" });

        var asMember = await cast.Member.GetGroupAsync(cast.GroupId);
        Assert.Equal("Chapter 3 by Friday", asMember.Notice);
        Assert.Equal(GroupRole.Member, asMember.MyRole);

        var asAdmin = await cast.Admin.GetGroupAsync(cast.GroupId);
        Assert.Equal("Chapter 3 by Friday", asAdmin.Notice);
        Assert.Equal(GroupRole.Admin, asAdmin.MyRole);

        // An outsider sees enough to decide whether to ask to join, but not the notice.
        var asOutsider = await cast.Outsider.GetGroupAsync(cast.GroupId);
        Assert.Equal("Book club", asOutsider.Name);
        Assert.Equal(cast.Owner.UserId, asOutsider.OwnerId);
        Assert.Equal(3, asOutsider.MemberCount);
        Assert.True(asOutsider.JoinApproval);
        Assert.Null(asOutsider.Notice);
        Assert.Null(asOutsider.MyRole);
    }

    [Fact]
    public async Task AnUnknownOrMalformedGroupIdIsNotFound()
    {
        using var user = await _server.NewUserAsync();
        var mine = await user.CreateGroupAsync("Exists");
        foreach (var id in new[] { "123456789", "not-an-id", "0", "-1", mine.Id + "0" })
        {
            await Refused.WithAsync(HttpStatusCode.NotFound, "group_not_found", () => user.GetGroupAsync(id));
            // Not found comes before "not a member": nothing to be a member of.
            await Refused.WithAsync(HttpStatusCode.NotFound, "group_not_found", () => user.GetGroupMembersAsync(id));
            await Refused.WithAsync(HttpStatusCode.NotFound, "group_not_found", () => user.RequestToJoinGroupAsync(id));
        }
    }

    [Fact]
    public async Task GroupsNeedASignedInUser()
    {
        using var user = await _server.NewUserAsync();
        var group = await user.CreateGroupAsync("Private");
        using var list = await _server.Http.GetAsync("api/v1/groups");
        Assert.Equal(HttpStatusCode.Unauthorized, list.StatusCode);
        using var details = await _server.Http.GetAsync($"api/v1/groups/{group.Id}");
        Assert.Equal(HttpStatusCode.Unauthorized, details.StatusCode);
    }
}
