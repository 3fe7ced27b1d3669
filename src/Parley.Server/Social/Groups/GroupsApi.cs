using Microsoft.AspNetCore.Http.HttpResults;
using Parley.Server.Http;

namespace Parley.Server.Social.Groups;

/// <summary>
/// Groups, their members, roles, mutes and join requests: <c>/api/v1/groups</c>. Each endpoint reads the path and
/// the caller, and hands the rest to <see cref="GroupMembership"/> (changes) or <see cref="GroupDirectory"/> (reads).
/// </summary>
public static class GroupsApi
{
    public static RouteGroupBuilder MapGroupsApi(this RouteGroupBuilder api)
    {
        var groups = api.MapGroup("/groups").WithTags("Groups").RequireAuthorization().AddEndpointFilter(SocialVersions.AfterGroupChange);
        groups.MapPost("/", Create).WithDescription(
            "Creates a group: the creator becomes its owner and the friends in memberIds join at once. joinApproval is true unless " +
            "the body says false: join requests and plain members' invitations then wait for an owner or admin.");
        groups.MapGet("/", ListMine);
        groups.MapGet("/{id}", Get);
        groups.MapPatch("/{id}", Update);
        groups.MapDelete("/{id}", Dissolve);

        groups.MapGet("/{id}/members", ListMembers);
        groups.MapPost("/{id}/members", Invite);
        groups.MapPatch("/{id}/members/{userId}", ChangeRole);
        groups.MapDelete("/{id}/members/{userId}", RemoveMember).WithDescription(
            "Leave (userId is mine) or remove a member of a lower role. Someone removed may not join again by themselves " +
            "(removed_from_group) until an owner or admin invites them or accepts a request for them; someone who left may ask again.");

        groups.MapPost("/{id}/mutes", Mute);
        groups.MapDelete("/{id}/mutes/{target}", Unmute);

        groups.MapPost("/{id}/join-requests", RequestToJoin).WithDescription(
            "Asks to join: 201 with a new pending request, 200 with the one already pending, or 200 with an accepted one (a member now) " +
            "when the group's joinApproval is off. Someone an owner or admin removed is refused with 403 removed_from_group.");
        groups.MapGet("/{id}/join-requests", ListJoinRequests);
        groups.MapPost("/{id}/join-requests/{requestId}/accept", (string id, string requestId, HttpContext http, GroupMembership groups, CancellationToken ct) =>
            HandleJoinRequest(id, requestId, accept: true, http, groups, ct));
        groups.MapPost("/{id}/join-requests/{requestId}/reject", (string id, string requestId, HttpContext http, GroupMembership groups, CancellationToken ct) =>
            HandleJoinRequest(id, requestId, accept: false, http, groups, ct));
        return api;
    }

    private static async Task<Created<GroupView>> Create(CreateGroupBody body, HttpContext http, GroupMembership groups, CancellationToken cancellationToken)
    {
        var group = await groups.CreateAsync(http.User.UserId(), body, cancellationToken);
        return TypedResults.Created($"/api/v1/groups/{group.Id}", group);
    }

    private static async Task<Ok<List<GroupView>>> ListMine(HttpContext http, GroupDirectory directory, CancellationToken cancellationToken) =>
        TypedResults.Ok(await directory.MineAsync(http.User.UserId(), cancellationToken));

    private static async Task<Ok<GroupView>> Get(string id, HttpContext http, GroupDirectory directory, CancellationToken cancellationToken) =>
        TypedResults.Ok(await directory.GroupAsync(Id(id), http.User.UserId(), cancellationToken));

    private static async Task<Ok<GroupView>> Update(
        string id, UpdateGroupBody body, HttpContext http, GroupMembership groups, CancellationToken cancellationToken) =>
        TypedResults.Ok(await groups.UpdateAsync(Id(id), http.User.UserId(), body, cancellationToken));

    private static async Task<NoContent> Dissolve(string id, HttpContext http, GroupMembership groups, CancellationToken cancellationToken)
    {
        await groups.DissolveAsync(Id(id), http.User.UserId(), cancellationToken);
        return TypedResults.NoContent();
    }

    private static async Task<Ok<List<GroupMemberView>>> ListMembers(string id, HttpContext http, GroupDirectory directory, CancellationToken cancellationToken) =>
        TypedResults.Ok(await directory.MembersAsync(Id(id), http.User.UserId(), cancellationToken));

    private static async Task<Ok<InviteResult>> Invite(
        string id, InviteBody body, HttpContext http, GroupMembership groups, CancellationToken cancellationToken) =>
        TypedResults.Ok(await groups.InviteAsync(Id(id), http.User.UserId(), body, cancellationToken));

    private static async Task<Ok<GroupMemberView>> ChangeRole(
        string id, string userId, RoleBody body, HttpContext http, GroupMembership groups, CancellationToken cancellationToken) =>
        TypedResults.Ok(await groups.ChangeRoleAsync(Id(id), http.User.UserId(), Id(userId), body, cancellationToken));

    /// <summary>Leaving (the target is me) or removing someone of a lower role.</summary>
    private static async Task<NoContent> RemoveMember(string id, string userId, HttpContext http, GroupMembership groups, CancellationToken cancellationToken)
    {
        await groups.RemoveAsync(Id(id), http.User.UserId(), Id(userId), cancellationToken);
        return TypedResults.NoContent();
    }

    private static async Task<NoContent> Mute(string id, MuteBody body, HttpContext http, GroupMembership groups, CancellationToken cancellationToken)
    {
        await groups.MuteAsync(Id(id), http.User.UserId(), body, cancellationToken);
        return TypedResults.NoContent();
    }

    private static async Task<NoContent> Unmute(string id, string target, HttpContext http, GroupMembership groups, CancellationToken cancellationToken)
    {
        await groups.UnmuteAsync(Id(id), http.User.UserId(), target, cancellationToken);
        return TypedResults.NoContent();
    }

    /// <summary>201 with a pending request; 200 with the existing pending one; 200 with an accepted one when the group needs no approval.</summary>
    private static async Task<Results<Created<JoinRequestView>, Ok<JoinRequestView>>> RequestToJoin(
        string id, JoinRequestBody body, HttpContext http, GroupMembership groups, CancellationToken cancellationToken)
    {
        var (request, created) = await groups.RequestToJoinAsync(Id(id), http.User.UserId(), body, cancellationToken);
        return created
            ? TypedResults.Created($"/api/v1/groups/{request.GroupId}/join-requests/{request.Id}", request)
            : TypedResults.Ok(request);
    }

    private static async Task<Ok<List<JoinRequestView>>> ListJoinRequests(
        string id, HttpContext http, GroupDirectory directory, CancellationToken cancellationToken, string? status = null, int limit = 100)
    {
        if (limit is < 1 or > 500) throw ApiProblem.Invalid("limit", "limit must be between 1 and 500.");
        return TypedResults.Ok(await directory.JoinRequestsAsync(Id(id), http.User.UserId(), status, limit, cancellationToken));
    }

    private static async Task<Ok<JoinRequestView>> HandleJoinRequest(
        string id, string requestId, bool accept, HttpContext http, GroupMembership groups, CancellationToken cancellationToken) =>
        TypedResults.Ok(await groups.HandleJoinRequestAsync(Id(id), http.User.UserId(), Id(requestId), accept, cancellationToken));

    /// <summary>A path's id; one that is not an id names nothing (0), so the lookup answers "not found".</summary>
    private static long Id(string id) => GroupMembership.IdOrZero(id);
}
