using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Parley.Server.Accounts;
using Parley.Server.Http;
using Parley.Server.Messaging;
using Parley.Server.Social.Friends;
using Parley.Server.Storage;

namespace Parley.Server.Social.Groups;

/// <summary>Groups, their members, roles, mutes and join requests: <c>/api/v1/groups</c>.</summary>
public static class GroupsApi
{
    public static RouteGroupBuilder MapGroupsApi(this RouteGroupBuilder api)
    {
        var groups = api.MapGroup("/groups").WithTags("Groups").RequireAuthorization().AddEndpointFilter(SocialVersions.AfterGroupChange);
        groups.MapPost("/", Create);
        groups.MapGet("/", ListMine);
        groups.MapGet("/{id}", Get);
        groups.MapPatch("/{id}", Update);
        groups.MapDelete("/{id}", Dissolve);

        groups.MapGet("/{id}/members", ListMembers);
        groups.MapPost("/{id}/members", Invite);
        groups.MapPatch("/{id}/members/{userId}", ChangeRole);
        groups.MapDelete("/{id}/members/{userId}", RemoveMember);

        groups.MapPost("/{id}/mutes", Mute);
        groups.MapDelete("/{id}/mutes/{target}", Unmute);

        groups.MapPost("/{id}/join-requests", RequestToJoin);
        groups.MapGet("/{id}/join-requests", ListJoinRequests);
        groups.MapPost("/{id}/join-requests/{requestId}/accept", (string id, string requestId, HttpContext http, ParleyDb db,
            IOptions<GroupsOptions> options, GroupEvents events, GroupSystemMessages system, TimeProvider time, CancellationToken ct) =>
            HandleJoinRequest(id, requestId, accept: true, http, db, options, events, system, time, ct));
        groups.MapPost("/{id}/join-requests/{requestId}/reject", (string id, string requestId, HttpContext http, ParleyDb db,
            IOptions<GroupsOptions> options, GroupEvents events, GroupSystemMessages system, TimeProvider time, CancellationToken ct) =>
            HandleJoinRequest(id, requestId, accept: false, http, db, options, events, system, time, ct));
        return api;
    }

    private static async Task<Created<GroupView>> Create(
        CreateGroupBody body, HttpContext http, ParleyDb db, IdGenerator ids, IOptions<GroupsOptions> options,
        GroupEvents events, GroupSystemMessages system, TimeProvider time, CancellationToken cancellationToken)
    {
        var me = http.User.UserId();
        var name = CheckName(body.Name) ?? throw ApiProblem.Invalid("name", "The group needs a name.");
        AuthApi.CheckAvatar(body.Icon);
        var invitees = ParseUserIds(body.MemberIds, "memberIds").Where(id => id != me).ToList();
        if (invitees.Count + 1 > options.Value.MaxMembers)
            throw ApiProblem.Conflict("group_full", $"A group has at most {options.Value.MaxMembers} members.");
        await ThrowUnlessAllFriendsAsync(db, me, invitees, cancellationToken);

        var now = time.GetUtcNow();
        var group = new Group
        {
            Id = ids.Next(),
            Name = name,
            Icon = string.IsNullOrWhiteSpace(body.Icon) ? null : body.Icon.Trim(),
            OwnerId = me,
            JoinApproval = body.JoinApproval ?? false,
            CreatedAt = now,
            UpdatedAt = now,
        };
        db.Groups.Add(group);
        db.GroupMembers.Add(new GroupMember { GroupId = group.Id, UserId = me, Role = GroupRole.Owner, JoinedAt = now });
        foreach (var invitee in invitees)
            db.GroupMembers.Add(new GroupMember { GroupId = group.Id, UserId = invitee, Role = GroupRole.Member, JoinedAt = now, InvitedBy = me });
        GroupConversations.Created(db, group.Id, [me, .. invitees], now);
        await db.SaveChangesAsync(cancellationToken);

        // Committed: what follows goes on even if the caller has gone (hence no cancellation).
        var audience = await events.CommittedAsync(db, group.Id);
        await system.PostAsync(db, audience, new GroupHappening(GroupHappening.Created, me) { Name = group.Name, UserIds = invitees });
        await events.JoinedAsync(db, audience, invitees, me, CancellationToken.None);
        return TypedResults.Created($"/api/v1/groups/{group.Id}",
            View(group, invitees.Count + 1, GroupRole.Owner, options.Value.MaxMembers, now));
    }

    private static async Task<Ok<List<GroupView>>> ListMine(
        HttpContext http, ParleyDb db, IOptions<GroupsOptions> options, TimeProvider time, CancellationToken cancellationToken)
    {
        var me = http.User.UserId();
        var mine = await (
            from m in db.GroupMembers.AsNoTracking()
            join g in db.Groups.AsNoTracking() on m.GroupId equals g.Id
            where m.UserId == me && g.DissolvedAt == null
            orderby g.CreatedAt descending
            select new { g, m.Role, Count = db.GroupMembers.Count(x => x.GroupId == g.Id) }).ToListAsync(cancellationToken);
        var now = time.GetUtcNow();
        return TypedResults.Ok(mine.Select(x => View(x.g, x.Count, x.Role, options.Value.MaxMembers, now)).ToList());
    }

    private static async Task<Ok<GroupView>> Get(
        string id, HttpContext http, ParleyDb db, IOptions<GroupsOptions> options, TimeProvider time, CancellationToken cancellationToken)
    {
        var group = await FindGroupAsync(db, id, cancellationToken);
        var role = await RoleOfAsync(db, group.Id, http.User.UserId(), cancellationToken);
        var count = await db.GroupMembers.CountAsync(m => m.GroupId == group.Id, cancellationToken);
        var view = View(group, count, role, options.Value.MaxMembers, time.GetUtcNow());
        // The notice is for members; anyone may see enough to decide whether to ask to join.
        return TypedResults.Ok(role is null ? view with { Notice = null } : view);
    }

    private static async Task<Ok<GroupView>> Update(
        string id, UpdateGroupBody body, HttpContext http, ParleyDb db, IOptions<GroupsOptions> options, GroupEvents events,
        GroupSystemMessages system, TimeProvider time, CancellationToken cancellationToken)
    {
        var (group, me) = await RequireManagerAsync(db, id, http.User.UserId(), cancellationToken);
        var before = (group.Name, group.Icon, group.Notice, group.JoinApproval);
        if (body.Name is not null) group.Name = CheckName(body.Name) ?? throw ApiProblem.Invalid("name", "The group name cannot be empty.");
        if (body.Icon is not null)
        {
            AuthApi.CheckAvatar(body.Icon);
            group.Icon = body.Icon.Length == 0 ? null : body.Icon.Trim();
        }
        if (body.Notice is not null)
        {
            if (body.Notice.Length > GroupRules.MaxNoticeLength)
                throw ApiProblem.Invalid("notice", $"The notice must be at most {GroupRules.MaxNoticeLength} characters.");
            group.Notice = body.Notice.Length == 0 ? null : body.Notice;
        }
        if (body.JoinApproval is { } approval) group.JoinApproval = approval;
        group.UpdatedAt = time.GetUtcNow();
        await db.SaveChangesAsync(cancellationToken);
        var audience = await events.CommittedAsync(db, group.Id);
        if (before != (group.Name, group.Icon, group.Notice, group.JoinApproval))
        {
            if (group.Name != before.Name)
                await system.PostAsync(db, audience, new GroupHappening(GroupHappening.NameChanged, me.UserId) { Name = group.Name });
            if (group.Notice != before.Notice)
                await system.PostAsync(db, audience, new GroupHappening(GroupHappening.NoticeChanged, me.UserId) { Notice = group.Notice });
            events.Updated(group, audience);
        }
        return TypedResults.Ok(View(group, audience.Members.Count, me.Role, options.Value.MaxMembers, group.UpdatedAt));
    }

    private static async Task<NoContent> Dissolve(
        string id, HttpContext http, ParleyDb db, GroupEvents events, TimeProvider time, CancellationToken cancellationToken)
    {
        var (group, me) = await RequireMemberAsync(db, id, http.User.UserId(), cancellationToken);
        if (me.Role != GroupRole.Owner) throw ApiProblem.Forbidden("not_group_owner", "Only the owner can dissolve the group.");
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        group.DissolvedAt = time.GetUtcNow();
        group.UpdatedAt = group.DissolvedAt.Value;
        await db.SaveChangesAsync(cancellationToken);
        var formerMembers = await db.GroupMembers.Where(m => m.GroupId == group.Id).Select(m => m.UserId).ToListAsync(cancellationToken);
        await db.GroupMembers.Where(m => m.GroupId == group.Id).ExecuteDeleteAsync(cancellationToken);
        await GroupConversations.DissolvedAsync(db, group.Id, cancellationToken);
        await db.GroupJoinRequests.Where(r => r.GroupId == group.Id && r.Status == RequestStatus.Pending)
            .ExecuteUpdateAsync(r => r.SetProperty(x => x.Status, RequestStatus.Rejected).SetProperty(x => x.HandledAt, group.DissolvedAt), cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        events.Dissolved(group.Id, me.UserId, formerMembers);
        return TypedResults.NoContent();
    }

    private static async Task<Ok<List<GroupMemberView>>> ListMembers(string id, HttpContext http, ParleyDb db, CancellationToken cancellationToken)
    {
        var (found, _) = await RequireMemberAsync(db, id, http.User.UserId(), cancellationToken);
        var members = await (
            from m in db.GroupMembers.AsNoTracking()
            join u in db.Users.AsNoTracking() on m.UserId equals u.Id
            where m.GroupId == found.Id
            orderby m.Role descending, m.JoinedAt, m.UserId
            select new { m, u }).ToListAsync(cancellationToken);
        return TypedResults.Ok(members.Select(x => MemberView(x.m, x.u)).ToList());
    }

    /// <summary>Some members as <c>GET /groups/{id}/members</c> lists them (for events).</summary>
    internal static async Task<List<GroupMemberView>> MemberViewsAsync(
        ParleyDb db, long groupId, IReadOnlyCollection<long> userIds, CancellationToken cancellationToken)
    {
        var members = await (
            from m in db.GroupMembers.AsNoTracking()
            join u in db.Users.AsNoTracking() on m.UserId equals u.Id
            where m.GroupId == groupId && userIds.Contains(m.UserId)
            orderby m.Role descending, m.JoinedAt, m.UserId
            select new { m, u }).ToListAsync(cancellationToken);
        return members.Select(x => MemberView(x.m, x.u)).ToList();
    }

    private static GroupMemberView MemberView(GroupMember m, User u) =>
        new(Ids.Format(u.Id), u.Username, u.Nickname, u.Avatar, m.Role, m.JoinedAt, m.MutedUntil, m.InvitedBy is { } inviter ? Ids.Format(inviter) : null);

    /// <summary>
    /// Invites friends of the inviter. Owners and admins add them at once, as does anyone when approval is off;
    /// otherwise each invitation becomes a join request for an owner or admin to handle.
    /// </summary>
    private static async Task<Ok<InviteResult>> Invite(
        string id, InviteBody body, HttpContext http, ParleyDb db, IdGenerator ids, IOptions<GroupsOptions> options,
        GroupEvents events, GroupSystemMessages system, TimeProvider time, CancellationToken cancellationToken)
    {
        var meId = http.User.UserId();
        var invitees = ParseUserIds(body.UserIds, "userIds");
        if (invitees.Count == 0) throw ApiProblem.Invalid("userIds", "Name at least one person to invite.");
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        await LockGroupAsync(db, id, cancellationToken);
        var (group, me) = await RequireMemberAsync(db, id, meId, cancellationToken);
        await ThrowUnlessAllFriendsAsync(db, meId, invitees.Where(i => i != meId).ToList(), cancellationToken);

        var existing = (await db.GroupMembers.Where(m => m.GroupId == group.Id && invitees.Contains(m.UserId))
            .Select(m => m.UserId).ToListAsync(cancellationToken)).ToHashSet();
        var newcomers = invitees.Where(i => !existing.Contains(i)).ToList();
        var now = time.GetUtcNow();
        var result = new InviteResult([], []);
        var added = new List<long>();
        var requested = new List<GroupJoinRequest>();

        if (GroupRules.Manages(me.Role) || !group.JoinApproval)
        {
            await ThrowIfFullAsync(db, group.Id, newcomers.Count, options.Value, cancellationToken);
            foreach (var userId in newcomers)
            {
                db.GroupMembers.Add(new GroupMember { GroupId = group.Id, UserId = userId, Role = GroupRole.Member, JoinedAt = now, InvitedBy = meId });
                result.Added.Add(Ids.Format(userId));
                added.Add(userId);
            }
            await GroupConversations.JoinedAsync(db, group.Id, newcomers, cancellationToken);
        }
        else
        {
            var alreadyPending = (await db.GroupJoinRequests
                .Where(r => r.GroupId == group.Id && r.Status == RequestStatus.Pending && newcomers.Contains(r.UserId))
                .Select(r => r.UserId).ToListAsync(cancellationToken)).ToHashSet();
            foreach (var userId in newcomers)
            {
                if (!alreadyPending.Contains(userId))
                {
                    var request = new GroupJoinRequest
                    {
                        Id = ids.Next(), GroupId = group.Id, UserId = userId, InviterId = meId, Status = RequestStatus.Pending, CreatedAt = now,
                    };
                    db.GroupJoinRequests.Add(request);
                    requested.Add(request);
                }
                result.Pending.Add(Ids.Format(userId));
            }
        }
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);

        if (added.Count > 0 || requested.Count > 0)
        {
            var audience = await events.CommittedAsync(db, group.Id);
            if (added.Count > 0)
            {
                await system.PostAsync(db, audience, new GroupHappening(GroupHappening.MembersJoined, meId) { UserIds = added, Via = "invitation" });
                await events.JoinedAsync(db, audience, added, meId, CancellationToken.None);
            }
            foreach (var request in requested) await events.JoinRequestAsync(db, audience, request, CancellationToken.None);
        }
        return TypedResults.Ok(result);
    }

    private static async Task<Ok<GroupMemberView>> ChangeRole(
        string id, string userId, RoleBody body, HttpContext http, ParleyDb db, GroupEvents events, GroupSystemMessages system,
        TimeProvider time, CancellationToken cancellationToken)
    {
        var role = body.Role ?? throw ApiProblem.Invalid("role", "role is one of owner, admin or member.");
        if (!Enum.IsDefined(role)) throw ApiProblem.Invalid("role", "role is one of owner, admin or member.");
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        await LockGroupAsync(db, id, cancellationToken);
        var (group, me) = await RequireMemberAsync(db, id, http.User.UserId(), cancellationToken);
        if (me.Role != GroupRole.Owner) throw ApiProblem.Forbidden("not_group_owner", "Only the owner can change roles.");
        var target = await FindMemberAsync(db, group.Id, userId, cancellationToken);
        if (target.UserId == me.UserId) throw ApiProblem.BadRequest("cannot_change_own_role", "Transfer ownership to another member instead.");
        var changed = target.Role != role;

        if (role == GroupRole.Owner)
        {
            // Transferring ownership: the old owner stays on as an admin.
            target.Role = GroupRole.Owner;
            me.Role = GroupRole.Admin;
            group.OwnerId = target.UserId;
            group.UpdatedAt = time.GetUtcNow();
        }
        else
        {
            target.Role = role;
        }
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);

        if (changed)
        {
            // Everyone sees the member list change; the group itself (ownerId, myRole) changes for everyone on a
            // transfer, and otherwise only for the one whose role it is.
            var audience = await events.CommittedAsync(db, group.Id);
            var transfer = role == GroupRole.Owner;
            await system.PostAsync(db, audience, transfer
                ? new GroupHappening(GroupHappening.OwnerChanged, me.UserId) { UserIds = [target.UserId] }
                : new GroupHappening(GroupHappening.RoleChanged, me.UserId) { UserIds = [target.UserId], Role = role });
            await events.MembersChangedAsync(db, audience, transfer ? [target.UserId, me.UserId] : [target.UserId], me.UserId, CancellationToken.None);
            events.Updated(group, audience, transfer ? null : [target.UserId]);
        }
        var user = await db.Users.AsNoTracking().FirstAsync(u => u.Id == target.UserId, cancellationToken);
        return TypedResults.Ok(MemberView(target, user));
    }

    /// <summary>Leaving (the target is me) or removing someone of a lower role.</summary>
    private static async Task<NoContent> RemoveMember(
        string id, string userId, HttpContext http, ParleyDb db, GroupEvents events, GroupSystemMessages system, CancellationToken cancellationToken)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        await LockGroupAsync(db, id, cancellationToken);
        var (group, me) = await RequireMemberAsync(db, id, http.User.UserId(), cancellationToken);
        var target = await FindMemberAsync(db, group.Id, userId, cancellationToken);
        if (target.UserId == me.UserId)
        {
            if (me.Role == GroupRole.Owner)
                throw ApiProblem.Conflict("owner_must_transfer", "The owner cannot leave: transfer ownership first, or dissolve the group.");
        }
        else if (!GroupRules.Manages(me.Role) || !GroupRules.Outranks(me.Role, target.Role))
        {
            throw ApiProblem.Forbidden("insufficient_role", "You can only remove members whose role is below yours.");
        }
        db.GroupMembers.Remove(target);
        await GroupConversations.LeftAsync(db, group.Id, target.UserId, cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);

        // The system message is for those who stay (the one who went can no longer read the conversation);
        // the event also reaches the one who went.
        var remaining = await events.CommittedAsync(db, group.Id);
        await system.PostAsync(db, remaining, target.UserId == me.UserId
            ? new GroupHappening(GroupHappening.MemberLeft, me.UserId)
            : new GroupHappening(GroupHappening.MemberRemoved, me.UserId) { UserIds = [target.UserId] });
        events.Left(remaining, target.UserId, me.UserId);
        return TypedResults.NoContent();
    }

    private static async Task<NoContent> Mute(
        string id, MuteBody body, HttpContext http, ParleyDb db, GroupEvents events, GroupSystemMessages system, TimeProvider time,
        CancellationToken cancellationToken)
    {
        var until = body.Until ?? throw ApiProblem.Invalid("until", "'until' is required: the time the mute ends.");
        if (until <= time.GetUtcNow()) throw ApiProblem.Invalid("until", "'until' must be in the future.");
        var (group, me) = await RequireManagerAsync(db, id, http.User.UserId(), cancellationToken);
        long? mutedMember = null;
        if (body.UserId is null)
        {
            group.MutedUntil = until;
            group.UpdatedAt = time.GetUtcNow();
        }
        else
        {
            var target = await FindMemberAsync(db, group.Id, body.UserId, cancellationToken);
            if (!GroupRules.Outranks(me.Role, target.Role))
                throw ApiProblem.Forbidden("insufficient_role", "You can only mute members whose role is below yours.");
            target.MutedUntil = until;
            mutedMember = target.UserId;
        }
        await db.SaveChangesAsync(cancellationToken);

        var audience = await events.CommittedAsync(db, group.Id);
        if (mutedMember is { } mutedId)
        {
            await events.MembersChangedAsync(db, audience, [mutedId], me.UserId, CancellationToken.None);
        }
        else
        {
            await system.PostAsync(db, audience, new GroupHappening(GroupHappening.Muted, me.UserId) { Until = until });
            events.Updated(group, audience);
        }
        return TypedResults.NoContent();
    }

    private static async Task<NoContent> Unmute(
        string id, string target, HttpContext http, ParleyDb db, GroupEvents events, GroupSystemMessages system, TimeProvider time,
        CancellationToken cancellationToken)
    {
        var (group, me) = await RequireManagerAsync(db, id, http.User.UserId(), cancellationToken);
        var all = string.Equals(target, "all", StringComparison.OrdinalIgnoreCase);
        long? unmuted = null;
        var wasMuted = false;
        if (all)
        {
            wasMuted = group.MutedUntil > time.GetUtcNow();
            group.MutedUntil = null;
            group.UpdatedAt = time.GetUtcNow();
        }
        else
        {
            var member = await FindMemberAsync(db, group.Id, target, cancellationToken);
            if (!GroupRules.Outranks(me.Role, member.Role))
                throw ApiProblem.Forbidden("insufficient_role", "You can only unmute members whose role is below yours.");
            wasMuted = member.MutedUntil is not null;
            member.MutedUntil = null;
            unmuted = member.UserId;
        }
        await db.SaveChangesAsync(cancellationToken);

        if (wasMuted)
        {
            var audience = await events.CommittedAsync(db, group.Id);
            if (unmuted is { } userId)
            {
                await events.MembersChangedAsync(db, audience, [userId], me.UserId, CancellationToken.None);
            }
            else
            {
                await system.PostAsync(db, audience, new GroupHappening(GroupHappening.Unmuted, me.UserId));
                events.Updated(group, audience);
            }
        }
        return TypedResults.NoContent();
    }

    /// <summary>201 with a pending request; 200 with the existing pending one; 200 with an accepted one when the group needs no approval.</summary>
    private static async Task<Results<Created<JoinRequestView>, Ok<JoinRequestView>>> RequestToJoin(
        string id, JoinRequestBody body, HttpContext http, ParleyDb db, IdGenerator ids, IOptions<GroupsOptions> options,
        GroupEvents events, GroupSystemMessages system, TimeProvider time, CancellationToken cancellationToken)
    {
        var meId = http.User.UserId();
        if (body.Message is { Length: > GroupRules.MaxRequestMessageLength })
            throw ApiProblem.Invalid("message", $"The message must be at most {GroupRules.MaxRequestMessageLength} characters.");
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        await LockGroupAsync(db, id, cancellationToken);
        var group = await FindGroupAsync(db, id, cancellationToken);
        if (await db.GroupMembers.AnyAsync(m => m.GroupId == group.Id && m.UserId == meId, cancellationToken))
            throw ApiProblem.Conflict("already_member", "You are already a member of this group.");

        var pending = await db.GroupJoinRequests.FirstOrDefaultAsync(
            r => r.GroupId == group.Id && r.UserId == meId && r.Status == RequestStatus.Pending, cancellationToken);
        if (pending is not null && group.JoinApproval) return TypedResults.Ok(JoinView(pending, null));

        var now = time.GetUtcNow();
        var request = pending ?? new GroupJoinRequest { Id = ids.Next(), GroupId = group.Id, UserId = meId, CreatedAt = now };
        request.Message = string.IsNullOrWhiteSpace(body.Message) ? null : body.Message.Trim();
        if (pending is null) db.GroupJoinRequests.Add(request);

        if (!group.JoinApproval)
        {
            await ThrowIfFullAsync(db, group.Id, 1, options.Value, cancellationToken);
            request.Status = RequestStatus.Accepted;
            request.HandledAt = now;
            db.GroupMembers.Add(new GroupMember { GroupId = group.Id, UserId = meId, Role = GroupRole.Member, JoinedAt = now });
            await GroupConversations.JoinedAsync(db, group.Id, [meId], cancellationToken);
        }
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);

        var audience = await events.CommittedAsync(db, group.Id);
        if (request.Status == RequestStatus.Accepted)
        {
            await system.PostAsync(db, audience, new GroupHappening(GroupHappening.MembersJoined, meId) { UserIds = [meId], Via = "request" });
            await events.JoinedAsync(db, audience, [meId], null, CancellationToken.None);
        }
        else
        {
            await events.JoinRequestAsync(db, audience, request, CancellationToken.None);
        }
        return request.Status == RequestStatus.Pending
            ? TypedResults.Created($"/api/v1/groups/{group.Id}/join-requests/{request.Id}", JoinView(request, null))
            : TypedResults.Ok(JoinView(request, null));
    }

    private static async Task<Ok<List<JoinRequestView>>> ListJoinRequests(
        string id, HttpContext http, ParleyDb db, CancellationToken cancellationToken, string? status = null, int limit = 100)
    {
        if (limit is < 1 or > 500) throw ApiProblem.Invalid("limit", "limit must be between 1 and 500.");
        var (group, _) = await RequireManagerAsync(db, id, http.User.UserId(), cancellationToken);
        var query = db.GroupJoinRequests.AsNoTracking().Where(r => r.GroupId == group.Id);
        if (status is not null)
        {
            if (!Enum.TryParse<RequestStatus>(status, ignoreCase: true, out var wanted) || !Enum.IsDefined(wanted))
                throw ApiProblem.Invalid("status", "status is pending, accepted or rejected.");
            query = query.Where(r => r.Status == wanted);
        }
        var requests = await (
            from r in query
            join u in db.Users.AsNoTracking() on r.UserId equals u.Id
            orderby r.CreatedAt descending, r.Id descending
            select new { r, u }).Take(limit).ToListAsync(cancellationToken);
        return TypedResults.Ok(requests.Select(x => JoinView(x.r, UserViews.Public(x.u, isFriend: false))).ToList());
    }

    private static async Task<Ok<JoinRequestView>> HandleJoinRequest(
        string id, string requestId, bool accept, HttpContext http, ParleyDb db, IOptions<GroupsOptions> options,
        GroupEvents events, GroupSystemMessages system, TimeProvider time, CancellationToken cancellationToken)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        await LockGroupAsync(db, id, cancellationToken);
        var (group, me) = await RequireManagerAsync(db, id, http.User.UserId(), cancellationToken);
        var parsed = Ids.TryParse(requestId, out var rid) ? rid : 0;
        var request = await db.GroupJoinRequests.FirstOrDefaultAsync(r => r.Id == parsed && r.GroupId == group.Id, cancellationToken)
            ?? throw ApiProblem.NotFound("join_request_not_found", "There is no such join request in this group.");
        if (request.Status != RequestStatus.Pending)
            throw ApiProblem.Conflict("request_already_handled", $"This request was already {request.Status.ToString().ToLowerInvariant()}.");

        var now = time.GetUtcNow();
        request.Status = accept ? RequestStatus.Accepted : RequestStatus.Rejected;
        request.HandledBy = me.UserId;
        request.HandledAt = now;
        var joined = false;
        if (accept && !await db.GroupMembers.AnyAsync(m => m.GroupId == group.Id && m.UserId == request.UserId, cancellationToken))
        {
            joined = true;
            await ThrowIfFullAsync(db, group.Id, 1, options.Value, cancellationToken);
            db.GroupMembers.Add(new GroupMember
            {
                GroupId = group.Id, UserId = request.UserId, Role = GroupRole.Member, JoinedAt = now, InvitedBy = request.InviterId,
            });
            await GroupConversations.JoinedAsync(db, group.Id, [request.UserId], cancellationToken);
        }
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);

        var audience = await events.CommittedAsync(db, group.Id);
        if (joined)
        {
            await system.PostAsync(db, audience,
                new GroupHappening(GroupHappening.MembersJoined, me.UserId) { UserIds = [request.UserId], Via = "approval" });
            await events.JoinedAsync(db, audience, [request.UserId], me.UserId, CancellationToken.None);
        }
        await events.JoinRequestAsync(db, audience, request, CancellationToken.None);
        return TypedResults.Ok(JoinView(request, null));
    }

    internal static GroupView View(Group group, int memberCount, GroupRole? myRole, int maxMembers, DateTimeOffset now) =>
        new(Ids.Format(group.Id), group.Name, group.Icon, group.Notice, Ids.Format(group.OwnerId), group.JoinApproval,
            group.MutedUntil > now ? group.MutedUntil : null, memberCount, maxMembers, myRole, group.CreatedAt);

    internal static JoinRequestView JoinView(GroupJoinRequest r, UserProfile? user) =>
        new(Ids.Format(r.Id), Ids.Format(r.GroupId), Ids.Format(r.UserId), r.InviterId is { } i ? Ids.Format(i) : null, r.Message,
            r.Status, r.CreatedAt, r.HandledBy is { } h ? Ids.Format(h) : null, r.HandledAt, user);

    private static string? CheckName(string? name)
    {
        if (string.IsNullOrWhiteSpace(name)) return null;
        var trimmed = name.Trim();
        if (trimmed.Length > GroupRules.MaxNameLength)
            throw ApiProblem.Invalid("name", $"The group name must be at most {GroupRules.MaxNameLength} characters.");
        return trimmed;
    }

    private static List<long> ParseUserIds(List<string>? ids, string field)
    {
        if (ids is null) return [];
        if (ids.Count > GroupRules.MaxInviteesPerRequest)
            throw ApiProblem.Invalid(field, $"At most {GroupRules.MaxInviteesPerRequest} people at a time.");
        return ids.Select(id => Ids.Parse(id, field)).Distinct().ToList();
    }

    private static async Task ThrowUnlessAllFriendsAsync(ParleyDb db, long me, List<long> userIds, CancellationToken cancellationToken)
    {
        if (userIds.Count == 0) return;
        var friends = await db.Friendships.Where(f => f.UserId == me && userIds.Contains(f.FriendId))
            .Select(f => f.FriendId).ToListAsync(cancellationToken);
        var strangers = userIds.Except(friends).ToList();
        if (strangers.Count > 0)
            throw new ApiProblem(StatusCodes.Status403Forbidden, "not_friends",
                $"You can only invite your friends; not friends: {string.Join(", ", strangers)}.");
    }

    private static async Task ThrowIfFullAsync(ParleyDb db, long groupId, int joining, GroupsOptions options, CancellationToken cancellationToken)
    {
        var count = await db.GroupMembers.CountAsync(m => m.GroupId == groupId, cancellationToken);
        if (count + joining > options.MaxMembers)
            throw ApiProblem.Conflict("group_full", $"A group has at most {options.MaxMembers} members.");
    }

    /// <summary>
    /// Takes the group's row lock until the transaction ends, so that the transactions which read a group's members
    /// and then change them (invite, join, accept, roles, removal) run one at a time per group. Without it,
    /// PostgreSQL's read committed lets two of them both see room and both insert past the member limit, both
    /// miss a pending request or a membership and hit a unique key (a 500), or both act on a role the other is
    /// changing. The update writes nothing new; on SQLite, whose write transactions are serialised already, it
    /// is harmless.
    /// </summary>
    private static async Task LockGroupAsync(ParleyDb db, string id, CancellationToken cancellationToken)
    {
        if (!Ids.TryParse(id, out var groupId)) return;
        await db.Groups.Where(g => g.Id == groupId)
            .ExecuteUpdateAsync(g => g.SetProperty(x => x.UpdatedAt, x => x.UpdatedAt), cancellationToken);
    }

    private static async Task<Group> FindGroupAsync(ParleyDb db, string id, CancellationToken cancellationToken)
    {
        var groupId = Ids.TryParse(id, out var parsed) ? parsed : 0;
        return await db.Groups.FirstOrDefaultAsync(g => g.Id == groupId && g.DissolvedAt == null, cancellationToken)
            ?? throw ApiProblem.NotFound("group_not_found", "There is no such group.");
    }

    private static async Task<GroupRole?> RoleOfAsync(ParleyDb db, long groupId, long userId, CancellationToken cancellationToken) =>
        await db.GroupMembers.Where(m => m.GroupId == groupId && m.UserId == userId)
            .Select(m => (GroupRole?)m.Role).FirstOrDefaultAsync(cancellationToken);

    private static async Task<(Group Group, GroupMember Me)> RequireMemberAsync(ParleyDb db, string id, long userId, CancellationToken cancellationToken)
    {
        var group = await FindGroupAsync(db, id, cancellationToken);
        var me = await db.GroupMembers.FirstOrDefaultAsync(m => m.GroupId == group.Id && m.UserId == userId, cancellationToken)
            ?? throw ApiProblem.Forbidden("not_group_member", "You are not a member of this group.");
        return (group, me);
    }

    private static async Task<(Group Group, GroupMember Me)> RequireManagerAsync(ParleyDb db, string id, long userId, CancellationToken cancellationToken)
    {
        var (group, me) = await RequireMemberAsync(db, id, userId, cancellationToken);
        if (!GroupRules.Manages(me.Role)) throw ApiProblem.Forbidden("not_group_admin", "Only the group's owner and admins can do this.");
        return (group, me);
    }

    private static async Task<GroupMember> FindMemberAsync(ParleyDb db, long groupId, string userId, CancellationToken cancellationToken)
    {
        var id = Ids.TryParse(userId, out var parsed) ? parsed : 0;
        return await db.GroupMembers.FirstOrDefaultAsync(m => m.GroupId == groupId && m.UserId == id, cancellationToken)
            ?? throw ApiProblem.NotFound("member_not_found", "This person is not a member of the group.");
    }
}
