using System.Data.Common;

namespace Parley.Server.Messaging;

/// <summary>
/// The committer's statements on PostgreSQL, set-based: each takes the whole batch as array parameters
/// (<c>unnest</c>) and runs as one statement, where the generic path runs one statement per row. Measured
/// (docs/benchmarks.md), a batch of a few hundred messages spent most of its time in PostgreSQL executing
/// hundreds of small statements; one statement per step parses, plans and locks once.
/// </summary>
internal static class PostgresMessageStatements
{
    /// <summary>Messages already stored under these (sender, clientMsgId) pairs.</summary>
    public static void FindStored(DbCommand command, IReadOnlyList<PendingMessage> batch)
    {
        command.CommandText =
            "SELECT m.\"SenderId\", m.\"ClientMsgId\", m.\"Id\", m.\"ConversationId\", m.\"Seq\", m.\"SentAt\" " +
            "FROM unnest($1::bigint[], $2::text[]) AS k(sender, client) " +
            "JOIN \"Messages\" m ON m.\"SenderId\" = k.sender AND m.\"ClientMsgId\" = k.client";
        Add(command, batch.Select(p => p.SenderId).ToArray());
        Add(command, batch.Select(p => p.ClientMsgId).ToArray());
    }

    /// <summary>
    /// Locks the conversations in id order (so that two nodes' writers never wait on each other in a cycle), then
    /// raises each one's last seq by its count in one statement, and moves the list's key of those whose key is
    /// <see cref="ConversationMember.ListActivityLag"/> or more behind. Returns (id, new last seq, time-to-live, key
    /// moved) per conversation.
    /// </summary>
    public static async Task<Dictionary<long, (long LastSeq, int? TtlSeconds, bool KeyMoved)>> ReserveSeqsAsync(DbConnection connection, DbTransaction transaction,
        long[] conversationIds, long[] counts, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var batch = connection.CreateBatch();
        batch.Transaction = transaction;
        var lockRows = batch.CreateBatchCommand();
        lockRows.CommandText = "SELECT \"Id\" FROM \"Conversations\" WHERE \"Id\" = ANY($1) ORDER BY \"Id\" FOR UPDATE";
        Add(lockRows, conversationIds);
        batch.BatchCommands.Add(lockRows);
        var reserve = batch.CreateBatchCommand();
        reserve.CommandText =
            "UPDATE \"Conversations\" c SET \"LastSeq\" = c.\"LastSeq\" + v.n, \"LastMessageAt\" = $3, " +
            "\"ListActivityAt\" = CASE WHEN $3 - c.\"ListActivityAt\" >= $4 THEN $3 ELSE c.\"ListActivityAt\" END " +
            "FROM unnest($1::bigint[], $2::bigint[]) AS v(id, n) WHERE c.\"Id\" = v.id " +
            "RETURNING c.\"Id\", c.\"LastSeq\", c.\"MessageTtlSeconds\", c.\"ListActivityAt\" = $3";
        Add(reserve, conversationIds);
        Add(reserve, counts);
        Add(reserve, now);
        Add(reserve, ConversationMember.ListActivityLag);
        batch.BatchCommands.Add(reserve);

        var reserved = new Dictionary<long, (long, int?, bool)>(conversationIds.Length);
        await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken)) { } // the locks
        await reader.NextResultAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
            reserved[reader.GetInt64(0)] = (reader.GetInt64(1), reader.IsDBNull(2) ? null : Convert.ToInt32(reader.GetValue(2), System.Globalization.CultureInfo.InvariantCulture),
                reader.GetBoolean(3));
        return reserved;
    }

    /// <summary>The messages, seqs assigned, as one multi-row insert.</summary>
    public static DbBatchCommand Insert(DbBatch batch, IReadOnlyList<Message> messages, DateTimeOffset now)
    {
        var command = batch.CreateBatchCommand();
        command.CommandText =
            "INSERT INTO \"Messages\" (\"Id\", \"ConversationId\", \"Seq\", \"SenderId\", \"ClientMsgId\", \"Type\", \"Content\", \"File\", \"SentAt\", " +
            "\"Recalled\", \"ReplyTo\", \"ReplyToId\", \"Mentions\", \"FileId\", \"SearchText\", \"ExpiresAt\", \"Forwarded\") " +
            "SELECT id, conversation, seq, sender, client, type, content, file, $9, false, reply_to, reply_to_id, mentions, file_id, search, expires, forwarded " +
            "FROM unnest($1::bigint[], $2::bigint[], $3::bigint[], $4::bigint[], $5::text[], $6::integer[], $7::text[], $8::text[], " +
            "$10::text[], $11::bigint[], $12::text[], $13::bigint[], $14::text[], $15::timestamptz[], $16::boolean[]) " +
            "AS r(id, conversation, seq, sender, client, type, content, file, reply_to, reply_to_id, mentions, file_id, search, expires, forwarded)";
        Add(command, messages.Select(m => m.Id).ToArray());
        Add(command, messages.Select(m => m.ConversationId).ToArray());
        Add(command, messages.Select(m => m.Seq).ToArray());
        Add(command, messages.Select(m => m.SenderId).ToArray());
        Add(command, messages.Select(m => m.ClientMsgId).ToArray());
        Add(command, messages.Select(m => (int)m.Type).ToArray());
        Add(command, messages.Select(m => m.Content).ToArray());
        Add(command, messages.Select(m => m.File).ToArray());
        Add(command, now);
        Add(command, messages.Select(m => m.ReplyTo).ToArray());
        Add(command, messages.Select(m => m.ReplyToId).ToArray());
        Add(command, messages.Select(m => m.Mentions).ToArray());
        Add(command, messages.Select(m => m.FileId).ToArray());
        Add(command, messages.Select(m => m.SearchText).ToArray());
        Add(command, messages.Select(m => m.ExpiresAt).ToArray());
        Add(command, messages.Select(m => m.Forwarded).ToArray());
        return command;
    }

    /// <summary>
    /// Each sender has read up to their own last message, one statement for the batch. The member rows belong to
    /// conversations this transaction locked first, so writers on other nodes cannot deadlock on them.
    /// </summary>
    public static DbBatchCommand MarkSendersRead(DbBatch batch, IReadOnlyList<Message> messages)
    {
        var mine = messages.GroupBy(m => (m.ConversationId, m.SenderId)).OrderBy(g => g.Key)
            .Select(g => (g.Key.ConversationId, g.Key.SenderId, Seq: g.Max(m => m.Seq))).ToList();
        var command = batch.CreateBatchCommand();
        command.CommandText =
            "UPDATE \"ConversationMembers\" m SET \"ReadSeq\" = v.seq " +
            "FROM unnest($1::bigint[], $2::bigint[], $3::bigint[]) AS v(conversation, member, seq) " +
            "WHERE m.\"ConversationId\" = v.conversation AND m.\"UserId\" = v.member AND m.\"ReadSeq\" < v.seq";
        Add(command, mine.Select(x => x.ConversationId).ToArray());
        Add(command, mine.Select(x => x.SenderId).ToArray());
        Add(command, mine.Select(x => x.Seq).ToArray());
        return command;
    }

    /// <summary>
    /// The member rows of the conversations whose list key moved take it (<see cref="ConversationMember.ListActivityAt"/>):
    /// at most once a <see cref="ConversationMember.ListActivityLag"/> per conversation. Locked conversations, as above.
    /// </summary>
    public static DbBatchCommand MoveListKeys(DbBatch batch, long[] conversationIds, DateTimeOffset now)
    {
        var command = batch.CreateBatchCommand();
        command.CommandText = "UPDATE \"ConversationMembers\" SET \"ListActivityAt\" = $2 WHERE \"ConversationId\" = ANY($1)";
        Add(command, conversationIds);
        Add(command, now);
        return command;
    }

    private static void Add(DbCommand command, object value)
    {
        var parameter = command.CreateParameter();
        parameter.Value = value;
        command.Parameters.Add(parameter);
    }

    private static void Add(DbBatchCommand command, object value)
    {
        var parameter = command.CreateParameter();
        parameter.Value = value;
        command.Parameters.Add(parameter);
    }
}
