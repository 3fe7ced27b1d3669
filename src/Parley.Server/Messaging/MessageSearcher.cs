using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;
using Parley.Server.Http;
using Parley.Server.Storage;

namespace Parley.Server.Messaging;

/// <summary>
/// Full-text search over text messages (<see cref="Message.SearchText"/>), only over what the user can see:
/// conversations they are a member of now, never recalled messages (they have no search text), never what
/// they deleted or cleared. A hit is a message whose text contains the query as a substring, without regard
/// to case (text and query are both folded, <see cref="Fold"/>; scripts without case, such as Chinese, match
/// as they are). Newest first.
/// <para>SQLite: the FTS5 trigram table <c>MessageSearch</c> (which messages hold each trigram, not where: the
/// substring is checked on the row), read in rowid (message id) order from the newest down, so a query stops
/// after <c>limit</c> visible hits, or a scan of small ranges; plus the messages committed since the indexer's
/// last round (<see cref="SearchIndexer"/>), read directly. PostgreSQL: in one conversation, and across
/// the conversations of a user who sees many messages, a bounded backward walk of the newest messages first (common
/// words), then <c>LIKE</c> on the pg_trgm GIN index of <c>Messages.SearchText</c> for what lies beyond it (rare words);
/// across the conversations of a user who sees few (<see cref="MessagingOptions.AcrossSearchScan"/>), a test of each
/// of them in the covering index. A trigram index needs three characters: shorter queries scan one
/// conversation's newest <see cref="MessagingOptions.ShortQueryWindow"/> messages and are refused across
/// conversations. Query plans: docs/messages.md.</para>
/// </summary>
public sealed class MessageSearcher(ParleyDb db, ConversationAccess access, IMemoryCache cache, IOptions<MessagingOptions> options)
{
    public const int MaxQueryLength = 100;
    public const int MinIndexedQueryLength = 3;
    public const int DefaultLimit = 20;
    public const int MaxLimit = 100;

    private readonly bool _sqlite = db is SqliteParleyDb;

    /// <summary>Hits in one conversation with seq below <paramref name="beforeSeq"/>, newest first.</summary>
    public async Task<List<Message>> InConversationAsync(
        long userId, long conversationId, string? q, int limit, long? beforeSeq, CancellationToken cancellationToken)
    {
        var query = CheckQuery(q);
        CheckLimit(limit);
        await access.ForReadingAsync(userId, conversationId, cancellationToken);
        var lastSeq = await db.Conversations.Where(c => c.Id == conversationId).Select(c => c.LastSeq).FirstOrDefaultAsync(cancellationToken);
        var cleared = await db.ConversationMembers.Where(m => m.ConversationId == conversationId && m.UserId == userId)
            .Select(m => m.ClearedSeq).FirstOrDefaultAsync(cancellationToken);

        // Seqs strictly between lower and upper.
        var upper = Math.Min(beforeSeq ?? long.MaxValue, lastSeq + 1);
        var lower = cleared;
        var isShort = Length(query) < MinIndexedQueryLength;
        if (isShort) lower = Math.Max(lower, lastSeq - options.Value.ShortQueryWindow);
        if (upper <= lower + 1) return [];

        var pattern = LikePattern(query);
        if (!_sqlite)
        {
            // Walk the newest part of the range backwards; only what lies beyond the walk goes to the trigram
            // index (never for short queries, which have no trigram and a window no longer than the walk).
            var walkLower = isShort ? lower : Math.Max(lower, upper - 1 - options.Value.ConversationSearchWalk);
            var hits = await PostgresWalkConversationAsync(userId, conversationId, pattern, walkLower, upper, limit, cancellationToken);
            if (hits.Count < limit && walkLower > lower)
            {
                hits.AddRange(await db.Messages.FromSql($"""
                    SELECT m.* FROM "Messages" m
                    WHERE m."ConversationId" = {conversationId} AND m."Seq" > {lower} AND m."Seq" <= {walkLower}
                      AND m."SearchText" IS NOT NULL AND m."SearchText" LIKE {pattern} ESCAPE '\'
                      AND NOT EXISTS (SELECT 1 FROM "MessageDeletions" d
                                      WHERE d."UserId" = {userId} AND d."ConversationId" = {conversationId} AND d."Seq" = m."Seq")
                    ORDER BY m."Seq" DESC
                    LIMIT {limit - hits.Count}
                    """).AsNoTracking().ToListAsync(cancellationToken));
            }
            return hits;
        }
        if (isShort || upper - lower - 1 <= options.Value.SearchScanThreshold)
        {
            return await db.Messages.FromSql($"""
                SELECT m.* FROM "Messages" m
                WHERE m."ConversationId" = {conversationId} AND m."Seq" > {lower} AND m."Seq" < {upper}
                  AND m."SearchText" LIKE {pattern} ESCAPE '\'
                  AND NOT EXISTS (SELECT 1 FROM "MessageDeletions" d
                                  WHERE d."UserId" = {userId} AND d."ConversationId" = {conversationId} AND d."Seq" = m."Seq")
                ORDER BY m."Seq" DESC
                LIMIT {limit}
                """).AsNoTracking().ToListAsync(cancellationToken);
        }
        // On one SQLite node the committer gives a conversation's messages ids in seq order, so the index's
        // rowid order is the conversation's seq order. The backlog first (see Newest).
        var waiting = await db.Messages.FromSql($"""
            SELECT m.* FROM "SearchBacklog" b CROSS JOIN "Messages" m ON m."Id" BETWEEN b."FirstId" AND b."LastId"
            WHERE instr(m."SearchText", {query}) > 0
              AND m."ConversationId" = {conversationId} AND m."Seq" > {lower} AND m."Seq" < {upper}
              AND NOT EXISTS (SELECT 1 FROM "MessageDeletions" d
                              WHERE d."UserId" = {userId} AND d."ConversationId" = {conversationId} AND d."Seq" = m."Seq")
            ORDER BY m."Id" DESC
            LIMIT {limit}
            """).AsNoTracking().ToListAsync(cancellationToken);
        var match = MatchTrigrams(query);
        var indexed = await db.Messages.FromSql($"""
            SELECT m.* FROM "MessageSearch" s CROSS JOIN "Messages" m ON m."Id" = s.rowid
            WHERE s."MessageSearch" MATCH {match} AND instr(m."SearchText", {query}) > 0
              AND m."ConversationId" = {conversationId} AND m."Seq" > {lower} AND m."Seq" < {upper}
              AND NOT EXISTS (SELECT 1 FROM "MessageDeletions" d
                              WHERE d."UserId" = {userId} AND d."ConversationId" = {conversationId} AND d."Seq" = m."Seq")
            ORDER BY s.rowid DESC
            LIMIT {limit}
            """).AsNoTracking().ToListAsync(cancellationToken);
        return Newest(waiting, indexed, limit);
    }

    /// <summary>
    /// SQLite: the newest <paramref name="limit"/> of the hits among messages still in the search backlog (committed, not
    /// yet indexed: <see cref="SearchIndexer"/>) and those in the index, each list newest first. The backlog is read
    /// first: a message the indexer moves in between is then found twice (counted once), never missed.
    /// </summary>
    private static List<Message> Newest(List<Message> waiting, List<Message> indexed, int limit) =>
        waiting.Count == 0 ? indexed : [.. waiting.Concat(indexed).DistinctBy(m => m.Id).OrderByDescending(m => m.Id).Take(limit)];

    /// <summary>Hits in every conversation the user is a member of now, with message id below <paramref name="before"/>, newest first.</summary>
    public async Task<List<Message>> AcrossAsync(long userId, string? q, int limit, string? before, CancellationToken cancellationToken)
    {
        var query = CheckQuery(q);
        CheckLimit(limit);
        if (Length(query) < MinIndexedQueryLength)
            throw ApiProblem.BadRequest("query_too_short",
                $"Searching across conversations needs at least {MinIndexedQueryLength} characters; shorter queries work within one conversation.");
        var below = before is null ? long.MaxValue : Ids.Parse(before, "before");

        if (!_sqlite)
        {
            var pattern = LikePattern(query);
            // Most users see few messages: test them all, in the covering index, whatever the rest of the database holds.
            if (await VisibleMessagesAtMostAsync(userId, options.Value.AcrossSearchScan, PostgresScanMaxConversations, cancellationToken))
                return await PostgresScanAcrossAsync(userId, pattern, below, limit, cancellationToken);
            // Walk the newest messages of the database (where common words are found at once), then the
            // trigram index below the walk (where rare words are found at once). The walk stops at the
            // limit-th hit; `|| ''` keeps the planner from trading it for the trigram index.
            var walk = options.Value.AcrossSearchWalk;
            var hits = await db.Messages.FromSql($"""
                SELECT m.* FROM "Messages" m
                WHERE m."Id" IN (
                    SELECT w."Id" FROM (SELECT "Id", "ConversationId", "Seq", "SearchText" FROM "Messages"
                                        WHERE "Id" < {below} ORDER BY "Id" DESC LIMIT {walk}) w
                    WHERE (w."SearchText" || '') LIKE {pattern} ESCAPE '\'
                      AND EXISTS (SELECT 1 FROM "ConversationMembers" c
                                  WHERE c."ConversationId" = w."ConversationId" AND c."UserId" = {userId} AND c."ClearedSeq" < w."Seq")
                      AND NOT EXISTS (SELECT 1 FROM "MessageDeletions" d
                                      WHERE d."UserId" = {userId} AND d."ConversationId" = w."ConversationId" AND d."Seq" = w."Seq")
                    ORDER BY w."Id" DESC
                    LIMIT {limit})
                ORDER BY m."Id" DESC
                """).AsNoTracking().ToListAsync(cancellationToken);
            if (hits.Count == limit) return hits;
            // The oldest message the walk looked at, if the walk did not reach the first message.
            var walkEnd = walk == 0 ? below : await db.Messages.Where(m => m.Id < below).OrderByDescending(m => m.Id)
                .Skip(walk - 1).Select(m => (long?)m.Id).FirstOrDefaultAsync(cancellationToken) ?? 0;
            if (walkEnd > 0)
            {
                hits.AddRange(await db.Messages.FromSql($"""
                    SELECT m.* FROM "Messages" m
                    WHERE m."SearchText" IS NOT NULL AND m."SearchText" LIKE {pattern} ESCAPE '\' AND m."Id" < {walkEnd}
                      AND EXISTS (SELECT 1 FROM "ConversationMembers" c
                                  WHERE c."ConversationId" = m."ConversationId" AND c."UserId" = {userId} AND c."ClearedSeq" < m."Seq")
                      AND NOT EXISTS (SELECT 1 FROM "MessageDeletions" d
                                      WHERE d."UserId" = {userId} AND d."ConversationId" = m."ConversationId" AND d."Seq" = m."Seq")
                    ORDER BY m."Id" DESC
                    LIMIT {limit - hits.Count}
                    """).AsNoTracking().ToListAsync(cancellationToken));
            }
            return hits;
        }
        if (await VisibleMessagesAtMostAsync(userId, options.Value.SearchScanThreshold, SqliteScanMaxConversations, cancellationToken))
        {
            var pattern = LikePattern(query);
            return await db.Messages.FromSql($"""
                SELECT m.* FROM "ConversationMembers" c
                CROSS JOIN "Messages" m ON m."ConversationId" = c."ConversationId" AND m."Seq" > c."ClearedSeq"
                WHERE c."UserId" = {userId} AND m."Id" < {below} AND m."SearchText" LIKE {pattern} ESCAPE '\'
                  AND NOT EXISTS (SELECT 1 FROM "MessageDeletions" d
                                  WHERE d."UserId" = {userId} AND d."ConversationId" = m."ConversationId" AND d."Seq" = m."Seq")
                ORDER BY m."Id" DESC
                LIMIT {limit}
                """).AsNoTracking().ToListAsync(cancellationToken);
        }
        var waiting = await db.Messages.FromSql($"""
            SELECT m.* FROM "SearchBacklog" b CROSS JOIN "Messages" m ON m."Id" BETWEEN b."FirstId" AND b."LastId"
            WHERE m."Id" < {below} AND instr(m."SearchText", {query}) > 0
              AND EXISTS (SELECT 1 FROM "ConversationMembers" c
                          WHERE c."ConversationId" = m."ConversationId" AND c."UserId" = {userId} AND c."ClearedSeq" < m."Seq")
              AND NOT EXISTS (SELECT 1 FROM "MessageDeletions" d
                              WHERE d."UserId" = {userId} AND d."ConversationId" = m."ConversationId" AND d."Seq" = m."Seq")
            ORDER BY m."Id" DESC
            LIMIT {limit}
            """).AsNoTracking().ToListAsync(cancellationToken);
        var match = MatchTrigrams(query);
        var indexed = await db.Messages.FromSql($"""
            SELECT m.* FROM "MessageSearch" s CROSS JOIN "Messages" m ON m."Id" = s.rowid
            WHERE s."MessageSearch" MATCH {match} AND s.rowid < {below} AND instr(m."SearchText", {query}) > 0
              AND EXISTS (SELECT 1 FROM "ConversationMembers" c
                          WHERE c."ConversationId" = m."ConversationId" AND c."UserId" = {userId} AND c."ClearedSeq" < m."Seq")
              AND NOT EXISTS (SELECT 1 FROM "MessageDeletions" d
                              WHERE d."UserId" = {userId} AND d."ConversationId" = m."ConversationId" AND d."Seq" = m."Seq")
            ORDER BY s.rowid DESC
            LIMIT {limit}
            """).AsNoTracking().ToListAsync(cancellationToken);
        return Newest(waiting, indexed, limit);
    }

    /// <summary>
    /// PostgreSQL: the newest hits with seq in (<paramref name="lower"/>, <paramref name="upper"/>), found by walking
    /// the conversation backwards through <c>IX_Messages_ConversationId_Seq</c>, which includes the search text:
    /// an index-only scan that tests each message's text without reading its row. <c>|| ''</c> hides the column
    /// from the planner's trigram index, which it would otherwise pick on row estimates for common words
    /// (a BitmapAnd of every hit in the database with the whole conversation: 20-75 ms against 1-4 ms).
    /// </summary>
    private async Task<List<Message>> PostgresWalkConversationAsync(
        long userId, long conversationId, string pattern, long lower, long upper, int limit, CancellationToken cancellationToken) =>
        await db.Messages.FromSql($"""
            SELECT m.* FROM "Messages" m
            WHERE m."ConversationId" = {conversationId} AND m."Seq" IN (
                SELECT h."Seq" FROM "Messages" h
                WHERE h."ConversationId" = {conversationId} AND h."Seq" > {lower} AND h."Seq" < {upper}
                  AND (h."SearchText" || '') LIKE {pattern} ESCAPE '\'
                  AND NOT EXISTS (SELECT 1 FROM "MessageDeletions" d
                                  WHERE d."UserId" = {userId} AND d."ConversationId" = {conversationId} AND d."Seq" = h."Seq")
                ORDER BY h."Seq" DESC
                LIMIT {limit})
            ORDER BY m."Seq" DESC
            """).AsNoTracking().ToListAsync(cancellationToken);

    /// <summary>
    /// Search text is stored and queried case-folded (invariant lower case), so that PostgreSQL can use
    /// <c>LIKE</c>, several times cheaper per message than <c>ILIKE</c>, and SQLite's <c>LIKE</c> (which folds
    /// only ASCII) and FTS5 agree with it for every script.
    /// </summary>
    public static string Fold(string text) => text.ToLowerInvariant();

    /// <summary>
    /// Whether the user's conversations hold at most <paramref name="maxMessages"/> messages they can see, in at most
    /// <paramref name="maxConversations"/> conversations, so that testing each of them beats an index of the whole
    /// database (a common word has hits in most conversations of the database, and few of them may be this user's).
    /// Reads at most <paramref name="maxConversations"/> + 1 list rows, in any order (an order would make it read all of a
    /// heavy user's rows: 3 ms of a search with 5,000), and the answer is kept <see cref="ScanDecisionLifetime"/>: both
    /// ways give the same hits, so an answer a little out of date costs time, never a result. 0 messages: never.
    /// </summary>
    private async Task<bool> VisibleMessagesAtMostAsync(long userId, int maxMessages, int maxConversations, CancellationToken cancellationToken)
    {
        if (maxMessages <= 0) return false;
        var key = new ScanDecisionKey(userId);
        if (cache.TryGetValue(key, out bool known)) return known;
        var sizes = await db.Database.SqlQuery<long>($"""
            SELECT c."LastSeq" - m."ClearedSeq" AS "Value"
            FROM "ConversationMembers" AS m JOIN "Conversations" AS c ON c."Id" = m."ConversationId"
            WHERE m."UserId" = {userId}
            LIMIT {maxConversations + 1}
            """).ToListAsync(cancellationToken);
        var few = sizes.Count <= maxConversations && sizes.Sum() <= maxMessages;
        cache.Set(key, few, ScanDecisionLifetime);
        return few;
    }

    private static readonly TimeSpan ScanDecisionLifetime = TimeSpan.FromSeconds(30);

    private readonly record struct ScanDecisionKey(long UserId);

    /// <summary>SQLite: each conversation scanned costs a range of the messages' table.</summary>
    private const int SqliteScanMaxConversations = 200;

    /// <summary>PostgreSQL: each conversation scanned costs a descent of the covering index, a few microseconds.</summary>
    private const int PostgresScanMaxConversations = 500;

    /// <summary>
    /// PostgreSQL: the newest hits below <paramref name="below"/> among every message the user can see, each tested in
    /// <c>IX_Messages_ConversationId_Seq</c> (which includes the id and the search text: an index-only scan, about
    /// 0.25 µs a message); only the hits' rows are read. <c>|| ''</c> keeps the planner off the trigram index.
    /// </summary>
    private async Task<List<Message>> PostgresScanAcrossAsync(
        long userId, string pattern, long below, int limit, CancellationToken cancellationToken) =>
        await db.Messages.FromSql($"""
            SELECT m.* FROM "Messages" m
            WHERE m."Id" IN (
                SELECT h."Id" FROM "ConversationMembers" c
                JOIN "Messages" h ON h."ConversationId" = c."ConversationId" AND h."Seq" > c."ClearedSeq"
                WHERE c."UserId" = {userId} AND h."Id" < {below} AND (h."SearchText" || '') LIKE {pattern} ESCAPE '\'
                  AND NOT EXISTS (SELECT 1 FROM "MessageDeletions" d
                                  WHERE d."UserId" = {userId} AND d."ConversationId" = h."ConversationId" AND d."Seq" = h."Seq")
                ORDER BY h."Id" DESC
                LIMIT {limit})
            ORDER BY m."Id" DESC
            """).AsNoTracking().ToListAsync(cancellationToken);

    private static string CheckQuery(string? q)
    {
        var query = q is null ? null : Fold(q.Trim());
        if (string.IsNullOrEmpty(query)) throw ApiProblem.Invalid("q", "q, the text to search for, is required.");
        if (Length(query) > MaxQueryLength) throw ApiProblem.Invalid("q", $"q is limited to {MaxQueryLength} characters.");
        // No stored text holds a NUL, and PostgreSQL refuses it in a parameter.
        if (query.Contains('\0', StringComparison.Ordinal)) throw ApiProblem.Invalid("q", "q must not contain a NUL character.");
        return query;
    }

    private static void CheckLimit(int limit)
    {
        if (limit is < 1 or > MaxLimit) throw ApiProblem.Invalid("limit", $"limit must be between 1 and {MaxLimit}.");
    }

    /// <summary>Characters as the trigram indexes count them: Unicode code points, not UTF-16 units.</summary>
    private static int Length(string text) => text.EnumerateRunes().Count();

    /// <summary>
    /// The FTS5 query for messages that hold every trigram of <paramref name="query"/> (at least three characters): the
    /// index keeps no positions (detail=none), so it cannot match a phrase, and the caller checks the substring itself
    /// (<c>instr</c>). Every trigram, not only enough to cover the query: measured on chat-like text, a cover of every
    /// third one let through so many messages holding the pieces apart that some searches took twice as long. Each term
    /// is an FTS5 string (quotes doubled), which the trigram tokenizer reads as exactly one token.
    /// </summary>
    internal static string MatchTrigrams(string query)
    {
        var runes = query.EnumerateRunes().ToArray();
        var terms = new List<string>();
        for (var start = 0; start + MinIndexedQueryLength <= runes.Length; start++)
        {
            var term = new StringBuilder("\"");
            for (var k = start; k < start + MinIndexedQueryLength; k++)
            {
                if (runes[k].Value == '"') term.Append('"');
                term.Append(runes[k].ToString());
            }
            var quoted = term.Append('"').ToString();
            if (!terms.Contains(quoted)) terms.Add(quoted);
        }
        return string.Join(" AND ", terms);
    }

    /// <summary><c>%query%</c> with LIKE's wildcards and the escape character escaped (<c>ESCAPE '\'</c>).</summary>
    private static string LikePattern(string query)
    {
        var pattern = new StringBuilder(query.Length + 8).Append('%');
        foreach (var c in query)
        {
            if (c is '%' or '_' or '\\') pattern.Append('\\');
            pattern.Append(c);
        }
        return pattern.Append('%').ToString();
    }
}
