using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Parley.Server.Storage;

namespace Parley.Server.Messaging;

/// <summary>
/// A user's conversation-list rows with everything a view needs, their last visible messages and peers included, in one plain
/// ADO.NET statement: for a page (its place in the order from <see cref="ConversationListOrder"/>, in the same statement)
/// or for one conversation. Measured (docs/benchmarks.md), each statement of a list page cost about 0.9 ms here, more
/// than the database's own work for it.
/// <list type="bullet">
/// <item><c>StoredUnread</c>: the seqs above <c>max(readSeq, clearedSeq)</c>, unless the retention sweeper left holes
/// there (the pointer is below the conversation's <see cref="Conversation.SweptSeq"/>; seqs are not reused): then the
/// stored rows above it, an index-only count on (ConversationId, Seq), up to <see cref="ConversationList.ExactUnreadLimit"/>
/// seqs above it; past that, the seqs.</item>
/// <item><c>DeletedUnread</c>: the user's deletions of stored rows above the pointer (the MessageDeletions primary key:
/// an empty range for the usual row without any).</item>
/// <item>The last message: the newest one the user still sees (above their cleared seq, not deleted for them, not
/// expired: <see cref="MessageRetention"/>), one backward step on the (conversation, seq) index per row.</item>
/// <item>A direct row's peer (<see cref="PeerFields"/>): primary-key lookups.</item>
/// </list>
/// </summary>
internal static class ConversationRows
{
    /// <summary>
    /// The rows of the next <paramref name="count"/> conversations of the list (hidden ones left out), after the row at
    /// <paramref name="after"/> if given, in the list's order.
    /// </summary>
    public static Task<List<ConversationRow>> PageAsync(ParleyDb db, long me, int count, (bool Pinned, DateTimeOffset Activity, long Id)? after,
        (DateTimeOffset Now, DateTimeOffset? OldestKept) retention, CancellationToken cancellationToken) =>
        ReadAsync(db, me, retention, command => ConversationListOrder.PageExpressions(command, db is SqliteParleyDb, count, after), cancellationToken);

    /// <summary>One conversation's row, hidden or not; null when the user is not a member.</summary>
    public static async Task<ConversationRow?> OneAsync(ParleyDb db, long me, long conversationId,
        (DateTimeOffset Now, DateTimeOffset? OldestKept) retention, CancellationToken cancellationToken)
    {
        var rows = await ReadAsync(db, me, retention, command =>
        {
            StatementParameters.Add(command, "@conversation", conversationId);
            return """page AS (SELECT @conversation AS "Id")""";
        }, cancellationToken);
        return rows.Count == 0 ? null : rows[0];
    }

    private static async Task<List<ConversationRow>> ReadAsync(ParleyDb db, long me, (DateTimeOffset Now, DateTimeOffset? OldestKept) retention,
        Func<DbCommand, string> page, CancellationToken cancellationToken)
    {
        var sqlite = db is SqliteParleyDb;
        await db.Database.OpenConnectionAsync(cancellationToken);
        await using var command = db.Database.GetDbConnection().CreateCommand();
        command.Transaction = db.Database.CurrentTransaction?.GetDbTransaction();
        StatementParameters.Add(command, "@me", me);
        StatementParameters.Add(command, "@group", (int)ConversationKind.Group);
        StatementParameters.Add(command, "@direct", (int)ConversationKind.Direct);
        StatementParameters.Add(command, "@exact", (long)ConversationList.ExactUnreadLimit);
        // With no maximum age, no message is older than it.
        StatementParameters.Add(command, "@now", StoredTime(sqlite, retention.Now));
        StatementParameters.Add(command, "@oldest", StoredTime(sqlite, retention.OldestKept ?? DateTimeOffset.UnixEpoch));
        var pageExpressions = page(command);

        const string seen = """(CASE WHEN m."ReadSeq" > m."ClearedSeq" THEN m."ReadSeq" ELSE m."ClearedSeq" END)""";
        command.CommandText = $"""
            WITH {pageExpressions}
            SELECT c."Id", c."Kind", c."LastSeq", COALESCE(c."LastMessageAt", c."CreatedAt") AS "Activity", c."MentionAllSeq",
                   m."ReadSeq", m."Pinned", m."Muted", m."HiddenAtSeq", m."ClearedSeq", m."MentionSeq", c."MessageTtlSeconds",
                   g."Name", g."Icon",
                   CASE WHEN c."Kind" = @group THEN (SELECT count(*) FROM "GroupMembers" AS x WHERE x."GroupId" = c."Id") ELSE 0 END,
                   CASE WHEN {seen} >= c."SweptSeq" OR c."LastSeq" - {seen} > @exact THEN c."LastSeq" - {seen}
                        ELSE (SELECT count(*) FROM "Messages" AS x WHERE x."ConversationId" = c."Id" AND x."Seq" > {seen}) END,
                   (SELECT count(*) FROM "MessageDeletions" AS d
                    WHERE d."UserId" = @me AND d."ConversationId" = c."Id" AND d."Seq" > {seen}
                      AND EXISTS (SELECT 1 FROM "Messages" AS x WHERE x."ConversationId" = c."Id" AND x."Seq" = d."Seq")),
                   p."Id", p."Seq", p."SenderId", p."Type", p."Content", p."File", p."SentAt", p."Recalled", p."EditedAt",
                   u."Id", o."ReadSeq", u."Nickname", u."Avatar", u."IsBot", f."Remark", f."UserId" IS NOT NULL,
                   EXISTS (SELECT 1 FROM "Blocks" AS b WHERE b."UserId" = @me AND b."BlockedUserId" = u."Id")
                     OR EXISTS (SELECT 1 FROM "Blocks" AS b WHERE b."UserId" = u."Id" AND b."BlockedUserId" = @me)
            FROM page
            JOIN "ConversationMembers" AS m ON m."ConversationId" = page."Id" AND m."UserId" = @me
            JOIN "Conversations" AS c ON c."Id" = m."ConversationId"
            LEFT JOIN "Groups" AS g ON g."Id" = c."Id"
            LEFT JOIN "ConversationMembers" AS o ON c."Kind" = @direct AND o."ConversationId" = c."Id" AND o."UserId" <> @me
            LEFT JOIN "Users" AS u ON u."Id" = o."UserId"
            LEFT JOIN "Friendships" AS f ON f."UserId" = @me AND f."FriendId" = u."Id"
            LEFT JOIN "Messages" AS p ON p."Id" = (
                SELECT x."Id" FROM "Messages" AS x
                WHERE x."ConversationId" = m."ConversationId" AND x."Seq" > m."ClearedSeq"
                  AND NOT EXISTS (SELECT 1 FROM "MessageDeletions" AS d
                                  WHERE d."UserId" = @me AND d."ConversationId" = x."ConversationId" AND d."Seq" = x."Seq")
                  AND (x."ExpiresAt" IS NULL OR x."ExpiresAt" > @now) AND x."SentAt" > @oldest
                ORDER BY x."Seq" DESC
                LIMIT 1)
            ORDER BY m."Pinned" DESC, "Activity" DESC, c."Id" DESC
            """;

        var rows = new List<ConversationRow>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            rows.Add(new ConversationRow
            {
                Id = reader.GetInt64(0),
                Kind = (ConversationKind)reader.GetInt32(1),
                LastSeq = reader.GetInt64(2),
                Activity = Time(reader, 3, sqlite),
                MentionAllSeq = reader.GetInt64(4),
                ReadSeq = reader.GetInt64(5),
                Pinned = reader.GetBoolean(6),
                Muted = reader.GetBoolean(7),
                HiddenAtSeq = reader.IsDBNull(8) ? null : reader.GetInt64(8),
                ClearedSeq = reader.GetInt64(9),
                MentionSeq = reader.GetInt64(10),
                MessageTtlSeconds = reader.IsDBNull(11) ? null : reader.GetInt32(11),
                GroupName = reader.IsDBNull(12) ? null : reader.GetString(12),
                GroupIcon = reader.IsDBNull(13) ? null : reader.GetString(13),
                GroupMemberCount = (int)reader.GetInt64(14),
                StoredUnread = reader.GetInt64(15),
                DeletedUnread = reader.GetInt64(16),
                LastMessage = reader.IsDBNull(17) ? null : new LastMessageFields(
                    reader.GetInt64(17), reader.GetInt64(18), reader.GetInt64(19), (MessageType)reader.GetInt32(20),
                    reader.GetString(21), reader.IsDBNull(22) ? null : reader.GetString(22), Time(reader, 23, sqlite),
                    reader.GetBoolean(24), reader.IsDBNull(25) ? null : Time(reader, 25, sqlite)),
                Peer = reader.IsDBNull(26) ? null : new PeerFields(
                    reader.GetInt64(26), reader.GetInt64(27), reader.GetString(28), reader.IsDBNull(29) ? null : reader.GetString(29),
                    reader.GetBoolean(30), reader.IsDBNull(31) ? null : reader.GetString(31), reader.GetBoolean(32), reader.GetBoolean(33)),
            });
        }
        return rows;
    }

    /// <summary>A time as the statement compares it with stored ones: SQLite keeps Unix milliseconds (see SqliteParleyDb).</summary>
    private static object StoredTime(bool sqlite, DateTimeOffset time) => sqlite ? time.ToUnixTimeMilliseconds() : time;

    private static DateTimeOffset Time(DbDataReader reader, int ordinal, bool sqlite) =>
        sqlite ? DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(ordinal)) : reader.GetFieldValue<DateTimeOffset>(ordinal);
}

/// <summary>One conversation-list row as <see cref="ConversationRows"/> reads it.</summary>
internal sealed class ConversationRow
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

    /// <summary>The newest message the user still sees, if any.</summary>
    public LastMessageFields? LastMessage { get; init; }

    /// <summary>A direct row's other member (null for other kinds).</summary>
    public PeerFields? Peer { get; init; }
}

/// <summary>
/// A direct row's other member as the user sees them: their read pointer, their profile, the user's remark for them,
/// whether they are the user's friend, and whether either has blocked the other.
/// </summary>
internal sealed record PeerFields(long Id, long ReadSeq, string Nickname, string? Avatar, bool IsBot, string? Remark, bool IsFriend, bool Blocked);

/// <summary>What the list shows of a row's last message (<see cref="LastMessagePreview"/>).</summary>
internal sealed record LastMessageFields(long Id, long Seq, long SenderId, MessageType Type, string Content, string? File,
    DateTimeOffset SentAt, bool Recalled, DateTimeOffset? EditedAt);
