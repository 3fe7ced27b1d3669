using Microsoft.EntityFrameworkCore;
using Parley.Server.Http;
using Parley.Server.Storage;

namespace Parley.Server.Messaging;

/// <summary>Reading stored messages: history pages and what a device missed.</summary>
public sealed class History(ParleyDb db, ConversationAccess access, MessageRetention retention)
{
    /// <summary>
    /// Newest first before <paramref name="beforeSeq"/> (or the newest page); oldest first after <paramref name="afterSeq"/>.
    /// Leaves out what the user deleted for themselves and everything up to their cleared seq, in the query itself,
    /// so that a page is shorter than <paramref name="limit"/> only at the end.
    /// </summary>
    public async Task<List<Message>> PageAsync(long userId, long conversationId, long? beforeSeq, long? afterSeq, int limit, CancellationToken cancellationToken)
    {
        if (beforeSeq is not null && afterSeq is not null) throw ApiProblem.Invalid("beforeSeq", "Give beforeSeq or afterSeq, not both.");
        await access.ForReadingAsync(userId, conversationId, cancellationToken);
        // Expired messages are skipped like deleted ones: their seqs stay taken (docs/messages.md, "Retention").
        var messages = retention.Live(Visible(db, userId, conversationId));
        var page = afterSeq is { } after
            ? await messages.Where(m => m.Seq > after).OrderBy(m => m.Seq).Take(limit).ToListAsync(cancellationToken)
            : await messages.Where(m => beforeSeq == null || m.Seq < beforeSeq).OrderByDescending(m => m.Seq).Take(limit).ToListAsync(cancellationToken);
        await MessageReactions.AttachAsync(db, userId, page, cancellationToken);
        return page;
    }

    /// <summary>
    /// The conversation's messages that <paramref name="userId"/> has not deleted or cleared: a range on the
    /// (ConversationId, Seq) index above the member's <c>ClearedSeq</c> (a primary-key lookup), and
    /// <c>NOT EXISTS</c> on the MessageDeletions primary key (UserId, ConversationId, Seq) per message.
    /// </summary>
    public static IQueryable<Message> Visible(ParleyDb db, long userId, long conversationId) =>
        db.Messages.AsNoTracking()
            .Where(m => m.ConversationId == conversationId)
            .Where(m => m.Seq > (db.ConversationMembers
                .Where(c => c.ConversationId == conversationId && c.UserId == userId)
                .Select(c => (long?)c.ClearedSeq).FirstOrDefault() ?? 0))
            .Where(m => !db.MessageDeletions.Any(d => d.UserId == userId && d.ConversationId == conversationId && d.Seq == m.Seq));

    /// <summary>How many conversations a sync checks at a time (two queries for each such chunk).</summary>
    public const int SyncChunk = 100;

    /// <summary>
    /// For one chunk of a sync (at most <see cref="SyncChunk"/> conversations): which of them the user may not read
    /// (not a party of the direct conversation, not a member of the group, no such conversation), and which have
    /// anything after the asked seq. Two queries for the whole chunk (the conversations by primary key, the user's
    /// group memberships among them), so a sync naming many quiet conversations costs no query per conversation.
    /// </summary>
    public async Task<(List<(long ConversationId, long AfterSeq)> Pending, List<long> Refused)> CheckSyncChunkAsync(
        long userId, IReadOnlyList<(long ConversationId, long AfterSeq)> chunk, CancellationToken cancellationToken)
    {
        if (chunk.Count > SyncChunk) throw new ArgumentException($"At most {SyncChunk} conversations at a time.", nameof(chunk));
        var ids = chunk.Select(c => c.ConversationId).Distinct().ToList();
        var conversations = await db.Conversations.AsNoTracking()
            .Where(c => ids.Contains(c.Id))
            .Select(c => new { c.Id, c.Kind, c.DirectKey, c.LastSeq })
            .ToDictionaryAsync(c => c.Id, cancellationToken);
        var groupIds = ids.Where(id => !conversations.TryGetValue(id, out var c) || c.Kind == ConversationKind.Group).ToList();
        var memberOf = groupIds.Count == 0
            ? []
            : (await db.GroupMembers.AsNoTracking()
                .Where(g => g.UserId == userId && groupIds.Contains(g.GroupId))
                .Select(g => g.GroupId)
                .ToListAsync(cancellationToken)).ToHashSet();

        var pending = new List<(long, long)>();
        var refused = new List<long>();
        foreach (var (id, after) in chunk)
        {
            var readable = conversations.TryGetValue(id, out var c)
                ? c.Kind == ConversationKind.Group ? memberOf.Contains(id) : IsParty(c.DirectKey, userId)
                // A group whose conversation row does not exist (yet) has nothing to sync, but is no refusal for a member.
                : memberOf.Contains(id);
            if (!readable) refused.Add(id);
            else if (c is not null && c.LastSeq > after) pending.Add((id, after));
        }
        return (pending, refused);
    }

    /// <summary>
    /// One sync page: what the user sees after <paramref name="afterSeq"/>, oldest first, without the access check
    /// (the caller checked the conversation with <see cref="CheckSyncChunkAsync"/>).
    /// </summary>
    public async Task<List<Message>> SyncPageAsync(long userId, long conversationId, long afterSeq, int limit, CancellationToken cancellationToken)
    {
        var page = await retention.Live(Visible(db, userId, conversationId)).Where(m => m.Seq > afterSeq).OrderBy(m => m.Seq).Take(limit).ToListAsync(cancellationToken);
        await MessageReactions.AttachAsync(db, userId, page, cancellationToken);
        return page;
    }

    private static bool IsParty(string? directKey, long userId)
    {
        if (directKey is null) return false;
        var separator = directKey.IndexOf(':', StringComparison.Ordinal);
        var me = userId.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return directKey.AsSpan(0, separator).SequenceEqual(me) || directKey.AsSpan(separator + 1).SequenceEqual(me);
    }

    /// <summary>Where each of the user's conversations with unread messages was read up to.</summary>
    public async Task<Dictionary<long, long>> UnreadPointersAsync(long userId, CancellationToken cancellationToken)
    {
        var direct = await (
            from m in db.ConversationMembers
            join c in db.Conversations on m.ConversationId equals c.Id
            where m.UserId == userId && c.Kind != ConversationKind.Group && c.LastSeq > m.ReadSeq
            select new { c.Id, m.ReadSeq }).ToListAsync(cancellationToken);
        var groups = await (
            from g in db.GroupMembers
            join c in db.Conversations on g.GroupId equals c.Id
            where g.UserId == userId && c.LastSeq > 0
            select new
            {
                c.Id,
                c.LastSeq,
                ReadSeq = db.ConversationMembers.Where(m => m.ConversationId == c.Id && m.UserId == userId).Select(m => (long?)m.ReadSeq).FirstOrDefault() ?? 0,
            }).ToListAsync(cancellationToken);
        var pointers = direct.ToDictionary(d => d.Id, d => d.ReadSeq);
        foreach (var g in groups.Where(g => g.LastSeq > g.ReadSeq)) pointers[g.Id] = g.ReadSeq;
        return pointers;
    }
}
