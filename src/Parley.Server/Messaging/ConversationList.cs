using System.Buffers.Text;
using System.Globalization;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Parley.Server.Http;
using Parley.Server.ScaleOut;
using Parley.Server.Storage;

namespace Parley.Server.Messaging;

/// <summary>
/// The conversation list, read from the per-member rows (<see cref="ConversationMember"/>) and their
/// conversations, never by scanning messages. A page costs a few queries whatever the number of conversations:
/// its place in the order (short index ranges over the user's rows by their sort key, <see cref="ConversationListOrder"/>),
/// the page's member rows with their groups, the last visible message of each row on the page (one backward index step
/// per row, skipping what the user deleted or cleared), and the peers of the direct rows.
/// <para><c>unreadCount</c> counts the messages above <c>max(readSeq, clearedSeq)</c> that the user still sees, in the
/// page's statement: the seqs above that pointer, or, where the retention sweeper left holes above it (the pointer is
/// below the conversation's <see cref="Conversation.SweptSeq"/>; seqs are not reused), the stored rows above it (an
/// index-only count on (ConversationId, Seq); past <see cref="ExactUnreadLimit"/> seqs, the seqs), less the user's deletions of stored rows (the
/// MessageDeletions primary key, an empty range for the usual row without any), less expired rows not yet swept that
/// were not deleted (<see cref="MessageRetention"/>; counted by a statement of their own only while some expired row
/// exists anywhere, which <see cref="ExpiryHorizon"/> tells without a query most of the time, and with a maximum age a
/// probe of the primary key, so usually never). The user's own messages never count: sending moves the sender's read pointer to their message in
/// the same transaction.</para>
/// </summary>
public sealed class ConversationList(
    ParleyDb db, ConversationAccess access, IPresenceStore presence, Events.DomainEvents events, MessageRetention retention, ConversationRetention ttl,
    ExpiryHorizon expiry)
{
    public const int DefaultLimit = 50;
    public const int MaxLimit = 200;

    /// <summary>Pinned first, then newest activity first, then id (newest first); <paramref name="cursor"/> is a previous page's <c>nextCursor</c>.</summary>
    public async Task<ConversationPage> PageAsync(long me, int limit, string? cursor, CancellationToken cancellationToken)
    {
        if (limit < 1 || limit > MaxLimit) throw ApiProblem.Invalid("limit", $"limit must be between 1 and {MaxLimit}.");
        Cursor? after = cursor is null ? null : Cursor.Parse(cursor);
        // A group's rows go when it is dissolved or left (GroupConversations), so membership needs no check here.
        var pageIds = await ConversationListOrder.PageIdsAsync(db, me, limit + 1,
            after is { } position ? (position.Pinned, position.Activity, position.Id) : null, cancellationToken);
        var order = pageIds.Select((id, index) => (id, index)).ToDictionary(x => x.id, x => x.index);
        var rows = (await Rows(me, db.ConversationMembers.Where(m => pageIds.Contains(m.ConversationId))).ToListAsync(cancellationToken))
            .OrderBy(r => order[r.Id])
            .ToList();

        string? next = null;
        if (rows.Count > limit)
        {
            rows.RemoveAt(rows.Count - 1);
            var last = rows[^1];
            next = new Cursor(last.Pinned, last.Activity, last.Id).Format();
        }
        return new ConversationPage(await ViewsAsync(me, rows, cancellationToken), next);
    }

    /// <summary>One conversation's row, hidden or not; only for its members.</summary>
    public async Task<ConversationView> OneAsync(long me, long conversationId, CancellationToken cancellationToken)
    {
        await access.ForReadingAsync(me, conversationId, cancellationToken);
        var row = await RowAsync(me, conversationId, cancellationToken);
        return (await ViewsAsync(me, [row], cancellationToken))[0];
    }

    /// <summary>
    /// Pin, mute, hide for this user only (the user's devices hear of it as <c>conversation.updated</c>); and the shared
    /// disappearing-messages setting (<see cref="ConversationRetention"/>).
    /// </summary>
    public async Task<ConversationView> UpdateAsync(long me, long conversationId, UpdateConversationBody body, CancellationToken cancellationToken)
    {
        await access.ForReadingAsync(me, conversationId, cancellationToken);
        var member = await db.ConversationMembers.FirstOrDefaultAsync(m => m.ConversationId == conversationId && m.UserId == me, cancellationToken)
            ?? throw NotFound();
        if (body.Pinned is { } pinned) member.Pinned = pinned;
        if (body.Muted is { } muted) member.Muted = muted;
        if (body.Hidden is { } hidden)
        {
            // Hidden until a message newer than the last one now: the row comes back by itself.
            member.HiddenAtSeq = hidden
                ? await db.Conversations.Where(c => c.Id == conversationId).Select(c => c.LastSeq).FirstAsync(cancellationToken)
                : null;
        }
        await db.SaveChangesAsync(cancellationToken);
        if (body.MessageTtlSeconds.IsSet) await ttl.SetAsync(me, conversationId, body.MessageTtlSeconds.Seconds, cancellationToken);

        var row = await RowAsync(me, conversationId, cancellationToken);
        if (body.Pinned is not null || body.Muted is not null || body.Hidden is not null)
        {
            var update = new ConversationSettings(Ids.Format(conversationId), row.Pinned, row.Muted, IsHidden(row));
            await events.PublishAsync(new ConversationSettingsChanged(me, update), CancellationToken.None);
        }
        return (await ViewsAsync(me, [row], cancellationToken))[0];
    }

    private async Task<Row> RowAsync(long me, long conversationId, CancellationToken cancellationToken) =>
        await Rows(me, db.ConversationMembers.Where(m => m.ConversationId == conversationId)).FirstOrDefaultAsync(cancellationToken) ?? throw NotFound();

    /// <summary>
    /// Up to this many seqs above the read pointer, the unread messages are counted row by row (holes left by the
    /// sweeper skipped); past it, the list does not walk a long backlog on every call and takes the seqs as the count
    /// (clients show such a number as "999+").
    /// </summary>
    public const int ExactUnreadLimit = 1000;

    /// <summary>
    /// The user's list rows among <paramref name="members"/> with everything a view needs, what counts as unread counted
    /// in the same statement (expired messages aside: <see cref="ExpiredUnreadAsync"/>). The conversations are picked on
    /// the member rows (their primary key), not on the conversations: on PostgreSQL that keeps the plan off a scan of all
    /// of the user's member rows.
    /// </summary>
    private IQueryable<Row> Rows(long me, IQueryable<ConversationMember> members) =>
        (from m in members
         join c in db.Conversations on m.ConversationId equals c.Id
         join g in db.Groups on c.Id equals g.Id into ofGroup
         from g in ofGroup.DefaultIfEmpty()
         where m.UserId == me
         let seen = m.ReadSeq > m.ClearedSeq ? m.ReadSeq : m.ClearedSeq
         select new Row
         {
             Id = c.Id,
             Kind = c.Kind,
             LastSeq = c.LastSeq,
             Activity = c.LastMessageAt ?? c.CreatedAt,
             MentionAllSeq = c.MentionAllSeq,
             ReadSeq = m.ReadSeq,
             Pinned = m.Pinned,
             Muted = m.Muted,
             HiddenAtSeq = m.HiddenAtSeq,
             ClearedSeq = m.ClearedSeq,
             MentionSeq = m.MentionSeq,
             MessageTtlSeconds = c.MessageTtlSeconds,
             // A group's name, icon and size in the same statement: each statement of a page costs about 0.9 ms here.
             GroupName = g.Name,
             GroupIcon = g.Icon,
             GroupMemberCount = c.Kind == ConversationKind.Group ? db.GroupMembers.Count(x => x.GroupId == c.Id) : 0,
             // The seqs above the pointer, unless the sweeper made holes there: then counted (bounded work) up to
             // ExactUnreadLimit seqs above the pointer; past that, the seqs themselves.
             StoredUnread = seen >= c.SweptSeq || c.LastSeq - seen > ExactUnreadLimit
                 ? c.LastSeq - seen
                 : db.Messages.Count(x => x.ConversationId == c.Id && x.Seq > seen),
             DeletedUnread = db.MessageDeletions.Count(d => d.UserId == me && d.ConversationId == c.Id && d.Seq > seen
                 && db.Messages.Any(x => x.ConversationId == c.Id && x.Seq == d.Seq)),
         }).AsNoTracking();

    /// <summary>
    /// Per row, the stored messages above the read (or cleared) pointer that expired and are not swept yet, less those
    /// the user deleted: not unread either. Between sweeps there are none anywhere, which <see cref="ExpiryHorizon"/> (and
    /// with a maximum age, an index probe) tells, and then this costs no more. A statement of its own rather than a column of <see cref="Rows"/>: with it, PostgreSQL planned
    /// the rows' statement anew on every call (a generic plan of it took 136 ms), 0.9 ms of the list's time.
    /// </summary>
    private async Task<Dictionary<long, int>> ExpiredUnreadAsync(long me, List<Row> rows, CancellationToken cancellationToken)
    {
        var (now, oldestKept) = retention.Bounds();
        // With no maximum age, no message is older than it: the cut-off is before every id and time.
        var cutoff = oldestKept ?? DateTimeOffset.UnixEpoch;
        var below = oldestKept is { } kept ? IdGenerator.FirstIdAt(kept) : 0;
        var anyExpired = await expiry.AnyExpiredAsync(db, now, cancellationToken)
            || (oldestKept is not null && await db.Messages.AnyAsync(x => x.Id < below && x.SentAt <= cutoff, cancellationToken));
        if (!anyExpired) return [];

        var ids = rows.Select(r => r.Id).ToList();
        return await (
            from m in db.ConversationMembers
            where m.UserId == me && ids.Contains(m.ConversationId)
            let seen = m.ReadSeq > m.ClearedSeq ? m.ReadSeq : m.ClearedSeq
            select new
            {
                m.ConversationId,
                Expired = db.Messages.Count(x => x.ConversationId == m.ConversationId && x.Seq > seen
                    && ((x.ExpiresAt != null && x.ExpiresAt <= now) || (x.Id < below && x.SentAt <= cutoff))
                    && !db.MessageDeletions.Any(d => d.UserId == me && d.ConversationId == m.ConversationId && d.Seq == x.Seq)),
            }).AsNoTracking().ToDictionaryAsync(x => x.ConversationId, x => x.Expired, cancellationToken);
    }

    private async Task<List<ConversationView>> ViewsAsync(long me, List<Row> rows, CancellationToken cancellationToken)
    {
        if (rows.Count == 0) return [];
        var previews = await LastVisibleMessagesAsync(me, rows, cancellationToken);
        var expired = await ExpiredUnreadAsync(me, rows, cancellationToken);

        var directIds = rows.Where(r => r.Kind == ConversationKind.Direct).Select(r => r.Id).ToList();
        var peers = directIds.Count == 0
            ? []
            : await (
                from o in db.ConversationMembers
                join u in db.Users on o.UserId equals u.Id
                where directIds.Contains(o.ConversationId) && o.UserId != me
                select new
                {
                    o.ConversationId,
                    o.ReadSeq,
                    u.Id,
                    u.Nickname,
                    u.Avatar,
                    u.IsBot,
                    Remark = db.Friendships.Where(f => f.UserId == me && f.FriendId == u.Id).Select(f => f.Remark).FirstOrDefault(),
                    // Presence is shown as the presence events are sent: to friends, and not across a block either way.
                    IsFriend = db.Friendships.Any(f => f.UserId == me && f.FriendId == u.Id),
                    Blocked = db.Blocks.Any(b => (b.UserId == me && b.BlockedUserId == u.Id) || (b.UserId == u.Id && b.BlockedUserId == me)),
                }).AsNoTracking().ToDictionaryAsync(p => p.ConversationId, cancellationToken);

        // One presence look-up for the page (a round trip to Redis with several nodes).
        IReadOnlySet<long> online = peers.Count == 0
            ? new HashSet<long>()
            : await presence.OnlineAsync(peers.Values.Where(p => p.IsFriend && !p.Blocked).Select(p => p.Id).ToList(), cancellationToken);

        var views = new List<ConversationView>(rows.Count);
        foreach (var row in rows)
        {
            PeerSummary? peer = null;
            bool? isOnline = null;
            long? peerReadSeq = null;
            GroupSummary? group = null;
            if (row.Kind == ConversationKind.Direct)
            {
                if (peers.TryGetValue(row.Id, out var p))
                {
                    peer = new PeerSummary(Ids.Format(p.Id), p.Nickname, p.Avatar, p.Remark, p.Remark ?? p.Nickname, p.IsBot ? true : null);
                    isOnline = p.IsFriend && !p.Blocked && online.Contains(p.Id);
                    // Read state is presence-like: not shown across a block either way.
                    peerReadSeq = p.Blocked ? null : p.ReadSeq;
                }
            }
            else if (row.Kind == ConversationKind.Group && row.GroupName is { } name)
            {
                group = new GroupSummary(Ids.Format(row.Id), name, row.GroupIcon, row.GroupMemberCount);
            }

            var lastMessage = previews.TryGetValue(row.Id, out var m) ? LastMessagePreview.Of(m) : null;
            var seen = Math.Max(row.ReadSeq, row.ClearedSeq);
            views.Add(new ConversationView(
                Ids.Format(row.Id),
                ConversationKinds.Name(row.Kind),
                peer,
                isOnline,
                group,
                lastMessage,
                row.Activity,
                row.LastSeq,
                row.ReadSeq,
                Math.Max(0, row.StoredUnread - row.DeletedUnread - expired.GetValueOrDefault(row.Id)),
                row.Pinned,
                row.Muted,
                IsHidden(row),
                row.MentionSeq > seen || (row.Kind == ConversationKind.Group && row.MentionAllSeq > seen),
                peerReadSeq,
                row.MessageTtlSeconds));
        }
        return views;
    }

    /// <summary>
    /// Each row's newest message that the user still sees (above their cleared seq, not deleted for them): per row,
    /// one backward step on the (conversation, seq) index and a primary-key lookup, in one statement for the page.
    /// The page's member rows are found on their primary key (conversation, user). On PostgreSQL the ids go as one
    /// array: with a list of separate parameters, the prepared statement's generic plan read all of the user's
    /// member rows and compared each with the list (3.9 ms against 0.4 ms for 5,000 conversations,
    /// docs/benchmarks.md); SQLite has no arrays and plans each statement anew.
    /// </summary>
    private async Task<Dictionary<long, Message>> LastVisibleMessagesAsync(long me, List<Row> rows, CancellationToken cancellationToken)
    {
        var withMessages = rows.Where(r => r.LastSeq > r.ClearedSeq).Select(r => r.Id).ToList();
        if (withMessages.Count == 0) return [];
        var sql = new StringBuilder(
            """
            SELECT m.* FROM "ConversationMembers" AS cm
            JOIN "Messages" AS m ON m."Id" = (
                SELECT x."Id" FROM "Messages" AS x
                WHERE x."ConversationId" = cm."ConversationId" AND x."Seq" > cm."ClearedSeq"
                  AND NOT EXISTS (SELECT 1 FROM "MessageDeletions" AS d
                                  WHERE d."UserId" = cm."UserId" AND d."ConversationId" = x."ConversationId" AND d."Seq" = x."Seq")
                  AND (x."ExpiresAt" IS NULL OR x."ExpiresAt" > {1}) AND x."SentAt" > {2}
                ORDER BY x."Seq" DESC
                LIMIT 1)
            WHERE cm."UserId" = {0} AND cm."ConversationId"
            """);
        // Expired messages are no preview (MessageRetention): skipped like deleted ones.
        var (now, oldestKept) = retention.Bounds();
        List<object> parameters = [me, StoredTime(now), StoredTime(oldestKept ?? DateTimeOffset.UnixEpoch)];
        if (db is SqliteParleyDb)
        {
            sql.Append(" IN (");
            for (var i = 0; i < withMessages.Count; i++)
            {
                if (i > 0) sql.Append(", ");
                sql.Append(CultureInfo.InvariantCulture, $"{{{parameters.Count}}}");
                parameters.Add(withMessages[i]);
            }
            sql.Append(')');
        }
        else
        {
            sql.Append(CultureInfo.InvariantCulture, $" = ANY ({{{parameters.Count}}})");
            parameters.Add(withMessages.ToArray());
        }
        var messages = await db.Messages.FromSqlRaw(sql.ToString(), [.. parameters]).AsNoTracking().ToListAsync(cancellationToken);
        return messages.ToDictionary(m => m.ConversationId);
    }

    /// <summary>A time as the raw SQL compares it with stored ones: SQLite keeps Unix milliseconds (see SqliteParleyDb).</summary>
    private object StoredTime(DateTimeOffset time) => db is SqliteParleyDb ? time.ToUnixTimeMilliseconds() : time;

    private static bool IsHidden(Row row) => row.HiddenAtSeq is { } at && at >= row.LastSeq;

    private static ApiProblem NotFound() => ApiProblem.NotFound("conversation_not_found", "There is no such conversation.");

    private sealed class Row
    {
        public long Id { get; init; }
        public ConversationKind Kind { get; init; }
        public long LastSeq { get; init; }
        public DateTimeOffset Activity { get; init; }
        public long MentionAllSeq { get; init; }
        public long ReadSeq { get; init; }
        public bool Pinned { get; init; }
        public bool Muted { get; init; }
        public long? HiddenAtSeq { get; init; }
        public long ClearedSeq { get; init; }
        public long MentionSeq { get; init; }
        public int? MessageTtlSeconds { get; init; }

        /// <summary>A group row's group (null for other kinds).</summary>
        public string? GroupName { get; init; }

        public string? GroupIcon { get; init; }
        public int GroupMemberCount { get; init; }

        /// <summary>Stored messages above the read (or cleared) pointer: the seqs of swept messages are holes, not unread.</summary>
        public long StoredUnread { get; init; }

        /// <summary>Stored messages above the read (or cleared) pointer that the user deleted for themselves: not unread.</summary>
        public long DeletedUnread { get; init; }
    }

    /// <summary>
    /// Where a page ended: the last row's (pinned, activity, id), as opaque base64url text. Activity is kept in
    /// ticks, finer than either database stores it, so no row is skipped or repeated between pages.
    /// </summary>
    private readonly record struct Cursor(bool Pinned, DateTimeOffset Activity, long Id)
    {
        public string Format()
        {
            var text = string.Create(CultureInfo.InvariantCulture, $"{(Pinned ? 1 : 0)}.{Activity.UtcTicks}.{Id}");
            return Base64Url.EncodeToString(Encoding.ASCII.GetBytes(text));
        }

        public static Cursor Parse(string cursor)
        {
            try
            {
                var parts = Encoding.ASCII.GetString(Base64Url.DecodeFromChars(cursor)).Split('.');
                if (parts.Length == 3 && parts[0] is "0" or "1"
                    && long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var ticks)
                    && ticks >= DateTimeOffset.MinValue.UtcTicks && ticks <= DateTimeOffset.MaxValue.UtcTicks
                    && long.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out var id))
                    return new Cursor(parts[0] == "1", new DateTimeOffset(ticks, TimeSpan.Zero), id);
            }
            catch (FormatException)
            {
            }
            throw ApiProblem.Invalid("cursor", "cursor is not one this server gave out; start again without it.");
        }
    }
}
