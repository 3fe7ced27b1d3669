using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace Parley.Server.Messaging;

/// <summary>
/// The committer's per-message statements on SQLite (the message rows, and the batch's range of ids in the search
/// backlog, <see cref="SearchIndexer"/>), prepared once
/// per batch and bound through SQLitePCL's raw API on the connection's own handle, inside the transaction the
/// committer opened. Measured at 20,000 msgs/s (docs/benchmarks.md): through <see cref="SqliteCommand"/> each
/// execution allocated a binder per parameter and a UTF-8 copy of every string, a sixth of the server's allocations
/// and most of the single committer's managed time. Here strings go to SQLite as they are (UTF-16) and nothing is
/// allocated per row. Errors become the same <see cref="SqliteException"/> the ADO.NET path throws, so a unique
/// violation (a resend) is recognised as before.
/// </summary>
internal static class SqliteMessageStatements
{
    private const string InsertMessageSql =
        "INSERT INTO \"Messages\" (\"Id\", \"ConversationId\", \"Seq\", \"SenderId\", \"ClientMsgId\", \"Type\", \"Content\", \"File\", \"SentAt\", " +
        "\"Recalled\", \"ReplyTo\", \"ReplyToId\", \"Mentions\", \"FileId\", \"SearchText\", \"ExpiresAt\", \"Forwarded\") " +
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, 0, ?10, ?11, ?12, ?13, ?14, ?15, ?16)";

    private const string InsertSearchBacklogSql = "INSERT INTO \"SearchBacklog\" (\"FirstId\", \"LastId\", \"Messages\") VALUES (?1, ?2, ?3)";

    /// <summary>Inserts the messages (seqs already given), then the range of ids of those with text into the search backlog.</summary>
    public static void Insert(SqliteConnection connection, IReadOnlyList<Message> messages, long sentAtMs)
    {
        var db = connection.Handle ?? throw new InvalidOperationException("The connection is not open.");
        using (var insert = Prepare(db, InsertMessageSql))
        {
            foreach (var message in messages)
            {
                raw.sqlite3_bind_int64(insert, 1, message.Id);
                raw.sqlite3_bind_int64(insert, 2, message.ConversationId);
                raw.sqlite3_bind_int64(insert, 3, message.Seq);
                raw.sqlite3_bind_int64(insert, 4, message.SenderId);
                BindText(insert, 5, message.ClientMsgId);
                raw.sqlite3_bind_int(insert, 6, (int)message.Type);
                BindText(insert, 7, message.Content);
                BindText(insert, 8, message.File);
                raw.sqlite3_bind_int64(insert, 9, sentAtMs);
                BindText(insert, 10, message.ReplyTo);
                BindInteger(insert, 11, message.ReplyToId);
                BindText(insert, 12, message.Mentions);
                BindInteger(insert, 13, message.FileId);
                BindText(insert, 14, message.SearchText);
                BindInteger(insert, 15, message.ExpiresAt?.ToUnixTimeMilliseconds());
                raw.sqlite3_bind_int(insert, 16, message.Forwarded ? 1 : 0);
                Run(db, insert);
            }
        }

        // The text goes into the search index after the commit (SearchIndexer); until then search reads this range itself.
        long firstId = long.MaxValue, lastId = long.MinValue, withText = 0;
        foreach (var message in messages)
        {
            if (message.SearchText is null) continue;
            firstId = Math.Min(firstId, message.Id);
            lastId = Math.Max(lastId, message.Id);
            withText++;
        }
        if (withText == 0) return;
        using var backlog = Prepare(db, InsertSearchBacklogSql);
        raw.sqlite3_bind_int64(backlog, 1, firstId);
        raw.sqlite3_bind_int64(backlog, 2, lastId);
        raw.sqlite3_bind_int64(backlog, 3, withText);
        Run(db, backlog);
    }

    private static sqlite3_stmt Prepare(sqlite3 db, string sql)
    {
        var rc = raw.sqlite3_prepare_v2(db, sql, out var statement);
        SqliteException.ThrowExceptionForRC(rc, db);
        return statement;
    }

    private static void Run(sqlite3 db, sqlite3_stmt statement)
    {
        var rc = raw.sqlite3_step(statement);
        if (rc != raw.SQLITE_DONE) SqliteException.ThrowExceptionForRC(rc, db);
        raw.sqlite3_reset(statement);
    }

    private static void BindText(sqlite3_stmt statement, int index, string? value)
    {
        if (value is null) raw.sqlite3_bind_null(statement, index);
        else raw.sqlite3_bind_text16(statement, index, value.AsSpan());
    }

    private static void BindInteger(sqlite3_stmt statement, int index, long? value)
    {
        if (value is { } number) raw.sqlite3_bind_int64(statement, index, number);
        else raw.sqlite3_bind_null(statement, index);
    }
}
