using System.Net;
using System.Net.Http.Json;
using Parley.Client;
using Parley.IntegrationTests.Infrastructure;

namespace Parley.IntegrationTests.Groups;

/// <summary><c>/groups/{id}/join-requests</c>: asking to join, and the owner's and admins' handling of requests.</summary>
public sealed class JoinRequestsTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private readonly TestServer _server = fixture.Server;

    [Fact]
    public async Task WithApprovalOnARequestIsCreatedPendingAndAskingAgainReturnsTheSameOne()
    {
        using var cast = await GroupCast.StartAsync(_server, joinApproval: true);
        using var asker = await _server.NewUserAsync("asker");

        // The SDK hides the status code; 201 (created) against 200 (already there) is part of the contract.
        using var first = await asker.SendRawAsync(HttpMethod.Post, $"api/v1/groups/{cast.GroupId}/join-requests", new { message = "Hi, I hike too" });
        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        var created = await first.Content.ReadFromJsonAsync<JoinRequestView>(ParleyClient.JsonOptions);
        Assert.NotNull(created);
        Assert.Equal((cast.GroupId, asker.UserId, (string?)null, "Hi, I hike too", RequestStatus.Pending),
            (created.GroupId, created.UserId, created.InviterId, created.Message, created.Status));
        Assert.Null(created.HandledAt);

        using var second = await asker.SendRawAsync(HttpMethod.Post, $"api/v1/groups/{cast.GroupId}/join-requests", new { message = "Hello?" });
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        var again = await second.Content.ReadFromJsonAsync<JoinRequestView>(ParleyClient.JsonOptions);
        Assert.Equal((created.Id, RequestStatus.Pending), (again?.Id, again?.Status));

        var waiting = Assert.Single(await cast.Owner.GetJoinRequestsAsync(cast.GroupId));
        Assert.Equal(created.Id, waiting.Id);
        Assert.Equal("asker", waiting.User?.Nickname);
        Assert.Equal(asker.UserId, waiting.User?.Id);
        // Asking is not joining.
        Assert.Null((await asker.GetGroupAsync(cast.GroupId)).MyRole);
        Assert.Equal(3, (await cast.Owner.GetGroupAsync(cast.GroupId)).MemberCount);
    }

    [Fact]
    public async Task AnAdminAcceptsARequestAndTheAskerBecomesAMember()
    {
        using var cast = await GroupCast.StartAsync(_server, joinApproval: true);
        using var asker = await _server.NewUserAsync("asker");
        var request = await asker.RequestToJoinGroupAsync(cast.GroupId, "please");

        var listed = Assert.Single(await cast.Admin.GetJoinRequestsAsync(cast.GroupId));
        Assert.Equal((request.Id, "please"), (listed.Id, listed.Message));

        var accepted = await cast.Admin.AcceptJoinRequestAsync(cast.GroupId, request.Id);

        Assert.Equal((RequestStatus.Accepted, cast.Admin.UserId), (accepted.Status, accepted.HandledBy));
        Assert.NotNull(accepted.HandledAt);
        var group = await asker.GetGroupAsync(cast.GroupId);
        Assert.Equal((GroupRole.Member, 4), (group.MyRole, group.MemberCount));
        Assert.Contains(await asker.GetGroupsAsync(), g => g.Id == cast.GroupId);
        Assert.Equal(GroupRole.Member, (await cast.Owner.MembersByIdAsync(cast.GroupId))[asker.UserId].Role);
        Assert.Empty(await cast.Owner.GetJoinRequestsAsync(cast.GroupId, status: "pending"));
        Assert.Equal(request.Id, Assert.Single(await cast.Owner.GetJoinRequestsAsync(cast.GroupId, status: "accepted")).Id);
    }

    [Fact]
    public async Task TheOwnerRejectsARequestAndTheAskerMayAskAgain()
    {
        using var cast = await GroupCast.StartAsync(_server, joinApproval: true);
        using var asker = await _server.NewUserAsync("asker");
        var request = await asker.RequestToJoinGroupAsync(cast.GroupId);

        var rejected = await cast.Owner.RejectJoinRequestAsync(cast.GroupId, request.Id);

        Assert.Equal((RequestStatus.Rejected, cast.Owner.UserId), (rejected.Status, rejected.HandledBy));
        Assert.Null((await asker.GetGroupAsync(cast.GroupId)).MyRole);
        Assert.DoesNotContain(asker.UserId, (await cast.Owner.MembersByIdAsync(cast.GroupId)).Keys);
        Assert.Empty(await cast.Owner.GetJoinRequestsAsync(cast.GroupId, status: "pending"));

        var second = await asker.RequestToJoinGroupAsync(cast.GroupId, "second try");
        Assert.NotEqual(request.Id, second.Id);
        Assert.Equal(RequestStatus.Pending, second.Status);
        Assert.Equal(second.Id, Assert.Single(await cast.Owner.GetJoinRequestsAsync(cast.GroupId, status: "pending")).Id);
    }

    [Fact]
    public async Task ARequestIsHandledOnlyOnce()
    {
        using var cast = await GroupCast.StartAsync(_server, joinApproval: true);
        using var accepted = await _server.NewUserAsync("accepted");
        using var rejected = await _server.NewUserAsync("rejected");
        var toAccept = await accepted.RequestToJoinGroupAsync(cast.GroupId);
        var toReject = await rejected.RequestToJoinGroupAsync(cast.GroupId);
        await cast.Admin.AcceptJoinRequestAsync(cast.GroupId, toAccept.Id);
        await cast.Owner.RejectJoinRequestAsync(cast.GroupId, toReject.Id);

        await Refused.WithAsync(HttpStatusCode.Conflict, "request_already_handled", () => cast.Owner.AcceptJoinRequestAsync(cast.GroupId, toAccept.Id));
        await Refused.WithAsync(HttpStatusCode.Conflict, "request_already_handled", () => cast.Owner.RejectJoinRequestAsync(cast.GroupId, toAccept.Id));
        await Refused.WithAsync(HttpStatusCode.Conflict, "request_already_handled", () => cast.Admin.AcceptJoinRequestAsync(cast.GroupId, toReject.Id));

        // The first decision stands.
        Assert.Equal(GroupRole.Member, (await accepted.GetGroupAsync(cast.GroupId)).MyRole);
        Assert.Null((await rejected.GetGroupAsync(cast.GroupId)).MyRole);
        Assert.Equal(4, (await cast.Owner.GetGroupAsync(cast.GroupId)).MemberCount);
    }

    [Fact]
    public async Task AnUnknownRequestIsNotFound()
    {
        using var cast = await GroupCast.StartAsync(_server, joinApproval: true);
        using var other = await GroupCast.StartAsync(_server, joinApproval: true);
        using var asker = await _server.NewUserAsync("asker");
        var elsewhere = await asker.RequestToJoinGroupAsync(other.GroupId);

        await Refused.WithAsync(HttpStatusCode.NotFound, "join_request_not_found", () => cast.Owner.AcceptJoinRequestAsync(cast.GroupId, "123456789"));
        await Refused.WithAsync(HttpStatusCode.NotFound, "join_request_not_found", () => cast.Owner.RejectJoinRequestAsync(cast.GroupId, "nope"));
        // Another group's request cannot be handled through this group.
        await Refused.WithAsync(HttpStatusCode.NotFound, "join_request_not_found", () => cast.Owner.AcceptJoinRequestAsync(cast.GroupId, elsewhere.Id));
        Assert.Null((await asker.GetGroupAsync(other.GroupId)).MyRole);
        Assert.Equal(RequestStatus.Pending, Assert.Single(await other.Owner.GetJoinRequestsAsync(other.GroupId)).Status);
    }

    [Fact]
    public async Task OnlyTheOwnerAndAdminsSeeAndHandleRequests()
    {
        using var cast = await GroupCast.StartAsync(_server, joinApproval: true);
        using var asker = await _server.NewUserAsync("asker");
        var request = await asker.RequestToJoinGroupAsync(cast.GroupId);

        await Refused.WithAsync(HttpStatusCode.Forbidden, "not_group_admin", () => cast.Member.GetJoinRequestsAsync(cast.GroupId));
        await Refused.WithAsync(HttpStatusCode.Forbidden, "not_group_admin", () => cast.Member.AcceptJoinRequestAsync(cast.GroupId, request.Id));
        await Refused.WithAsync(HttpStatusCode.Forbidden, "not_group_admin", () => cast.Member.RejectJoinRequestAsync(cast.GroupId, request.Id));
        await Refused.WithAsync(HttpStatusCode.Forbidden, "not_group_member", () => cast.Outsider.GetJoinRequestsAsync(cast.GroupId));
        // Nor the asker themself.
        await Refused.WithAsync(HttpStatusCode.Forbidden, "not_group_member", () => asker.AcceptJoinRequestAsync(cast.GroupId, request.Id));

        Assert.Equal(RequestStatus.Pending, Assert.Single(await cast.Owner.GetJoinRequestsAsync(cast.GroupId)).Status);
        Assert.Null((await asker.GetGroupAsync(cast.GroupId)).MyRole);
    }

    [Fact]
    public async Task AMemberAskingToJoinIsAlreadyAMember()
    {
        using var cast = await GroupCast.StartAsync(_server, joinApproval: true);
        await Refused.WithAsync(HttpStatusCode.Conflict, "already_member", () => cast.Member.RequestToJoinGroupAsync(cast.GroupId));
        await Refused.WithAsync(HttpStatusCode.Conflict, "already_member", () => cast.Owner.RequestToJoinGroupAsync(cast.GroupId));
        Assert.Empty(await cast.Owner.GetJoinRequestsAsync(cast.GroupId));
    }

    [Fact]
    public async Task WithApprovalOffAJoinRequestJoinsAtOnce()
    {
        using var cast = await GroupCast.StartAsync(_server, joinApproval: false);
        using var asker = await _server.NewUserAsync("asker");

        var request = await asker.RequestToJoinGroupAsync(cast.GroupId, "hello");

        Assert.Equal(RequestStatus.Accepted, request.Status);
        Assert.NotNull(request.HandledAt);
        var group = await asker.GetGroupAsync(cast.GroupId);
        Assert.Equal((GroupRole.Member, 4), (group.MyRole, group.MemberCount));
        var member = (await cast.Owner.MembersByIdAsync(cast.GroupId))[asker.UserId];
        Assert.Equal((GroupRole.Member, (string?)null), (member.Role, member.InvitedBy));
        Assert.Empty(await cast.Owner.GetJoinRequestsAsync(cast.GroupId, status: "pending"));
        await Refused.WithAsync(HttpStatusCode.Conflict, "already_member", () => asker.RequestToJoinGroupAsync(cast.GroupId));
    }

    [Fact]
    public async Task TurningApprovalOffLetsAWaitingAskerInWhenTheyAskAgain()
    {
        using var cast = await GroupCast.StartAsync(_server, joinApproval: true);
        using var asker = await _server.NewUserAsync("asker");
        var pending = await asker.RequestToJoinGroupAsync(cast.GroupId);

        await cast.Owner.UpdateGroupAsync(cast.GroupId, new UpdateGroupBody { JoinApproval = false });
        var joined = await asker.RequestToJoinGroupAsync(cast.GroupId);

        Assert.Equal((pending.Id, RequestStatus.Accepted), (joined.Id, joined.Status));
        Assert.Equal(GroupRole.Member, (await asker.GetGroupAsync(cast.GroupId)).MyRole);
        Assert.Empty(await cast.Owner.GetJoinRequestsAsync(cast.GroupId, status: "pending"));
    }

    [Fact]
    public async Task BadJoinRequestInputIsRefused()
    {
        using var cast = await GroupCast.StartAsync(_server, joinApproval: true);
        using var asker = await _server.NewUserAsync("asker");
        await Refused.WithAsync(HttpStatusCode.BadRequest, "validation_failed", () => asker.RequestToJoinGroupAsync(cast.GroupId, new string('m', 201)));
        await Refused.WithAsync(HttpStatusCode.BadRequest, "validation_failed", () => cast.Owner.GetJoinRequestsAsync(cast.GroupId, status: "maybe"));
        Assert.Empty(await cast.Owner.GetJoinRequestsAsync(cast.GroupId));
        var longest = await asker.RequestToJoinGroupAsync(cast.GroupId, new string('m', 200));
        Assert.Equal(200, longest.Message?.Length);
    }
}
