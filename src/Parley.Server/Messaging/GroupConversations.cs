using Microsoft.EntityFrameworkCore;
using Parley.Server.Social.Groups;
using Parley.Server.Storage;

namespace Parley.Server.Messaging;

/// <summary>
/// Keeps a group's conversation rows in step with its membership, inside the group feature's own transaction:
/// the conversation exists from the group's creation (so system messages and the list need no special case),
/// and each member has a <see cref="ConversationMember"/> row exactly while a member. The group feature calls it
/// through its port, <see cref="IGroupConversationRows"/>, which explains why this is not an event.
/// </summary>
public sealed class GroupConversations : IGroupConversationRows
{
    public void Created(ParleyDb db, long groupId, IEnumerable<long> memberIds, DateTimeOffset now)
    {
        db.Conversations.Add(new Conversation { Id = groupId, Kind = ConversationKind.Group, CreatedAt = now, LastMessageAt = now, ListActivityAt = now });
        foreach (var userId in memberIds)
            db.ConversationMembers.Add(new ConversationMember { ConversationId = groupId, UserId = userId, ListActivityAt = now });
    }

    /// <summary>
    /// Newcomers start with everything before their arrival read (history stays readable, but is not "unread"); when the
    /// group's <see cref="Group.HistoryForNewMembers"/> is off, it is cleared for them too (their <c>ClearedSeq</c>, which
    /// history, sync, search, the list, unread counts and file downloads already honour). A returning member's old row is reused.
    /// <para>The new rows take the conversation's list key (<see cref="Conversation.ListActivityAt"/>). Runs in the group
    /// feature's transaction; on PostgreSQL the conversation's row is locked first, as the committer locks it, so a message
    /// committed meanwhile either comes before (its seq and key read here) or after (it then moves these rows' key too).
    /// SQLite's transactions take the write lock at their start.</para>
    /// </summary>
    public async Task JoinedAsync(ParleyDb db, long groupId, IReadOnlyCollection<long> userIds, CancellationToken cancellationToken)
    {
        if (userIds.Count == 0) return;
        // Every group has its conversation from its creation on (the Conversations migration made those of older groups).
        var conversations = db is SqliteParleyDb
            ? db.Conversations.Where(c => c.Id == groupId)
            : db.Conversations.FromSqlInterpolated($"SELECT * FROM \"Conversations\" WHERE \"Id\" = {groupId} FOR UPDATE");
        var conversation = await conversations.AsNoTracking().Select(c => new { c.LastSeq, c.ListActivityAt }).FirstAsync(cancellationToken);
        var lastSeq = conversation.LastSeq;
        var history = await db.Groups.Where(g => g.Id == groupId).Select(g => g.HistoryForNewMembers).FirstOrDefaultAsync(cancellationToken);
        var existing = await db.ConversationMembers.Where(m => m.ConversationId == groupId && userIds.Contains(m.UserId))
            .Select(m => m.UserId).ToListAsync(cancellationToken);
        foreach (var userId in userIds.Except(existing))
        {
            db.ConversationMembers.Add(new ConversationMember
            {
                ConversationId = groupId, UserId = userId, ReadSeq = lastSeq, ClearedSeq = history ? 0 : lastSeq, ListActivityAt = conversation.ListActivityAt,
            });
        }
    }

    /// <summary>The member's list row goes; the group's history stays with the members who remain.</summary>
    public Task LeftAsync(ParleyDb db, long groupId, long userId, CancellationToken cancellationToken) =>
        db.ConversationMembers.Where(m => m.ConversationId == groupId && m.UserId == userId).ExecuteDeleteAsync(cancellationToken);

    public Task DissolvedAsync(ParleyDb db, long groupId, CancellationToken cancellationToken) =>
        db.ConversationMembers.Where(m => m.ConversationId == groupId).ExecuteDeleteAsync(cancellationToken);
}
