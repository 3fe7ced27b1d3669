using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Parley.Server.Accounts;
using Parley.Server.Http;
using Parley.Server.Social.Friends;
using Parley.Server.Storage;

namespace Parley.Server.Social.Groups;

/// <summary>
/// Every change to a group: creating, editing and dissolving it; inviting, joining, roles, removal; mutes; join
/// requests. Each checks the rules (<see cref="GroupChecks"/>, <see cref="GroupRules"/>), makes the change in one
/// transaction (the ones that read the members and then change them hold the group's lock, see
/// <see cref="GroupChecks.LockAsync"/>), keeps the group's conversation rows in step through
/// <see cref="IGroupConversationRows"/> and writes its durable notes (<see cref="ISocialOutbox"/>) in that same
/// transaction, and once committed hands what happened to
/// <see cref="GroupAnnouncer"/>, which voids the caches and raises the events before the method returns.
/// A refused change throws an <see cref="ApiProblem"/> and raises nothing.
/// </summary>
public sealed class GroupMembership(
    ParleyDb db, IdGenerator ids, IGroupConversationRows conversations, GroupAnnouncer announcer, ISocialOutbox outbox,
    IOptions<GroupsOptions> options, TimeProvider time)
{
    private GroupsOptions Options => options.Value;

    /// <param name="byPlatform">Made by the embedding product (the platform API): the members need not be the owner's friends.</param>
    public async Task<GroupView> CreateAsync(long me, CreateGroupBody body, CancellationToken cancellationToken, bool byPlatform = false)
    {
        var name = GroupChecks.CheckName(body.Name) ?? throw ApiProblem.Invalid("name", "The group needs a name.");
        AuthApi.CheckAvatar(body.Icon);
        var invitees = ParseUserIds(body.MemberIds, "memberIds").Where(id => id != me).ToList();
        if (invitees.Count + 1 > Options.MaxMembers)
            throw ApiProblem.Conflict("group_full", $"A group has at most {Options.MaxMembers} members.");
        if (!byPlatform) await GroupChecks.ThrowUnlessAllFriendsAsync(db, me, invitees, cancellationToken);

        var now = time.GetUtcNow();
        var group = new Group
        {
            Id = ids.Next(),
            Name = name,
            Icon = string.IsNullOrWhiteSpace(body.Icon) ? null : body.Icon.Trim(),
            OwnerId = me,
            JoinApproval = body.JoinApproval ?? GroupRules.DefaultJoinApproval,
            HistoryForNewMembers = body.HistoryForNewMembers ?? true,
            CreatedAt = now,
            UpdatedAt = now,
        };
        db.Groups.Add(group);
        db.GroupMembers.Add(new GroupMember { GroupId = group.Id, UserId = me, Role = GroupRole.Owner, JoinedAt = now });
        var joined = invitees.Select(invitee => new GroupMember { GroupId = group.Id, UserId = invitee, Role = GroupRole.Member, JoinedAt = now, InvitedBy = me }).ToList();
        db.GroupMembers.AddRange(joined);
        conversations.Created(db, group.Id, [me, .. invitees], now);
        outbox.GroupCreated(db, group, [me, .. invitees]);
        await outbox.MembersJoinedAsync(db, joined, me, cancellationToken);
        await db.SaveChangesAsync(cancellationToken);

        await announcer.AnnounceAsync(group.Id, new GroupNews
        {
            History = [new GroupHappening(GroupHappening.Created, me) { Name = group.Name, UserIds = invitees }],
            Joined = invitees,
            JoinedBy = me,
        });
        return GroupViews.Group(group, invitees.Count + 1, GroupRole.Owner, Options.MaxMembers, now);
    }

    public async Task<GroupView> UpdateAsync(long groupId, long meId, UpdateGroupBody body, CancellationToken cancellationToken)
    {
        var (group, me) = await GroupChecks.RequireManagerAsync(db, groupId, meId, cancellationToken);
        var before = (group.Name, group.Icon, group.Notice, group.JoinApproval, group.HistoryForNewMembers);
        if (body.Name is not null) group.Name = GroupChecks.CheckName(body.Name) ?? throw ApiProblem.Invalid("name", "The group name cannot be empty.");
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
        if (body.HistoryForNewMembers is { } historyForNewMembers) group.HistoryForNewMembers = historyForNewMembers;
        group.UpdatedAt = time.GetUtcNow();
        await db.SaveChangesAsync(cancellationToken);

        // A change to nothing new tells nothing.
        var changed = before != (group.Name, group.Icon, group.Notice, group.JoinApproval, group.HistoryForNewMembers);
        var history = new List<GroupHappening>();
        if (group.Name != before.Name) history.Add(new GroupHappening(GroupHappening.NameChanged, me.UserId) { Name = group.Name });
        if (group.Notice != before.Notice) history.Add(new GroupHappening(GroupHappening.NoticeChanged, me.UserId) { Notice = group.Notice });
        var audience = await announcer.AnnounceAsync(group.Id, changed ? new GroupNews { History = history, Updated = group } : new GroupNews());
        return GroupViews.Group(group, audience.Members.Count, me.Role, Options.MaxMembers, group.UpdatedAt);
    }

    public async Task DissolveAsync(long groupId, long meId, CancellationToken cancellationToken)
    {
        var (group, me) = await GroupChecks.RequireMemberAsync(db, groupId, meId, cancellationToken);
        if (me.Role != GroupRole.Owner) throw ApiProblem.Forbidden("not_group_owner", "Only the owner can dissolve the group.");
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        group.DissolvedAt = time.GetUtcNow();
        group.UpdatedAt = group.DissolvedAt.Value;
        outbox.GroupDissolved(db, group.Id, me.UserId);
        await db.SaveChangesAsync(cancellationToken);
        var formerMembers = await db.GroupMembers.Where(m => m.GroupId == group.Id).Select(m => m.UserId).ToListAsync(cancellationToken);
        await db.GroupMembers.Where(m => m.GroupId == group.Id).ExecuteDeleteAsync(cancellationToken);
        await db.GroupRemovals.Where(r => r.GroupId == group.Id).ExecuteDeleteAsync(cancellationToken);
        await conversations.DissolvedAsync(db, group.Id, cancellationToken);
        await db.GroupJoinRequests.Where(r => r.GroupId == group.Id && r.Status == RequestStatus.Pending)
            .ExecuteUpdateAsync(r => r.SetProperty(x => x.Status, RequestStatus.Rejected).SetProperty(x => x.HandledAt, group.DissolvedAt), cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        // No system message: the members lose the conversation.
        await announcer.DissolvedAsync(group.Id, me.UserId, formerMembers);
    }

    /// <summary>
    /// Invites friends of the inviter. Owners and admins add them at once (which lets a removed member back in), as
    /// does anyone when approval is off; otherwise, and always for someone an owner or admin removed, a plain
    /// member's invitation becomes a join request for an owner or admin to handle.
    /// </summary>
    /// <param name="byPlatform">Added by the embedding product (the platform API) in the name of <paramref name="meId"/>, the owner: the invitees need not be their friends.</param>
    public async Task<InviteResult> InviteAsync(long groupId, long meId, InviteBody body, CancellationToken cancellationToken, bool byPlatform = false)
    {
        var invitees = ParseUserIds(body.UserIds, "userIds");
        if (invitees.Count == 0) throw ApiProblem.Invalid("userIds", "Name at least one person to invite.");
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        await GroupChecks.LockAsync(db, groupId, cancellationToken);
        var (group, me) = await GroupChecks.RequireMemberAsync(db, groupId, meId, cancellationToken);
        if (!byPlatform) await GroupChecks.ThrowUnlessAllFriendsAsync(db, meId, invitees.Where(i => i != meId).ToList(), cancellationToken);

        var existing = (await db.GroupMembers.Where(m => m.GroupId == group.Id && invitees.Contains(m.UserId))
            .Select(m => m.UserId).ToListAsync(cancellationToken)).ToHashSet();
        var newcomers = invitees.Where(i => !existing.Contains(i)).ToList();
        var now = time.GetUtcNow();
        var result = new InviteResult([], []);
        var added = new List<GroupMember>();
        var requested = new List<GroupJoinRequest>();
        var manages = GroupRules.Manages(me.Role);
        var barred = manages ? [] : await GroupChecks.RemovedAmongAsync(db, group.Id, newcomers, cancellationToken);
        var atOnce = manages || !group.JoinApproval ? newcomers.Where(i => !barred.Contains(i)).ToList() : [];
        var waiting = newcomers.Except(atOnce).ToList();

        if (atOnce.Count > 0)
        {
            await GroupChecks.ThrowIfFullAsync(db, group.Id, atOnce.Count, Options, cancellationToken);
            foreach (var userId in atOnce)
            {
                var member = new GroupMember { GroupId = group.Id, UserId = userId, Role = GroupRole.Member, JoinedAt = now, InvitedBy = meId };
                db.GroupMembers.Add(member);
                result.Added.Add(Ids.Format(userId));
                added.Add(member);
            }
            await conversations.JoinedAsync(db, group.Id, atOnce, cancellationToken);
            if (manages) await GroupChecks.ForgetRemovalsAsync(db, group.Id, atOnce, cancellationToken);
            await outbox.MembersJoinedAsync(db, added, meId, cancellationToken);
        }
        if (waiting.Count > 0)
        {
            var alreadyPending = (await db.GroupJoinRequests
                .Where(r => r.GroupId == group.Id && r.Status == RequestStatus.Pending && waiting.Contains(r.UserId))
                .Select(r => r.UserId).ToListAsync(cancellationToken)).ToHashSet();
            foreach (var userId in waiting)
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
            await announcer.AnnounceAsync(group.Id, new GroupNews
            {
                History = added.Count > 0
                    ? [new GroupHappening(GroupHappening.MembersJoined, meId) { UserIds = added.Select(m => m.UserId).ToList(), Via = "invitation" }]
                    : [],
                Joined = added.Select(m => m.UserId).ToList(),
                JoinedBy = meId,
                JoinRequests = requested,
            });
        return result;
    }

    /// <summary>The member with their new role; making someone the owner transfers ownership (the old owner stays on as an admin).</summary>
    public async Task<GroupMemberView> ChangeRoleAsync(long groupId, long meId, long userId, RoleBody body, CancellationToken cancellationToken)
    {
        var role = body.Role ?? throw ApiProblem.Invalid("role", "role is one of owner, admin or member.");
        if (!Enum.IsDefined(role)) throw ApiProblem.Invalid("role", "role is one of owner, admin or member.");
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        await GroupChecks.LockAsync(db, groupId, cancellationToken);
        var (group, me) = await GroupChecks.RequireMemberAsync(db, groupId, meId, cancellationToken);
        if (me.Role != GroupRole.Owner) throw ApiProblem.Forbidden("not_group_owner", "Only the owner can change roles.");
        var target = await GroupChecks.FindMemberAsync(db, group.Id, userId, cancellationToken);
        if (target.UserId == me.UserId) throw ApiProblem.BadRequest("cannot_change_own_role", "Transfer ownership to another member instead.");
        var changed = target.Role != role;
        var transfer = role == GroupRole.Owner;
        if (transfer)
        {
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
            await announcer.AnnounceAsync(group.Id, new GroupNews
            {
                History = [transfer
                    ? new GroupHappening(GroupHappening.OwnerChanged, me.UserId) { UserIds = [target.UserId] }
                    : new GroupHappening(GroupHappening.RoleChanged, me.UserId) { UserIds = [target.UserId], Role = role }],
                MembersChanged = transfer ? [target.UserId, me.UserId] : [target.UserId],
                ChangedBy = me.UserId,
                Updated = group,
                UpdatedFor = transfer ? null : [target.UserId],
            });
        }
        var user = await db.Users.AsNoTracking().FirstAsync(u => u.Id == target.UserId, cancellationToken);
        return GroupViews.Member(target, user);
    }

    /// <summary>
    /// Leaving (the target is me) or removing someone of a lower role; the one removed may not join again by
    /// themselves (<see cref="GroupRemoval"/>), the one who left may.
    /// </summary>
    public async Task RemoveAsync(long groupId, long meId, long userId, CancellationToken cancellationToken)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        await GroupChecks.LockAsync(db, groupId, cancellationToken);
        var (group, me) = await GroupChecks.RequireMemberAsync(db, groupId, meId, cancellationToken);
        var target = await GroupChecks.FindMemberAsync(db, group.Id, userId, cancellationToken);
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
        if (target.UserId != me.UserId)
        {
            var now = time.GetUtcNow();
            var removal = await db.GroupRemovals.FirstOrDefaultAsync(r => r.GroupId == group.Id && r.UserId == target.UserId, cancellationToken);
            if (removal is null) db.GroupRemovals.Add(new GroupRemoval { GroupId = group.Id, UserId = target.UserId, RemovedBy = me.UserId, RemovedAt = now });
            else (removal.RemovedBy, removal.RemovedAt) = (me.UserId, now);
        }
        await conversations.LeftAsync(db, group.Id, target.UserId, cancellationToken);
        outbox.MemberLeft(db, group.Id, target.UserId, target.UserId == me.UserId ? null : me.UserId);
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);

        // The system message is for those who stay (the one who went can no longer read the conversation);
        // the event also reaches the one who went.
        await announcer.AnnounceAsync(group.Id, new GroupNews
        {
            History = [target.UserId == me.UserId
                ? new GroupHappening(GroupHappening.MemberLeft, me.UserId)
                : new GroupHappening(GroupHappening.MemberRemoved, me.UserId) { UserIds = [target.UserId] }],
            Left = (target.UserId, me.UserId),
        });
    }

    /// <summary>Mutes the whole group (no <see cref="MuteBody.UserId"/>) or one member of a lower role, until <see cref="MuteBody.Until"/>.</summary>
    public async Task MuteAsync(long groupId, long meId, MuteBody body, CancellationToken cancellationToken)
    {
        var until = body.Until ?? throw ApiProblem.Invalid("until", "'until' is required: the time the mute ends.");
        if (until <= time.GetUtcNow()) throw ApiProblem.Invalid("until", "'until' must be in the future.");
        var (group, me) = await GroupChecks.RequireManagerAsync(db, groupId, meId, cancellationToken);
        GroupMember? target = null;
        if (body.UserId is null)
        {
            group.MutedUntil = until;
            group.UpdatedAt = time.GetUtcNow();
        }
        else
        {
            target = await GroupChecks.FindMemberAsync(db, group.Id, IdOrZero(body.UserId), cancellationToken);
            if (!GroupRules.Outranks(me.Role, target.Role))
                throw ApiProblem.Forbidden("insufficient_role", "You can only mute members whose role is below yours.");
            target.MutedUntil = until;
        }
        await db.SaveChangesAsync(cancellationToken);

        await announcer.AnnounceAsync(group.Id, target is not null
            ? new GroupNews { MembersChanged = [target.UserId], ChangedBy = me.UserId }
            : new GroupNews { History = [new GroupHappening(GroupHappening.Muted, me.UserId) { Until = until }], Updated = group });
    }

    /// <summary>Unmutes the whole group (<paramref name="target"/> <c>all</c>) or one member of a lower role; unmuting what is not muted tells nothing.</summary>
    public async Task UnmuteAsync(long groupId, long meId, string target, CancellationToken cancellationToken)
    {
        var (group, me) = await GroupChecks.RequireManagerAsync(db, groupId, meId, cancellationToken);
        GroupMember? member = null;
        bool wasMuted;
        if (string.Equals(target, "all", StringComparison.OrdinalIgnoreCase))
        {
            wasMuted = group.MutedUntil > time.GetUtcNow();
            group.MutedUntil = null;
            group.UpdatedAt = time.GetUtcNow();
        }
        else
        {
            member = await GroupChecks.FindMemberAsync(db, group.Id, IdOrZero(target), cancellationToken);
            if (!GroupRules.Outranks(me.Role, member.Role))
                throw ApiProblem.Forbidden("insufficient_role", "You can only unmute members whose role is below yours.");
            wasMuted = member.MutedUntil is not null;
            member.MutedUntil = null;
        }
        await db.SaveChangesAsync(cancellationToken);

        if (wasMuted)
            await announcer.AnnounceAsync(group.Id, member is not null
                ? new GroupNews { MembersChanged = [member.UserId], ChangedBy = me.UserId }
                : new GroupNews { History = [new GroupHappening(GroupHappening.Unmuted, me.UserId)], Updated = group });
    }

    /// <summary>
    /// Asks to join: a new pending request (<c>Created</c> true); the pending one already there; or, when the group
    /// needs no approval, an accepted one (I am a member now). Someone an owner or admin removed is refused.
    /// </summary>
    public async Task<(JoinRequestView Request, bool Created)> RequestToJoinAsync(long groupId, long meId, JoinRequestBody body, CancellationToken cancellationToken)
    {
        if (body.Message is { Length: > GroupRules.MaxRequestMessageLength })
            throw ApiProblem.Invalid("message", $"The message must be at most {GroupRules.MaxRequestMessageLength} characters.");
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        await GroupChecks.LockAsync(db, groupId, cancellationToken);
        var group = await GroupChecks.FindGroupAsync(db, groupId, cancellationToken);
        if (await db.GroupMembers.AnyAsync(m => m.GroupId == group.Id && m.UserId == meId, cancellationToken))
            throw ApiProblem.Conflict("already_member", "You are already a member of this group.");
        await GroupChecks.ThrowIfRemovedAsync(db, group.Id, meId, cancellationToken);

        var pending = await db.GroupJoinRequests.FirstOrDefaultAsync(
            r => r.GroupId == group.Id && r.UserId == meId && r.Status == RequestStatus.Pending, cancellationToken);
        if (pending is not null && group.JoinApproval) return (GroupViews.JoinRequest(pending, null), false);

        var now = time.GetUtcNow();
        var request = pending ?? new GroupJoinRequest { Id = ids.Next(), GroupId = group.Id, UserId = meId, CreatedAt = now };
        request.Message = string.IsNullOrWhiteSpace(body.Message) ? null : body.Message.Trim();
        if (pending is null) db.GroupJoinRequests.Add(request);

        if (!group.JoinApproval)
        {
            await GroupChecks.ThrowIfFullAsync(db, group.Id, 1, Options, cancellationToken);
            request.Status = RequestStatus.Accepted;
            request.HandledAt = now;
            var member = new GroupMember { GroupId = group.Id, UserId = meId, Role = GroupRole.Member, JoinedAt = now };
            db.GroupMembers.Add(member);
            await conversations.JoinedAsync(db, group.Id, [meId], cancellationToken);
            await outbox.MembersJoinedAsync(db, [member], null, cancellationToken);
        }
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);

        var joined = request.Status == RequestStatus.Accepted;
        await announcer.AnnounceAsync(group.Id, joined
            ? new GroupNews { History = [new GroupHappening(GroupHappening.MembersJoined, meId) { UserIds = [meId], Via = "request" }], Joined = [meId] }
            : new GroupNews { JoinRequests = [request] });
        return (GroupViews.JoinRequest(request, null), request.Status == RequestStatus.Pending);
    }

    /// <summary>
    /// Accepts (the person joins, unless they are a member already; a removal no longer bars them) or rejects a
    /// pending request or member's invitation.
    /// </summary>
    public async Task<JoinRequestView> HandleJoinRequestAsync(long groupId, long meId, long requestId, bool accept, CancellationToken cancellationToken)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        await GroupChecks.LockAsync(db, groupId, cancellationToken);
        var (group, me) = await GroupChecks.RequireManagerAsync(db, groupId, meId, cancellationToken);
        var request = await db.GroupJoinRequests.FirstOrDefaultAsync(r => r.Id == requestId && r.GroupId == group.Id, cancellationToken)
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
            await GroupChecks.ThrowIfFullAsync(db, group.Id, 1, Options, cancellationToken);
            var member = new GroupMember
            {
                GroupId = group.Id, UserId = request.UserId, Role = GroupRole.Member, JoinedAt = now, InvitedBy = request.InviterId,
            };
            db.GroupMembers.Add(member);
            await conversations.JoinedAsync(db, group.Id, [request.UserId], cancellationToken);
            await outbox.MembersJoinedAsync(db, [member], me.UserId, cancellationToken);
        }
        if (accept) await GroupChecks.ForgetRemovalsAsync(db, group.Id, [request.UserId], cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);

        await announcer.AnnounceAsync(group.Id, new GroupNews
        {
            History = joined ? [new GroupHappening(GroupHappening.MembersJoined, me.UserId) { UserIds = [request.UserId], Via = "approval" }] : [],
            Joined = joined ? [request.UserId] : [],
            JoinedBy = me.UserId,
            JoinRequests = [request],
        });
        return GroupViews.JoinRequest(request, null);
    }

    /// <summary>The ids a body names (digits only, each once), at most <see cref="GroupRules.MaxInviteesPerRequest"/>.</summary>
    private static List<long> ParseUserIds(List<string>? ids, string field)
    {
        if (ids is null) return [];
        if (ids.Count > GroupRules.MaxInviteesPerRequest)
            throw ApiProblem.Invalid(field, $"At most {GroupRules.MaxInviteesPerRequest} people at a time.");
        return ids.Select(id => Ids.Parse(id, field)).Distinct().ToList();
    }

    /// <summary>An id from a path or body that names no one when it is not an id (the lookup then finds nothing).</summary>
    internal static long IdOrZero(string id) => Ids.TryParse(id, out var parsed) ? parsed : 0;
}
