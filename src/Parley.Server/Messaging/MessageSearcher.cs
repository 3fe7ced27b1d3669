using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Parley.Server.Http;
using Parley.Server.Storage;

namespace Parley.Server.Messaging;

/// <summary>
/// Full-text search over text messages (<see cref="Message.SearchText"/>), only over what the user can see:
/// conversations they are a member of now, never recalled messages (they have no search text), never what
/// they deleted or cleared. A hit is a message whose text contains the query as a substring, without regard
/// to case (ASCII letters; scripts without case, such as Chinese, match as they are). Newest first.
/// <para>SQLite: the FTS5 trigram table <c>MessageSearch</c>, read in rowid (message id) order from the newest
/// down, so a query stops after <c>limit</c> visible hits. PostgreSQL: <c>ILIKE</c> on the pg_trgm GIN index
/// of <c>Messages.SearchText</c>. A trigram index needs three characters: shorter queries scan one
/// conversation's newest <see cref="MessagingOptions.ShortQueryWindow"/> messages and are refused across
/// conversations. Query plans: docs/messages.md.</para>
/// </summary>
public sealed class MessageSearcher(ParleyDb db, ConversationAccess access, IOptions<MessagingOptions> options)
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
            return await db.Messages.FromSql($"""
                SELECT m.* FROM "Messages" m
                WHERE m."ConversationId" = {conversationId} AND m."Seq" > {lower} AND m."Seq" < {upper}
                  AND m."SearchText" IS NOT NULL AND m."SearchText" ILIKE {pattern} ESCAPE '\'
                  AND NOT EXISTS (SELECT 1 FROM "MessageDeletions" d
                                  WHERE d."UserId" = {userId} AND d."ConversationId" = {conversationId} AND d."Seq" = m."Seq")
                ORDER BY m."Seq" DESC
                LIMIT {limit}
                """).AsNoTracking().ToListAsync(cancellationToken);
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
        // rowid order is the conversation's seq order.
        var match = MatchPhrase(query);
        return await db.Messages.FromSql($"""
            SELECT m.* FROM "MessageSearch" s CROSS JOIN "Messages" m ON m."Id" = s.rowid
            WHERE s."MessageSearch" MATCH {match}
              AND m."ConversationId" = {conversationId} AND m."Seq" > {lower} AND m."Seq" < {upper}
              AND NOT EXISTS (SELECT 1 FROM "MessageDeletions" d
                              WHERE d."UserId" = {userId} AND d."ConversationId" = {conversationId} AND d."Seq" = m."Seq")
            ORDER BY s.rowid DESC
            LIMIT {limit}
            """).AsNoTracking().ToListAsync(cancellationToken);
    }

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
            return await db.Messages.FromSql($"""
                SELECT m.* FROM "Messages" m
                WHERE m."SearchText" IS NOT NULL AND m."SearchText" ILIKE {pattern} ESCAPE '\' AND m."Id" < {below}
                  AND EXISTS (SELECT 1 FROM "ConversationMembers" c
                              WHERE c."ConversationId" = m."ConversationId" AND c."UserId" = {userId} AND c."ClearedSeq" < m."Seq")
                  AND NOT EXISTS (SELECT 1 FROM "MessageDeletions" d
                                  WHERE d."UserId" = {userId} AND d."ConversationId" = m."ConversationId" AND d."Seq" = m."Seq")
                ORDER BY m."Id" DESC
                LIMIT {limit}
                """).AsNoTracking().ToListAsync(cancellationToken);
        }
        if (await FewVisibleMessagesAsync(userId, cancellationToken))
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
        var match = MatchPhrase(query);
        return await db.Messages.FromSql($"""
            SELECT m.* FROM "MessageSearch" s CROSS JOIN "Messages" m ON m."Id" = s.rowid
            WHERE s."MessageSearch" MATCH {match} AND s.rowid < {below}
              AND EXISTS (SELECT 1 FROM "ConversationMembers" c
                          WHERE c."ConversationId" = m."ConversationId" AND c."UserId" = {userId} AND c."ClearedSeq" < m."Seq")
              AND NOT EXISTS (SELECT 1 FROM "MessageDeletions" d
                              WHERE d."UserId" = {userId} AND d."ConversationId" = m."ConversationId" AND d."Seq" = m."Seq")
            ORDER BY s.rowid DESC
            LIMIT {limit}
            """).AsNoTracking().ToListAsync(cancellationToken);
    }

    /// <summary>
    /// Whether the user's conversations hold at most <see cref="MessagingOptions.SearchScanThreshold"/> messages they can see,
    /// so that scanning them beats walking the full-text index's hits of every conversation (a common word
    /// has hits in most conversations of the database, and few of them may be this user's). Reads at most
    /// <see cref="ScanMaxConversations"/> list rows.
    /// </summary>
    private async Task<bool> FewVisibleMessagesAsync(long userId, CancellationToken cancellationToken)
    {
        var sizes = await db.ConversationMembers.Where(m => m.UserId == userId)
            .Join(db.Conversations, m => m.ConversationId, c => c.Id, (m, c) => c.LastSeq - m.ClearedSeq)
            .Take(ScanMaxConversations + 1)
            .ToListAsync(cancellationToken);
        return sizes.Count <= ScanMaxConversations && sizes.Sum() <= options.Value.SearchScanThreshold;
    }

    private const int ScanMaxConversations = 200;

    private static string CheckQuery(string? q)
    {
        var query = q?.Trim();
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

    /// <summary>The query as one FTS5 string (a phrase): with the trigram tokenizer, a substring match.</summary>
    private static string MatchPhrase(string query) => "\"" + query.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

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
