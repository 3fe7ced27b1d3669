using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Parley.Server.Accounts;
using Parley.Server.Http;
using Parley.Server.Messaging;
using Parley.Server.Social;
using Parley.Server.Social.Friends;
using Parley.Server.Social.Groups;
using Parley.Server.Storage;

namespace Parley.Server.Platform.Admin;

/// <summary>
/// Contacts, groups and messages set up by the product: <c>/api/v1/admin/friendships</c>, <c>/admin/groups</c>,
/// <c>/admin/messages</c>. Each goes through the feature's own service (Social's, Messaging's pipeline), so the same
/// domain events fire and the same rules hold, less the friendship a user would need.
/// </summary>
public static class AdminSocialApi
{
    public static RouteGroupBuilder MapAdminSocialApi(this RouteGroupBuilder admin)
    {
        admin.MapPost("/friendships", MakeFriends).WithTags("Platform").WithSummary("Make two users friends, with no request")
            .WithDescription("201 when made, 200 when they were friends already. Both see `friend.added`.");
        var groups = admin.MapGroup("/groups").WithTags("Platform");
        groups.MapPost("/", CreateGroup).WithSummary("Create a group owned by a user, with members who need not be the owner's friends");
        groups.MapPost("/{id}/members", AddMembers).WithSummary("Add members to a group at once, as its owner would");
        admin.MapPost("/messages", Send).WithTags("Platform").WithSummary("Send a message as a user or bot")
            .WithDescription("The socket's pipeline and rules (content, clientMsgId idempotency, seq) and the same ack. A user flagged `bot` needs no friendship.");
        return admin;
    }

    private static async Task<Results<Created<FriendshipView>, Ok<FriendshipView>>> MakeFriends(
        FriendshipBody body, ParleyDb db, FriendEvents events, ISocialOutbox outbox, TimeProvider time, CancellationToken cancellationToken)
    {
        var userId = Ids.Parse(body.UserId, "userId");
        var friendId = Ids.Parse(body.FriendId, "friendId");
        if (userId == friendId) throw ApiProblem.BadRequest("cannot_add_self", "A user cannot be their own friend.");
        await ThrowUnlessUsersExistAsync(db, [userId, friendId], cancellationToken);
        var view = new FriendshipView(Ids.Format(userId), Ids.Format(friendId), Created: true);
        if (await Relationships.AreFriendsAsync(db, userId, friendId, cancellationToken)) return TypedResults.Ok(view with { Created = false });

        await Relationships.MakeFriendsAsync(db, userId, friendId, time.GetUtcNow(), cancellationToken);
        outbox.FriendAdded(db, userId, friendId);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException e) when (DbErrors.IsUniqueViolation(e))
        {
            // Made friends at the same moment by another call (or a request accepted): the friendship exists.
            return TypedResults.Ok(view with { Created = false });
        }
        // Committed: tell both (the change stands even if the caller has gone).
        await events.AddedAsync(db, userId, friendId, CancellationToken.None);
        return TypedResults.Created($"/api/v1/friends/{friendId}", view);
    }

    private static async Task<Created<GroupView>> CreateGroup(
        AdminGroupBody body, ParleyDb db, GroupMembership groups, CancellationToken cancellationToken)
    {
        var ownerId = Ids.Parse(body.OwnerId, "ownerId");
        var members = ParseIds(body.MemberIds, "memberIds");
        await ThrowUnlessUsersExistAsync(db, [ownerId, .. members], cancellationToken);
        var group = await groups.CreateAsync(ownerId, new CreateGroupBody(body.Name, body.Icon, body.JoinApproval, body.MemberIds), cancellationToken, byPlatform: true);
        return TypedResults.Created($"/api/v1/groups/{group.Id}", group);
    }

    private static async Task<Ok<InviteResult>> AddMembers(
        string id, InviteBody body, ParleyDb db, GroupMembership groups, CancellationToken cancellationToken)
    {
        var groupId = Ids.Parse(id, "id");
        var ownerId = await db.Groups.Where(g => g.Id == groupId && g.DissolvedAt == null).Select(g => (long?)g.OwnerId).FirstOrDefaultAsync(cancellationToken)
            ?? throw ApiProblem.NotFound("group_not_found", "There is no such group.");
        await ThrowUnlessUsersExistAsync(db, ParseIds(body.UserIds, "userIds"), cancellationToken);
        return TypedResults.Ok(await groups.InviteAsync(groupId, ownerId, body, cancellationToken, byPlatform: true));
    }

    private static async Task<Ok<MessageAck>> Send(
        AdminMessageBody body, ParleyDb db, MessageSender sender, TimeProvider time, CancellationToken cancellationToken)
    {
        var senderId = Ids.Parse(body.SenderId, "senderId");
        var user = await db.Users.AsNoTracking().FirstOrDefaultAsync(u => u.Id == senderId, cancellationToken) ?? throw AdminUsersApi.NoSuchUser();
        user.ThrowIfBanned(time.GetUtcNow());
        var message = new SendMessageBody(body.To, body.ClientMsgId, body.Type, body.Content, body.File, body.ReplyTo, body.Mentions);
        var stored = await sender.AcceptAsync(senderId, message, senderDeviceId: 0, cancellationToken);
        return TypedResults.Ok(await stored.WaitAsync(cancellationToken));
    }

    private static List<long> ParseIds(List<string>? ids, string field) =>
        (ids ?? []).Select((id, i) => Ids.Parse(id, $"{field}[{i}]")).Distinct().ToList();

    private static async Task ThrowUnlessUsersExistAsync(ParleyDb db, List<long> userIds, CancellationToken cancellationToken)
    {
        var distinct = userIds.Distinct().ToList();
        var found = await db.Users.CountAsync(u => distinct.Contains(u.Id), cancellationToken);
        if (found != distinct.Count) throw AdminUsersApi.NoSuchUser();
    }
}
