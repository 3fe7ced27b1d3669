using System.Data.Common;
using System.Globalization;
using System.Text;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Parley.Server.Storage;

namespace Parley.Server.Messaging;

/// <summary>
/// The committer's plain ADO.NET access to the message table, on the DbContext's connection: measured, EF
/// Core's change tracking and query pipeline were a fifth of the server's CPU on the send path, for
/// statements this simple. Everything else reads and writes messages through EF Core.
/// On SQLite (in process) a statement is re-bound per row, the per-message ones through SQLite's own API
/// (<see cref="SqliteMessageStatements"/>); on PostgreSQL each step is one set-based statement
/// (<see cref="PostgresMessageStatements"/>) and the writes of a batch go in one round trip.
/// </summary>
internal sealed class MessageStore(ParleyDb db, SqliteWriteGate writeGate)
{
    private readonly bool _sqlite = db is SqliteParleyDb;

    /// <summary>Messages already stored under these (sender, clientMsgId) pairs: one query for the whole batch.</summary>
    public async Task<Dictionary<(long SenderId, string ClientMsgId), MessageAck>> FindStoredAsync(
        IReadOnlyList<PendingMessage> batch, CancellationToken cancellationToken)
    {
        var connection = await OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        if (!_sqlite) PostgresMessageStatements.FindStored(command, batch);
        else BuildFindStored(command, batch);

        var stored = new Dictionary<(long, string), MessageAck>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var clientMsgId = reader.GetString(1);
            stored[(reader.GetInt64(0), clientMsgId)] = new MessageAck(clientMsgId, Format(reader.GetInt64(2)), Format(reader.GetInt64(3)),
                reader.GetInt64(4), ReadTime(reader.GetValue(5)));
        }
        return stored;
    }

    /// <summary>Whole messages by id, through EF Core: only resends of another node's messages need them, which are rare.</summary>
    public Task<List<Message>> LoadAsync(long[] ids, CancellationToken cancellationToken) =>
        db.Messages.AsNoTracking().Where(message => ids.Contains(message.Id)).ToListAsync(cancellationToken);

    private static void BuildFindStored(DbCommand command, IReadOnlyList<PendingMessage> batch)
    {
        var sql = new StringBuilder("SELECT \"SenderId\", \"ClientMsgId\", \"Id\", \"ConversationId\", \"Seq\", \"SentAt\" FROM \"Messages\" WHERE ");
        for (var i = 0; i < batch.Count; i++)
        {
            if (i > 0) sql.Append(" OR ");
            sql.Append(CultureInfo.InvariantCulture, $"(\"SenderId\" = @s{i} AND \"ClientMsgId\" = @c{i})");
            StatementParameters.Add(command, $"@s{i}", batch[i].SenderId);
            StatementParameters.Add(command, $"@c{i}", batch[i].ClientMsgId);
        }
        command.CommandText = sql.ToString();
    }

    /// <summary>
    /// In one transaction: raises each conversation's last seq by its number of new messages (an atomic
    /// <c>UPDATE … RETURNING</c>, so concurrent writers on other nodes cannot take the same seqs), gives the
    /// messages those seqs in order, and inserts them.
    /// </summary>
    /// <remarks>
    /// Also, in the same transaction, the per-member state the conversation list reads: the sender has read
    /// up to their own message, mentioned members are marked, the members' list key moves where it lags a second
    /// (<see cref="ConversationMember.ListActivityAt"/>), and (on SQLite) the batch's range of ids with text goes into the
    /// search backlog, which <see cref="SearchIndexer"/> indexes after the commit.
    /// </remarks>
    public async Task InsertAsync(IReadOnlyList<(Message Row, PendingMessage Pending)> batch, DateTimeOffset now, IStoredMessageOutbox outbox,
        CancellationToken cancellationToken)
    {
        var messages = batch.Select(b => b.Row).ToList();
        var connection = await OpenAsync(cancellationToken);
        using var turn = await writeGate.EnterAsync(db, cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);

        // In id order, so that two writers (nodes) never lock two conversations in opposite orders.
        var conversations = messages.GroupBy(m => m.ConversationId).OrderBy(g => g.Key).ToList();
        // The same statement returns the conversation's time-to-live: disappearing messages cost no extra round trip.
        var reserved = _sqlite
            ? await ReserveSeqsAsync(connection, transaction, conversations.Select(c => new object?[] { (long)c.Count(), Time(now), c.Key }), cancellationToken)
            : await ReservePostgresAsync(connection, transaction, conversations, now, cancellationToken);
        for (var k = 0; k < conversations.Count; k++)
        {
            var (last, ttlSeconds, _) = reserved[k] ?? throw new InvalidOperationException($"Conversation {conversations[k].Key} does not exist.");
            var seq = last - conversations[k].Count();
            DateTimeOffset? expiresAt = ttlSeconds is { } ttl ? now.AddSeconds(ttl) : null;
            foreach (var message in conversations[k])
            {
                message.Seq = ++seq;
                message.ExpiresAt = expiresAt;
            }
        }

        if (messages.Any(m => m.ReplyToId is not null)) await ScrubQuotesOfRecalledAsync(connection, transaction, messages, cancellationToken);

        // The conversations whose list key moved (at most once a second each): their member rows take it.
        var keysMoved = conversations.Where((_, k) => reserved[k]!.Value.KeyMoved).Select(c => c.Key).ToArray();
        if (!_sqlite)
        {
            await InsertPostgresAsync(connection, transaction, batch, messages, now, keysMoved, outbox, cancellationToken);
            return;
        }

        SqliteMessageStatements.Insert((SqliteConnection)connection, messages, now.ToUnixTimeMilliseconds());

        // Merged forwards only (rare): the files their items carry.
        if (batch.Any(b => b.Pending.ForwardedFileIds.Count > 0))
        {
            await RunAsync(connection, transaction,
                "INSERT INTO \"ForwardedFiles\" (\"FileId\", \"MessageId\") VALUES ($1, $2) ON CONFLICT DO NOTHING",
                batch.SelectMany(b => b.Pending.ForwardedFileIds.Select(f => new object?[] { f, b.Row.Id })), returnsScalar: false, cancellationToken);
        }

        // Durable subscribers' rows (webhooks' outbox), in the same transaction; nothing at all when none subscribes.
        if (outbox.Active) await RunAsync(connection, transaction, outbox.InsertSql, outbox.Rows(messages, Time(now)), returnsScalar: false, cancellationToken);

        // The sender has read everything up to their own message (one statement per sender and conversation).
        await RunAsync(connection, transaction,
            "UPDATE \"ConversationMembers\" SET \"ReadSeq\" = $1 WHERE \"ConversationId\" = $2 AND \"UserId\" = $3 AND \"ReadSeq\" < $1",
            messages.GroupBy(m => (m.ConversationId, m.SenderId)).OrderBy(g => g.Key)
                .Select(mine => new object?[] { mine.Max(m => m.Seq), mine.Key.ConversationId, mine.Key.SenderId }),
            returnsScalar: false, cancellationToken);

        if (keysMoved.Length > 0)
        {
            await RunAsync(connection, transaction, "UPDATE \"ConversationMembers\" SET \"ListActivityAt\" = $1 WHERE \"ConversationId\" = $2",
                keysMoved.Select(id => new object?[] { Time(now), id }), returnsScalar: false, cancellationToken);
        }

        foreach (var (row, pending) in batch.Where(b => b.Pending.MentionsAll || b.Pending.MentionedUserIds.Count > 0))
        {
            await using var mention = connection.CreateCommand();
            mention.Transaction = transaction;
            StatementParameters.Add(mention, "@seq", row.Seq);
            StatementParameters.Add(mention, "@conversation", row.ConversationId);
            if (pending.MentionsAll)
            {
                mention.CommandText = "UPDATE \"Conversations\" SET \"MentionAllSeq\" = @seq WHERE \"Id\" = @conversation AND \"MentionAllSeq\" < @seq";
            }
            else
            {
                var users = new StringBuilder();
                for (var i = 0; i < pending.MentionedUserIds.Count; i++)
                {
                    if (i > 0) users.Append(", ");
                    users.Append(CultureInfo.InvariantCulture, $"@u{i}");
                    StatementParameters.Add(mention, $"@u{i}", pending.MentionedUserIds[i]);
                }
                mention.CommandText = "UPDATE \"ConversationMembers\" SET \"MentionSeq\" = @seq " +
                    $"WHERE \"ConversationId\" = @conversation AND \"UserId\" IN ({users}) AND \"MentionSeq\" < @seq";
            }
            await mention.ExecuteNonQueryAsync(cancellationToken);
        }
        await transaction.CommitAsync(cancellationToken);
    }

    /// <summary>
    /// PostgreSQL: the seqs, locked in id order and raised in one statement; aligned with <paramref name="conversations"/>
    /// as <see cref="ReserveSeqsAsync"/> returns them.
    /// </summary>
    private static async Task<List<(long LastSeq, int? TtlSeconds, bool KeyMoved)?>> ReservePostgresAsync(DbConnection connection, DbTransaction transaction,
        List<IGrouping<long, Message>> conversations, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var reserved = await PostgresMessageStatements.ReserveSeqsAsync(connection, transaction,
            conversations.Select(c => c.Key).ToArray(), conversations.Select(c => (long)c.Count()).ToArray(), now, cancellationToken);
        return conversations.Select(c => reserved.TryGetValue(c.Key, out var r) ? r : ((long, int?, bool)?)null).ToList();
    }

    /// <summary>
    /// PostgreSQL: every row of the batch in one round trip (one <see cref="DbBatch"/>), each table's rows in one
    /// statement; the rare parts (merged forwards' files, webhook outbox rows, mentions) row by row in the same batch.
    /// </summary>
    private async Task InsertPostgresAsync(DbConnection connection, DbTransaction transaction, IReadOnlyList<(Message Row, PendingMessage Pending)> batch,
        List<Message> messages, DateTimeOffset now, long[] keysMoved, IStoredMessageOutbox outbox, CancellationToken cancellationToken)
    {
        await using var statements = connection.CreateBatch();
        statements.Transaction = transaction;
        statements.BatchCommands.Add(PostgresMessageStatements.Insert(statements, messages, now));
        foreach (var (row, pending) in batch)
            foreach (var fileId in pending.ForwardedFileIds)
                statements.BatchCommands.Add(Command(statements,
                    "INSERT INTO \"ForwardedFiles\" (\"FileId\", \"MessageId\") VALUES ($1, $2) ON CONFLICT DO NOTHING", fileId, row.Id));
        if (outbox.Active)
            foreach (var values in outbox.Rows(messages, now))
                statements.BatchCommands.Add(Command(statements, outbox.InsertSql, values));
        statements.BatchCommands.Add(PostgresMessageStatements.MarkSendersRead(statements, messages));
        if (keysMoved.Length > 0) statements.BatchCommands.Add(PostgresMessageStatements.MoveListKeys(statements, keysMoved, now));
        foreach (var (row, pending) in batch.Where(b => b.Pending.MentionsAll || b.Pending.MentionedUserIds.Count > 0))
        {
            statements.BatchCommands.Add(pending.MentionsAll
                ? Command(statements, "UPDATE \"Conversations\" SET \"MentionAllSeq\" = $1 WHERE \"Id\" = $2 AND \"MentionAllSeq\" < $1", row.Seq, row.ConversationId)
                : Command(statements, "UPDATE \"ConversationMembers\" SET \"MentionSeq\" = $1 " +
                    "WHERE \"ConversationId\" = $2 AND \"UserId\" = ANY($3) AND \"MentionSeq\" < $1", row.Seq, row.ConversationId, pending.MentionedUserIds.ToArray()));
        }
        await statements.ExecuteNonQueryAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }

    private static DbBatchCommand Command(DbBatch batch, string sql, params object?[] values)
    {
        var command = batch.CreateBatchCommand();
        command.CommandText = sql;
        foreach (var value in values)
        {
            var parameter = command.CreateParameter();
            parameter.Value = value ?? DBNull.Value;
            command.Parameters.Add(parameter);
        }
        return command;
    }

    /// <summary>
    /// A reply whose quoted message was recalled or edited after the send was checked gets the recalled quote or one
    /// with the new text, as a recall or an edit gives the replies already stored. Runs after the seqs are reserved:
    /// on SQLite the write lock is held, so no recall or edit can come between; on PostgreSQL the quoted rows are
    /// locked (<c>FOR SHARE</c>), so a recall or edit either committed before (seen here) or waits for this batch and
    /// then updates its replies itself.
    /// </summary>
    private async Task ScrubQuotesOfRecalledAsync(DbConnection connection, DbTransaction transaction, List<Message> messages, CancellationToken cancellationToken)
    {
        var quotedIds = messages.Where(m => m.ReplyToId is not null).Select(m => m.ReplyToId!.Value).Distinct().ToList();
        await using var select = connection.CreateCommand();
        select.Transaction = transaction;
        var ids = new StringBuilder();
        for (var i = 0; i < quotedIds.Count; i++)
        {
            if (i > 0) ids.Append(", ");
            ids.Append(CultureInfo.InvariantCulture, $"@q{i}");
            StatementParameters.Add(select, $"@q{i}", quotedIds[i]);
        }
        select.CommandText = $"SELECT \"Id\", \"Seq\", \"SenderId\", \"Type\", \"Recalled\", \"EditedAt\" IS NOT NULL, \"Content\" FROM \"Messages\" WHERE \"Id\" IN ({ids})" +
            (_sqlite ? "" : " ORDER BY \"Id\" FOR SHARE");
        var recalled = new Dictionary<long, string>();
        await using (var reader = await select.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                var id = reader.GetInt64(0);
                var type = (MessageType)reader.GetInt32(3);
                if (reader.GetBoolean(4))
                    recalled[id] = RepliesAndMentions.Quote(id, reader.GetInt64(1), reader.GetInt64(2), type, MessagePreview.Recalled, recalled: true);
                else if (reader.GetBoolean(5))
                    recalled[id] = RepliesAndMentions.Quote(id, reader.GetInt64(1), reader.GetInt64(2), type,
                        MessagePreview.Of(type, reader.GetString(6), null, recalled: false), recalled: false);
            }
        }
        foreach (var message in messages)
        {
            if (message.ReplyToId is { } quoted && recalled.TryGetValue(quoted, out var quote)) message.ReplyTo = quote;
        }
    }

    /// <summary>
    /// SQLite (in process, no round trips): runs one statement (placeholders <c>$1</c>, <c>$2</c> …) once per row of
    /// arguments as one prepared command, re-bound per row, in the transaction. Returns each execution's single result
    /// when <paramref name="returnsScalar"/> (else an empty list).
    /// </summary>
    private static async Task<List<long?>> RunAsync(DbConnection connection, DbTransaction transaction, string sql,
        IEnumerable<object?[]> rows, bool returnsScalar, CancellationToken cancellationToken)
    {
        var results = new List<long?>();
        await using var single = connection.CreateCommand();
        single.Transaction = transaction;
        single.CommandText = sql;
        DbParameter[]? parameters = null;
        foreach (var row in rows)
        {
            parameters ??= row.Select((_, i) => StatementParameters.Add(single, "$" + (i + 1).ToString(CultureInfo.InvariantCulture), DBNull.Value)).ToArray();
            for (var i = 0; i < row.Length; i++) parameters[i].Value = row[i] ?? DBNull.Value;
            if (returnsScalar)
                results.Add(await single.ExecuteScalarAsync(cancellationToken) is { } value and not DBNull ? Convert.ToInt64(value, CultureInfo.InvariantCulture) : null);
            else
                await single.ExecuteNonQueryAsync(cancellationToken);
        }
        return results;
    }

    private static readonly string SqliteReserveSql =
        "UPDATE \"Conversations\" SET \"LastSeq\" = \"LastSeq\" + $1, \"LastMessageAt\" = $2, \"ListActivityAt\" = " +
        string.Create(CultureInfo.InvariantCulture, $"CASE WHEN $2 - \"ListActivityAt\" >= {(long)ConversationMember.ListActivityLag.TotalMilliseconds} ") +
        "THEN $2 ELSE \"ListActivityAt\" END " +
        "WHERE \"Id\" = $3 RETURNING \"LastSeq\", \"MessageTtlSeconds\", \"ListActivityAt\" = $2";

    /// <summary>
    /// SQLite: raises each conversation's last seq (arguments: count, time, conversation id) and moves its list key when
    /// that is <see cref="ConversationMember.ListActivityLag"/> or more behind; returns the new last seq, the conversation's
    /// time-to-live and whether the key moved, or null for a conversation that does not exist.
    /// </summary>
    private static async Task<List<(long LastSeq, int? TtlSeconds, bool KeyMoved)?>> ReserveSeqsAsync(DbConnection connection, DbTransaction transaction,
        IEnumerable<object?[]> rows, CancellationToken cancellationToken)
    {
        var results = new List<(long, int?, bool)?>();
        static (long, int?, bool) Read(DbDataReader reader) =>
            (reader.GetInt64(0), reader.IsDBNull(1) ? null : Convert.ToInt32(reader.GetValue(1), CultureInfo.InvariantCulture), reader.GetInt64(2) != 0);
        await using var single = connection.CreateCommand();
        single.Transaction = transaction;
        single.CommandText = SqliteReserveSql;
        DbParameter[]? parameters = null;
        foreach (var row in rows)
        {
            parameters ??= row.Select((_, i) => StatementParameters.Add(single, "$" + (i + 1).ToString(CultureInfo.InvariantCulture), DBNull.Value)).ToArray();
            for (var i = 0; i < row.Length; i++) parameters[i].Value = row[i] ?? DBNull.Value;
            await using var reader = await single.ExecuteReaderAsync(cancellationToken);
            results.Add(await reader.ReadAsync(cancellationToken) ? Read(reader) : null);
        }
        return results;
    }

    private async Task<DbConnection> OpenAsync(CancellationToken cancellationToken)
    {
        await db.Database.OpenConnectionAsync(cancellationToken);
        return db.Database.GetDbConnection();
    }

    private object Time(DateTimeOffset value) => _sqlite ? value.ToUnixTimeMilliseconds() : value;

    private static DateTimeOffset ReadTime(object value) => value switch
    {
        long ms => DateTimeOffset.FromUnixTimeMilliseconds(ms),
        DateTime utc => new DateTimeOffset(DateTime.SpecifyKind(utc, DateTimeKind.Utc)),
        DateTimeOffset time => time,
        _ => throw new InvalidOperationException($"Unexpected time value {value.GetType()}."),
    };

    private static string Format(long id) => id.ToString(CultureInfo.InvariantCulture);
}
