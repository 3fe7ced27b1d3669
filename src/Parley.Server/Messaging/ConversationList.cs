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
/// conversations, never by scanning messages. A page costs one statement whatever the number of conversations
/// (<see cref="ConversationRows"/>: its place in the order by the member rows' sort key, <see cref="ConversationListOrder"/>,
/// the rows with their groups, peers, unread counts and last visible messages), plus a presence look-up for the peers.
/// <para><c>unreadCount</c> counts the messages above <c>max(readSeq, clearedSeq)</c> that the user still sees: what
/// <see cref="ConversationRows"/> counts (the seqs, or the stored rows where the sweeper left holes, less the user's
/// deletions), less expired rows not yet swept that were not deleted (<see cref="MessageRetention"/>; counted by a
/// statement of their own only while some expired row exists anywhere, which <see cref="ExpiryHorizon"/> tells without
/// a query most of the time, and with a maximum age a probe of the primary key, so usually never). The user's own
/// messages never count: sending moves the sender's read pointer to their message in the same transaction.</para>
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
        var rows = await ConversationRows.PageAsync(db, me, limit + 1,
            after is { } position ? (position.Pinned, position.Activity, position.Id) : null, retention.Bounds(), cancellationToken);

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

    private async Task<ConversationRow> RowAsync(long me, long conversationId, CancellationToken cancellationToken) =>
        await ConversationRows.OneAsync(db, me, conversationId, retention.Bounds(), cancellationToken) ?? throw NotFound();

    /// <summary>
    /// Up to this many seqs above the read pointer, the unread messages are counted row by row (holes left by the
    /// sweeper skipped); past it, the list does not walk a long backlog on every call and takes the seqs as the count
    /// (clients show such a number as "999+").
    /// </summary>
    public const int ExactUnreadLimit = 1000;

    /// <summary>
    /// Per row, the stored messages above the read (or cleared) pointer that expired and are not swept yet, less those
    /// the user deleted: not unread either. Between sweeps there are none anywhere, which <see cref="ExpiryHorizon"/> (and
    /// with a maximum age, an index probe) tells, and then this costs no more. A statement of its own rather than a column of <see cref="ConversationRows"/>: with it, PostgreSQL planned
    /// the rows' statement anew on every call (a generic plan of it took 136 ms), 0.9 ms of the list's time.
    /// </summary>
    private async Task<Dictionary<long, int>> ExpiredUnreadAsync(long me, List<ConversationRow> rows, CancellationToken cancellationToken)
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

    private async Task<List<ConversationView>> ViewsAsync(long me, List<ConversationRow> rows, CancellationToken cancellationToken)
    {
        if (rows.Count == 0) return [];
        var expired = await ExpiredUnreadAsync(me, rows, cancellationToken);

        // One presence look-up for the page (a round trip to Redis with several nodes).
        // Presence is shown as the presence events are sent: to friends, and not across a block either way.
        var shownPresence = rows.Select(r => r.Peer).OfType<PeerFields>().Where(p => p.IsFriend && !p.Blocked).Select(p => p.Id).ToList();
        IReadOnlySet<long> online = shownPresence.Count == 0 ? new HashSet<long>() : await presence.OnlineAsync(shownPresence, cancellationToken);

        var views = new List<ConversationView>(rows.Count);
        foreach (var row in rows)
        {
            PeerSummary? peer = null;
            bool? isOnline = null;
            long? peerReadSeq = null;
            GroupSummary? group = null;
            if (row.Kind == ConversationKind.Direct)
            {
                if (row.Peer is { } p)
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

            var lastMessage = row.LastMessage is { } m ? LastMessagePreview.Of(m) : null;
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

    private static bool IsHidden(ConversationRow row) => row.HiddenAtSeq is { } at && at >= row.LastSeq;

    private static ApiProblem NotFound() => ApiProblem.NotFound("conversation_not_found", "There is no such conversation.");

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
