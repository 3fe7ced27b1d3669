using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Caching.Memory;
using Parley.Server.Http;
using Parley.Server.Social;
using Parley.Server.Social.Groups;
using Parley.Server.Storage;

namespace Parley.Server.Messaging;

/// <summary>
/// A conversation a user may use, with everyone who receives its messages. <paramref name="SenderManages"/>:
/// when granted for sending to a group, whether the sender is its owner or an admin (may mention <c>all</c>).
/// </summary>
public sealed record ConversationAccessGrant(long ConversationId, ConversationKind Kind, IReadOnlyList<long> MemberIds, bool SenderManages = false);

/// <summary>
/// Who may read and write where: direct messages only between friends who have not blocked each other,
/// group messages only by members who are not muted. Direct conversations are made on their first message.
/// <para>Sending is the hot path, so a granted right to post is remembered (<see cref="RightsLifetime"/>)
/// together with the <see cref="SocialVersions"/> it was checked at: an unfriending, a block or a membership
/// change on this node voids it at once; one on another node within the lifetime. Reading is always checked
/// against the database.</para>
/// </summary>
public sealed class ConversationAccess(ParleyDb db, IdGenerator ids, TimeProvider time, IMemoryCache cache, SocialVersions versions)
{
    public static readonly TimeSpan RightsLifetime = TimeSpan.FromSeconds(10);

    /// <summary>Resolves where a message goes and checks that <paramref name="senderId"/> may post there.</summary>
    public async Task<ConversationAccessGrant> ForSendingAsync(long senderId, SendTarget target, CancellationToken cancellationToken)
    {
        var given = (target.UserId is null ? 0 : 1) + (target.GroupId is null ? 0 : 1) + (target.ConversationId is null ? 0 : 1);
        if (given != 1) throw ApiProblem.Invalid("to", "'to' names exactly one of userId, groupId or conversationId.");

        if (target.UserId is not null) return await DirectWithAsync(senderId, Ids.Parse(target.UserId, "to.userId"), cancellationToken);
        if (target.GroupId is not null) return await GroupForPostingAsync(senderId, Ids.Parse(target.GroupId, "to.groupId"), cancellationToken);

        var conversation = await FindAsync(Ids.Parse(target.ConversationId, "to.conversationId"), cancellationToken);
        if (conversation.Kind == ConversationKind.System)
        {
            OtherSide(conversation, senderId);
            throw ApiProblem.Forbidden("conversation_read_only", "This conversation only carries announcements; nobody can post to it.");
        }
        return conversation.Kind == ConversationKind.Group
            ? await GroupForPostingAsync(senderId, conversation.Id, cancellationToken)
            : await DirectWithAsync(senderId, OtherSide(conversation, senderId), cancellationToken);
    }

    /// <summary>Checks that <paramref name="userId"/> may read the conversation (history, sync, read receipts).</summary>
    public async Task<ConversationAccessGrant> ForReadingAsync(long userId, long conversationId, CancellationToken cancellationToken)
    {
        // Every group has its conversation from its creation on (the Conversations migration made those of older groups).
        var conversation = await db.Conversations.AsNoTracking().FirstOrDefaultAsync(c => c.Id == conversationId, cancellationToken)
            ?? throw NotFound();
        if (conversation.Kind == ConversationKind.Direct)
        {
            var other = OtherSide(conversation, userId);
            return new ConversationAccessGrant(conversation.Id, ConversationKind.Direct, [userId, other]);
        }
        if (conversation.Kind == ConversationKind.System)
        {
            // The user's own announcements: the other side of the pair is the server, which reads nothing.
            OtherSide(conversation, userId);
            return new ConversationAccessGrant(conversation.Id, ConversationKind.System, [userId]);
        }
        var members = await GroupMemberIdsAsync(conversation.Id, cancellationToken);
        if (!members.Contains(userId)) throw ApiProblem.Forbidden("not_group_member", "You are not a member of this group.");
        return new ConversationAccessGrant(conversation.Id, ConversationKind.Group, members);
    }

    /// <summary>Typing is a live signal, so it follows the rules for sending (friends, no block), not for reading.</summary>
    public async Task<ConversationAccessGrant> ForTypingAsync(long userId, long conversationId, CancellationToken cancellationToken)
    {
        var grant = await ForReadingAsync(userId, conversationId, cancellationToken);
        if (grant.Kind == ConversationKind.Direct)
        {
            var other = grant.MemberIds.First(m => m != userId);
            await Relationships.ThrowIfBlockedAsync(db, userId, other, cancellationToken);
            if (!await Relationships.AreFriendsAsync(db, userId, other, cancellationToken))
                throw ApiProblem.Forbidden("not_friends", "You can only message your friends.");
        }
        return grant;
    }

    private async Task<ConversationAccessGrant> DirectWithAsync(long senderId, long peerId, CancellationToken cancellationToken)
    {
        if (peerId == senderId) throw ApiProblem.BadRequest("cannot_message_self", "You cannot send a message to yourself.");
        var (low, high) = senderId < peerId ? (senderId, peerId) : (peerId, senderId);
        var lowVersion = versions.OfUser(low);
        var highVersion = versions.OfUser(high);
        var rightsKey = new DirectRightsKey(low, high);
        if (cache.TryGetValue(rightsKey, out DirectRights? rights) && rights!.LowVersion == lowVersion && rights.HighVersion == highVersion)
            return new ConversationAccessGrant(rights.ConversationId, ConversationKind.Direct, [senderId, peerId]);
        if (!await db.Users.AnyAsync(u => u.Id == peerId, cancellationToken)) throw ApiProblem.NotFound("user_not_found", "There is no such user.");
        await Relationships.ThrowIfBlockedAsync(db, senderId, peerId, cancellationToken);
        // A bot (made through the platform API) talks with anyone, and anyone may answer it; read only on this path,
        // when the two are not friends, and remembered with the right like any other.
        if (!await Relationships.AreFriendsAsync(db, senderId, peerId, cancellationToken)
            && !await db.Users.AnyAsync(u => (u.Id == senderId || u.Id == peerId) && u.IsBot, cancellationToken))
            throw ApiProblem.Forbidden("not_friends", "You can only message your friends.");

        var key = Conversation.KeyFor(senderId, peerId);
        var id = await db.Conversations.Where(c => c.DirectKey == key).Select(c => (long?)c.Id).FirstOrDefaultAsync(cancellationToken)
            ?? await CreateDirectAsync(key, senderId, peerId, cancellationToken);
        cache.Set(rightsKey, new DirectRights(id, lowVersion, highVersion), RightsLifetime);
        return new ConversationAccessGrant(id, ConversationKind.Direct, [senderId, peerId]);
    }

    private async Task<long> CreateDirectAsync(string key, long a, long b, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var conversation = new Conversation { Id = ids.Next(), Kind = ConversationKind.Direct, DirectKey = key, CreatedAt = now, ListActivityAt = now };
        db.Conversations.Add(conversation);
        db.ConversationMembers.Add(new ConversationMember { ConversationId = conversation.Id, UserId = a, ListActivityAt = now });
        db.ConversationMembers.Add(new ConversationMember { ConversationId = conversation.Id, UserId = b, ListActivityAt = now });
        try
        {
            await db.SaveChangesAsync(cancellationToken);
            return conversation.Id;
        }
        catch (DbUpdateException e) when (DbErrors.IsUniqueViolation(e))
        {
            // Both sent a first message at once; the other one made it.
            db.ChangeTracker.Clear();
            return await db.Conversations.Where(c => c.DirectKey == key).Select(c => c.Id).FirstAsync(cancellationToken);
        }
    }

    private async Task<ConversationAccessGrant> GroupForPostingAsync(long senderId, long groupId, CancellationToken cancellationToken)
    {
        var rights = await GroupRightsAsync(groupId, cancellationToken);
        if (!rights.Members.TryGetValue(senderId, out var me))
            throw ApiProblem.Forbidden("not_group_member", "You are not a member of this group.");
        var now = time.GetUtcNow();
        if (me.MutedUntil > now) throw ApiProblem.Forbidden("muted", $"You are muted in this group until {me.MutedUntil:O}.");
        if (rights.GroupMutedUntil > now && !GroupRules.Manages(me.Role))
            throw ApiProblem.Forbidden("group_muted", $"Only the owner and admins can post until {rights.GroupMutedUntil:O}.");
        return new ConversationAccessGrant(groupId, ConversationKind.Group, rights.MemberIds, GroupRules.Manages(me.Role));
    }

    /// <summary>The group's members, roles and mutes, from the cache while no change has voided them.</summary>
    private async Task<GroupRights> GroupRightsAsync(long groupId, CancellationToken cancellationToken)
    {
        var version = versions.OfGroup(groupId);
        var key = new GroupRightsKey(groupId);
        if (cache.TryGetValue(key, out GroupRights? cached) && cached!.Version == version) return cached;

        var group = await db.Groups.AsNoTracking().FirstOrDefaultAsync(g => g.Id == groupId && g.DissolvedAt == null, cancellationToken)
            ?? throw ApiProblem.NotFound("group_not_found", "There is no such group.");
        var members = await db.GroupMembers.AsNoTracking().Where(m => m.GroupId == groupId)
            .Select(m => new { m.UserId, m.Role, m.MutedUntil }).ToListAsync(cancellationToken);
        var rights = new GroupRights(
            members.ToDictionary(m => m.UserId, m => new MemberRights(m.Role, m.MutedUntil)),
            members.Select(m => m.UserId).ToArray(),
            group.MutedUntil,
            version);
        cache.Set(key, rights, RightsLifetime);
        return rights;
    }

    private Task<List<long>> GroupMemberIdsAsync(long groupId, CancellationToken cancellationToken) =>
        db.GroupMembers.Where(m => m.GroupId == groupId).Select(m => m.UserId).ToListAsync(cancellationToken);

    private async Task<Conversation> FindAsync(long conversationId, CancellationToken cancellationToken)
    {
        // A conversation's kind and pair never change, so once found it can be remembered for long.
        var key = new ConversationKey(conversationId);
        if (cache.TryGetValue(key, out Conversation? known)) return known!;
        var conversation = await db.Conversations.AsNoTracking().FirstOrDefaultAsync(c => c.Id == conversationId, cancellationToken);
        if (conversation is not null)
        {
            cache.Set(key, conversation, new MemoryCacheEntryOptions { SlidingExpiration = TimeSpan.FromMinutes(10) });
            return conversation;
        }
        // A group that has had no message yet: its conversation is made on the first post.
        if (await db.Groups.AnyAsync(g => g.Id == conversationId && g.DissolvedAt == null, cancellationToken))
            return new Conversation { Id = conversationId, Kind = ConversationKind.Group };
        throw NotFound();
    }

    /// <summary>The other user of a direct conversation; refuses anyone who is not one of its two.</summary>
    private static long OtherSide(Conversation conversation, long userId)
    {
        var parts = conversation.DirectKey!.Split(':');
        var a = long.Parse(parts[0], System.Globalization.CultureInfo.InvariantCulture);
        var b = long.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture);
        if (userId == a) return b;
        if (userId == b) return a;
        throw NotFound();
    }

    private sealed record ConversationKey(long Id);

    private sealed record DirectRightsKey(long Low, long High);

    private sealed record DirectRights(long ConversationId, long LowVersion, long HighVersion);

    private sealed record GroupRightsKey(long GroupId);

    private sealed record MemberRights(GroupRole Role, DateTimeOffset? MutedUntil);

    private sealed record GroupRights(
        Dictionary<long, MemberRights> Members, long[] MemberIds, DateTimeOffset? GroupMutedUntil, long Version);

    // Outsiders learn nothing about a conversation, not even that it exists.
    private static ApiProblem NotFound() => ApiProblem.NotFound("conversation_not_found", "There is no such conversation.");
}
