using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Parley.Server.Accounts;
using Parley.Server.Http;
using Parley.Server.ScaleOut;
using Parley.Server.Storage;

namespace Parley.Server.Social.Friends;

/// <summary>Friend requests, friends and blocks: <c>/api/v1/friend-requests</c>, <c>/friends</c>, <c>/blocks</c>.</summary>
public static class FriendsApi
{
    public static RouteGroupBuilder MapFriendsApi(this RouteGroupBuilder api)
    {
        var requests = api.MapGroup("/friend-requests").WithTags("Contacts").RequireAuthorization().AddEndpointFilter(SocialVersions.AfterUserChange);
        requests.MapPost("/", SendRequest);
        requests.MapGet("/", ListRequests);
        requests.MapPost("/{id}/accept", (string id, HttpContext http, ParleyDb db, FriendEvents events, ISocialOutbox outbox, TimeProvider time,
            CancellationToken ct) => HandleRequest(id, accept: true, http, db, events, outbox, time, ct));
        requests.MapPost("/{id}/reject", (string id, HttpContext http, ParleyDb db, FriendEvents events, ISocialOutbox outbox, TimeProvider time,
            CancellationToken ct) => HandleRequest(id, accept: false, http, db, events, outbox, time, ct));

        var friends = api.MapGroup("/friends").WithTags("Contacts").RequireAuthorization().AddEndpointFilter(SocialVersions.AfterUserChange);
        friends.MapGet("/", ListFriends);
        friends.MapPatch("/{userId}", SetRemark);
        friends.MapDelete("/{userId}", RemoveFriend);

        var blocks = api.MapGroup("/blocks").WithTags("Contacts").RequireAuthorization().AddEndpointFilter(SocialVersions.AfterUserChange);
        blocks.MapGet("/", ListBlocks);
        blocks.MapPost("/", AddBlock);
        blocks.MapDelete("/{userId}", RemoveBlock);
        return api;
    }

    /// <summary>
    /// 201 with a new pending request; 200 with the existing one when I asked already; 200 with an accepted
    /// request when the other side had asked me (we are friends now).
    /// </summary>
    private static async Task<Results<Created<FriendRequestView>, Ok<FriendRequestView>>> SendRequest(
        FriendRequestBody body, HttpContext http, ParleyDb db, IdGenerator ids, FriendEvents events, ISocialOutbox outbox, TimeProvider time,
        IOptions<RateLimitOptions> limits, CancellationToken cancellationToken)
    {
        var me = http.User.UserId();
        var target = Ids.Parse(body.UserId, "userId");
        if (target == me) throw ApiProblem.BadRequest("cannot_add_self", "You cannot send a friend request to yourself.");
        if (body.Message is { Length: > FriendRules.MaxRequestMessageLength })
            throw ApiProblem.Invalid("message", $"The message must be at most {FriendRules.MaxRequestMessageLength} characters.");
        if (!await db.Users.AnyAsync(u => u.Id == target && u.DeletedAt == null, cancellationToken))
            throw ApiProblem.NotFound("user_not_found", "There is no such user.");
        await Relationships.ThrowIfBlockedAsync(db, me, target, cancellationToken);

        // A unique index allows one pending request per pair, and only one call can move a pending request
        // on (see TryCloseAsync). A call that loses either race looks again: the other call's request now
        // exists, or the two are friends. Each loss means another call made progress, so a few passes are enough.
        for (var attempt = 1; attempt <= MaxSendAttempts; attempt++)
        {
            try
            {
                if (await SendRequestOnceAsync(db, ids, outbox, time, limits.Value, me, target, body.Message?.Trim(), cancellationToken) is { } outcome)
                {
                    // Committed: tell both sides (the change stands even if the caller has gone, so no cancellation).
                    if (outcome.Changed is { } changed) await events.RequestChangedAsync(db, changed, CancellationToken.None);
                    if (outcome.MadeFriends) await events.AddedAsync(db, me, target, CancellationToken.None);
                    return outcome.Answer;
                }
            }
            catch (DbUpdateException e) when (DbErrors.IsUniqueViolation(e) && attempt < MaxSendAttempts)
            {
            }
            db.ChangeTracker.Clear();
        }
        throw new InvalidOperationException($"A friend request lost {MaxSendAttempts} races in a row.");
    }

    private const int MaxSendAttempts = 4;

    /// <summary>
    /// Null when another call handled the pending request first; the caller then looks again. Otherwise the
    /// answer, the request that was made or accepted (for the events; null when nothing changed) and whether
    /// the two became friends.
    /// </summary>
    private static async Task<(Results<Created<FriendRequestView>, Ok<FriendRequestView>> Answer, FriendRequest? Changed, bool MadeFriends)?> SendRequestOnceAsync(
        ParleyDb db, IdGenerator ids, ISocialOutbox outbox, TimeProvider time, RateLimitOptions limits, long me, long target, string? message, CancellationToken cancellationToken)
    {
        var (low, high) = me < target ? (me, target) : (target, me);
        var now = time.GetUtcNow();
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var pending = await db.FriendRequests.AsNoTracking().FirstOrDefaultAsync(
            r => r.PairLow == low && r.PairHigh == high && r.Status == RequestStatus.Pending, cancellationToken);
        // Checked inside the transaction and after reading the pending request: a request is accepted and the
        // friendship created in one commit, so a request that is gone by now shows up here as a friendship.
        await ThrowIfFriendsAsync(db, me, target, cancellationToken);

        if (pending is not null && pending.FromUserId == me)
            return (TypedResults.Ok(await ViewAsync(db, pending, me, cancellationToken)), null, false);

        if (pending is not null)
        {
            // They asked me first: asking back is agreeing.
            if (!await TryCloseAsync(db, pending, RequestStatus.Accepted, now, cancellationToken)) return null;
            await Relationships.MakeFriendsAsync(db, me, target, now, cancellationToken);
            outbox.FriendAdded(db, me, target);
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            return (TypedResults.Ok(await ViewAsync(db, pending, me, cancellationToken)), pending, true);
        }

        await FriendRequestLimits.ThrowIfRefusedAsync(db, limits, me, target, now, cancellationToken);
        var request = new FriendRequest
        {
            Id = ids.Next(),
            FromUserId = me,
            ToUserId = target,
            Message = string.IsNullOrEmpty(message) ? null : message,
            Status = RequestStatus.Pending,
            CreatedAt = now,
            PairLow = low,
            PairHigh = high,
        };
        db.FriendRequests.Add(request);
        await db.SaveChangesAsync(cancellationToken);
        // Under PostgreSQL's read committed, their request may have been made and accepted since the check
        // above. An acceptance still in flight made this insert wait on the unique index; either way it has
        // committed by now, so this check sees the friendship and nothing is left pending between friends.
        await ThrowIfFriendsAsync(db, me, target, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return (TypedResults.Created($"/api/v1/friend-requests/{request.Id}", await ViewAsync(db, request, me, cancellationToken)), request, false);
    }

    private static async Task ThrowIfFriendsAsync(ParleyDb db, long me, long other, CancellationToken cancellationToken)
    {
        if (await Relationships.AreFriendsAsync(db, me, other, cancellationToken))
            throw ApiProblem.Conflict("already_friends", "You are already friends.");
    }

    /// <summary>
    /// Moves a pending request to <paramref name="status"/> with a conditional update, so that of several
    /// calls handling one request at once (accepts, rejects, asking back) exactly one succeeds; false for the others.
    /// </summary>
    private static async Task<bool> TryCloseAsync(
        ParleyDb db, FriendRequest request, RequestStatus status, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var handledAt = (DateTimeOffset?)now;
        var closed = await db.FriendRequests
            .Where(r => r.Id == request.Id && r.Status == RequestStatus.Pending)
            .ExecuteUpdateAsync(set => set.SetProperty(r => r.Status, status).SetProperty(r => r.HandledAt, handledAt), cancellationToken);
        if (closed == 0) return false;
        request.Status = status;
        request.HandledAt = now;
        return true;
    }

    private static async Task<Ok<List<FriendRequestView>>> ListRequests(
        HttpContext http, ParleyDb db, CancellationToken cancellationToken, string direction = "incoming", int limit = 50)
    {
        if (limit is < 1 or > 200) throw ApiProblem.Invalid("limit", "limit must be between 1 and 200.");
        var me = http.User.UserId();
        var query = direction.ToLowerInvariant() switch
        {
            "incoming" => db.FriendRequests.Where(r => r.ToUserId == me),
            "outgoing" => db.FriendRequests.Where(r => r.FromUserId == me),
            _ => throw ApiProblem.Invalid("direction", "direction is 'incoming' or 'outgoing'."),
        };
        var requests = await query.AsNoTracking().OrderByDescending(r => r.CreatedAt).ThenByDescending(r => r.Id)
            .Take(limit).ToListAsync(cancellationToken);
        return TypedResults.Ok(await ViewsAsync(db, requests, me, cancellationToken));
    }

    private static async Task<Ok<FriendRequestView>> HandleRequest(
        string id, bool accept, HttpContext http, ParleyDb db, FriendEvents events, ISocialOutbox outbox, TimeProvider time,
        CancellationToken cancellationToken)
    {
        var me = http.User.UserId();
        var notFound = ApiProblem.NotFound("friend_request_not_found", "There is no such friend request.");
        if (!Ids.TryParse(id, out var requestId)) throw notFound;

        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var request = await db.FriendRequests.AsNoTracking().FirstOrDefaultAsync(r => r.Id == requestId, cancellationToken);
        if (request is null || (request.ToUserId != me && request.FromUserId != me)) throw notFound;
        if (request.ToUserId != me)
            throw ApiProblem.Forbidden("not_request_addressee", "Only the person a request was sent to can accept or reject it.");
        if (request.Status != RequestStatus.Pending) throw AlreadyHandled(request.Status);

        var now = time.GetUtcNow();
        if (accept) await Relationships.ThrowIfBlockedAsync(db, me, request.FromUserId, cancellationToken);
        if (!await TryCloseAsync(db, request, accept ? RequestStatus.Accepted : RequestStatus.Rejected, now, cancellationToken))
        {
            var status = await db.FriendRequests.Where(r => r.Id == requestId).Select(r => r.Status).FirstAsync(cancellationToken);
            throw AlreadyHandled(status);
        }
        if (accept)
        {
            await Relationships.MakeFriendsAsync(db, me, request.FromUserId, now, cancellationToken);
            outbox.FriendAdded(db, me, request.FromUserId);
        }
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        await events.RequestChangedAsync(db, request, CancellationToken.None);
        if (accept) await events.AddedAsync(db, me, request.FromUserId, CancellationToken.None);
        return TypedResults.Ok(await ViewAsync(db, request, me, cancellationToken));
    }

    private static ApiProblem AlreadyHandled(RequestStatus status) =>
        ApiProblem.Conflict("request_already_handled", $"This request was already {status.ToString().ToLowerInvariant()}.");

    private static async Task<Ok<List<FriendView>>> ListFriends(HttpContext http, ParleyDb db, IPresenceStore presence, CancellationToken cancellationToken)
    {
        var me = http.User.UserId();
        var friends = await (
            from f in db.Friendships.AsNoTracking()
            join u in db.Users.AsNoTracking() on f.FriendId equals u.Id
            where f.UserId == me
            orderby u.NicknameNormalized, u.Id
            select new { f, u }).ToListAsync(cancellationToken);
        // Presence is not shown across a block, either way.
        var blocked = (await db.Blocks.Where(b => b.UserId == me || b.BlockedUserId == me)
            .Select(b => b.UserId == me ? b.BlockedUserId : b.UserId).ToListAsync(cancellationToken)).ToHashSet();
        var online = await presence.OnlineAsync(friends.Select(x => x.u.Id).Where(id => !blocked.Contains(id)).ToList(), cancellationToken);
        return TypedResults.Ok(friends.Select(x => View(x.f, x.u, online.Contains(x.u.Id))).ToList());
    }

    private static async Task<Ok<FriendView>> SetRemark(
        string userId, RemarkBody body, HttpContext http, ParleyDb db, IPresenceStore presence, CancellationToken cancellationToken)
    {
        var me = http.User.UserId();
        if (body.Remark is { Length: > FriendRules.MaxRemarkLength })
            throw ApiProblem.Invalid("remark", $"The remark must be at most {FriendRules.MaxRemarkLength} characters.");
        var friendId = Ids.TryParse(userId, out var parsed) ? parsed : 0;
        var friendship = await db.Friendships.FirstOrDefaultAsync(f => f.UserId == me && f.FriendId == friendId, cancellationToken)
            ?? throw ApiProblem.NotFound("not_friends", "This person is not your friend.");
        friendship.Remark = string.IsNullOrWhiteSpace(body.Remark) || DisplayText.Clean(body.Remark) is not { Length: > 0 } remark ? null : remark;
        await db.SaveChangesAsync(cancellationToken);
        var user = await db.Users.AsNoTracking().FirstAsync(u => u.Id == friendId, cancellationToken);
        return TypedResults.Ok(View(friendship, user, (await presence.OnlineAsync([user.Id], cancellationToken)).Contains(user.Id)));
    }

    private static async Task<NoContent> RemoveFriend(
        string userId, HttpContext http, ParleyDb db, FriendEvents events, ISocialOutbox outbox, CancellationToken cancellationToken)
    {
        var me = http.User.UserId();
        var friendId = Ids.TryParse(userId, out var parsed) ? parsed : 0;
        await using (var transaction = await db.Database.BeginTransactionAsync(cancellationToken))
        {
            // Both rows in one statement, so a friendship is never half removed.
            var removed = await db.Friendships
                .Where(f => (f.UserId == me && f.FriendId == friendId) || (f.UserId == friendId && f.FriendId == me))
                .ExecuteDeleteAsync(cancellationToken);
            if (removed == 0) throw ApiProblem.NotFound("not_friends", "This person is not your friend.");
            outbox.FriendRemoved(db, me, friendId);
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }
        await events.RemovedAsync(me, friendId);
        return TypedResults.NoContent();
    }

    private static async Task<Ok<List<BlockedUserView>>> ListBlocks(HttpContext http, ParleyDb db, CancellationToken cancellationToken)
    {
        var me = http.User.UserId();
        var blocked = await (
            from b in db.Blocks.AsNoTracking()
            join u in db.Users.AsNoTracking() on b.BlockedUserId equals u.Id
            where b.UserId == me
            orderby b.CreatedAt descending
            select new BlockedUserView(u.Id.ToString(), u.Username, u.Nickname, u.Avatar, b.CreatedAt)).ToListAsync(cancellationToken);
        return TypedResults.Ok(blocked);
    }

    private static async Task<Results<Created<BlockedUserView>, Ok<BlockedUserView>>> AddBlock(
        BlockBody body, HttpContext http, ParleyDb db, TimeProvider time, CancellationToken cancellationToken)
    {
        var me = http.User.UserId();
        var target = Ids.Parse(body.UserId, "userId");
        if (target == me) throw ApiProblem.BadRequest("cannot_block_self", "You cannot block yourself.");
        var user = await db.Users.AsNoTracking().FirstOrDefaultAsync(u => u.Id == target && u.DeletedAt == null, cancellationToken)
            ?? throw ApiProblem.NotFound("user_not_found", "There is no such user.");

        var existing = await db.Blocks.AsNoTracking().FirstOrDefaultAsync(b => b.UserId == me && b.BlockedUserId == target, cancellationToken);
        if (existing is not null)
            return TypedResults.Ok(new BlockedUserView(Ids.Format(user.Id), user.Username, user.Nickname, user.Avatar, existing.CreatedAt));

        var block = new Block { UserId = me, BlockedUserId = target, CreatedAt = time.GetUtcNow() };
        db.Blocks.Add(block);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException e) when (DbErrors.IsUniqueViolation(e))
        {
            // The same block arrived twice at once; the first one stands.
        }
        return TypedResults.Created($"/api/v1/blocks/{target}",
            new BlockedUserView(Ids.Format(user.Id), user.Username, user.Nickname, user.Avatar, block.CreatedAt));
    }

    private static async Task<NoContent> RemoveBlock(string userId, HttpContext http, ParleyDb db, CancellationToken cancellationToken)
    {
        var me = http.User.UserId();
        var target = Ids.TryParse(userId, out var parsed) ? parsed : 0;
        var removed = await db.Blocks.Where(b => b.UserId == me && b.BlockedUserId == target).ExecuteDeleteAsync(cancellationToken);
        if (removed == 0) throw ApiProblem.NotFound("not_blocked", "This person is not blocked.");
        return TypedResults.NoContent();
    }

    internal static FriendView View(Friendship friendship, User user, bool online) =>
        new(Ids.Format(user.Id), user.Username, user.Nickname, user.Avatar, user.Sex, user.Phone, user.Email,
            friendship.Remark, online, friendship.CreatedAt);

    internal static async Task<FriendRequestView> ViewAsync(ParleyDb db, FriendRequest request, long me, CancellationToken cancellationToken) =>
        (await ViewsAsync(db, [request], me, cancellationToken))[0];

    private static async Task<List<FriendRequestView>> ViewsAsync(
        ParleyDb db, List<FriendRequest> requests, long me, CancellationToken cancellationToken)
    {
        var userIds = requests.SelectMany(r => new[] { r.FromUserId, r.ToUserId }).Distinct().ToList();
        var users = await db.Users.AsNoTracking().Where(u => userIds.Contains(u.Id)).ToDictionaryAsync(u => u.Id, cancellationToken);
        var friendIds = (await db.Friendships.Where(f => f.UserId == me && userIds.Contains(f.FriendId))
            .Select(f => f.FriendId).ToListAsync(cancellationToken)).ToHashSet();
        return requests.Select(r => new FriendRequestView(
            Ids.Format(r.Id), Ids.Format(r.FromUserId), Ids.Format(r.ToUserId), r.Message, r.Status, r.CreatedAt, r.HandledAt,
            UserViews.Public(users[r.FromUserId], friendIds.Contains(r.FromUserId)),
            UserViews.Public(users[r.ToUserId], friendIds.Contains(r.ToUserId)))).ToList();
    }
}
