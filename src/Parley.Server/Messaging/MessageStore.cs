using System.Data.Common;
using System.Globalization;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Parley.Server.Storage;

namespace Parley.Server.Messaging;

/// <summary>
/// The committer's plain ADO.NET access to the message table, on the DbContext's connection: measured, EF
/// Core's change tracking and query pipeline were a fifth of the server's CPU on the send path, for
/// statements this simple. Everything else reads and writes messages through EF Core.
/// </summary>
internal sealed class MessageStore(ParleyDb db)
{
    private readonly bool _sqlite = db is SqliteParleyDb;

    /// <summary>Messages already stored under these (sender, clientMsgId) pairs: one query for the whole batch.</summary>
    public async Task<Dictionary<(long SenderId, string ClientMsgId), MessageAck>> FindStoredAsync(
        IReadOnlyList<PendingMessage> batch, CancellationToken cancellationToken)
    {
        var connection = await OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        var sql = new StringBuilder("SELECT \"SenderId\", \"ClientMsgId\", \"Id\", \"ConversationId\", \"Seq\", \"SentAt\" FROM \"Messages\" WHERE ");
        for (var i = 0; i < batch.Count; i++)
        {
            if (i > 0) sql.Append(" OR ");
            sql.Append(CultureInfo.InvariantCulture, $"(\"SenderId\" = @s{i} AND \"ClientMsgId\" = @c{i})");
            Add(command, $"@s{i}", batch[i].SenderId);
            Add(command, $"@c{i}", batch[i].ClientMsgId);
        }
        command.CommandText = sql.ToString();

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

    /// <summary>
    /// In one transaction: raises each conversation's last seq by its number of new messages (an atomic
    /// <c>UPDATE … RETURNING</c>, so concurrent writers on other nodes cannot take the same seqs), gives the
    /// messages those seqs in order, and inserts them.
    /// </summary>
    /// <remarks>
    /// Also, in the same transaction, the per-member state the conversation list reads: the sender has read
    /// up to their own message, mentioned members are marked, and text goes into the search index.
    /// </remarks>
    public async Task InsertAsync(IReadOnlyList<(Message Row, PendingMessage Pending)> batch, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var messages = batch.Select(b => b.Row).ToList();
        var connection = await OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);

        await using (var reserve = connection.CreateCommand())
        {
            reserve.Transaction = transaction;
            reserve.CommandText =
                "UPDATE \"Conversations\" SET \"LastSeq\" = \"LastSeq\" + @count, \"LastMessageAt\" = @now WHERE \"Id\" = @id RETURNING \"LastSeq\"";
            var count = Add(reserve, "@count", 0L);
            Add(reserve, "@now", Time(now));
            var id = Add(reserve, "@id", 0L);
            // In id order, so that two writers (nodes) never lock two conversations in opposite orders.
            foreach (var conversation in messages.GroupBy(m => m.ConversationId).OrderBy(g => g.Key))
            {
                var size = conversation.Count();
                count.Value = (long)size;
                id.Value = conversation.Key;
                var last = Convert.ToInt64(await reserve.ExecuteScalarAsync(cancellationToken)
                    ?? throw new InvalidOperationException($"Conversation {conversation.Key} does not exist."), CultureInfo.InvariantCulture);
                var seq = last - size;
                foreach (var message in conversation) message.Seq = ++seq;
            }
        }

        if (messages.Any(m => m.ReplyToId is not null)) await ScrubQuotesOfRecalledAsync(connection, transaction, messages, cancellationToken);

        await using (var insert = connection.CreateCommand())
        {
            insert.Transaction = transaction;
            insert.CommandText =
                "INSERT INTO \"Messages\" (\"Id\", \"ConversationId\", \"Seq\", \"SenderId\", \"ClientMsgId\", \"Type\", \"Content\", \"File\", \"SentAt\", \"Recalled\", " +
                "\"ReplyTo\", \"ReplyToId\", \"Mentions\", \"FileId\", \"SearchText\") " +
                "VALUES (@id, @conversation, @seq, @sender, @clientMsgId, @type, @content, @file, @sentAt, @recalled, @replyTo, @replyToId, @mentions, @fileId, @searchText)";
            var id = Add(insert, "@id", 0L);
            var conversation = Add(insert, "@conversation", 0L);
            var seq = Add(insert, "@seq", 0L);
            var sender = Add(insert, "@sender", 0L);
            var clientMsgId = Add(insert, "@clientMsgId", "");
            var type = Add(insert, "@type", 0);
            var content = Add(insert, "@content", "");
            var file = Add(insert, "@file", DBNull.Value);
            Add(insert, "@sentAt", Time(now));
            Add(insert, "@recalled", false);
            var replyTo = Add(insert, "@replyTo", DBNull.Value);
            var replyToId = Add(insert, "@replyToId", DBNull.Value);
            var mentions = Add(insert, "@mentions", DBNull.Value);
            var fileId = Add(insert, "@fileId", DBNull.Value);
            var searchText = Add(insert, "@searchText", DBNull.Value);
            foreach (var message in messages)
            {
                id.Value = message.Id;
                conversation.Value = message.ConversationId;
                seq.Value = message.Seq;
                sender.Value = message.SenderId;
                clientMsgId.Value = message.ClientMsgId;
                type.Value = (int)message.Type;
                content.Value = message.Content;
                file.Value = (object?)message.File ?? DBNull.Value;
                replyTo.Value = (object?)message.ReplyTo ?? DBNull.Value;
                replyToId.Value = (object?)message.ReplyToId ?? DBNull.Value;
                mentions.Value = (object?)message.Mentions ?? DBNull.Value;
                fileId.Value = (object?)message.FileId ?? DBNull.Value;
                searchText.Value = (object?)message.SearchText ?? DBNull.Value;
                await insert.ExecuteNonQueryAsync(cancellationToken);
            }
        }

        if (_sqlite && messages.Any(m => m.SearchText is not null))
        {
            await using var index = connection.CreateCommand();
            index.Transaction = transaction;
            index.CommandText = "INSERT INTO \"MessageSearch\" (rowid, \"SearchText\") VALUES (@id, @text)";
            var id = Add(index, "@id", 0L);
            var text = Add(index, "@text", "");
            foreach (var message in messages.Where(m => m.SearchText is not null))
            {
                id.Value = message.Id;
                text.Value = message.SearchText!;
                await index.ExecuteNonQueryAsync(cancellationToken);
            }
        }

        // The sender has read everything up to their own message (one statement per sender and conversation).
        await using (var read = connection.CreateCommand())
        {
            read.Transaction = transaction;
            read.CommandText = "UPDATE \"ConversationMembers\" SET \"ReadSeq\" = @seq WHERE \"ConversationId\" = @conversation AND \"UserId\" = @user AND \"ReadSeq\" < @seq";
            var seq = Add(read, "@seq", 0L);
            var conversation = Add(read, "@conversation", 0L);
            var user = Add(read, "@user", 0L);
            foreach (var mine in messages.GroupBy(m => (m.ConversationId, m.SenderId)).OrderBy(g => g.Key))
            {
                seq.Value = mine.Max(m => m.Seq);
                conversation.Value = mine.Key.ConversationId;
                user.Value = mine.Key.SenderId;
                await read.ExecuteNonQueryAsync(cancellationToken);
            }
        }

        foreach (var (row, pending) in batch.Where(b => b.Pending.MentionsAll || b.Pending.MentionedUserIds.Count > 0))
        {
            await using var mention = connection.CreateCommand();
            mention.Transaction = transaction;
            Add(mention, "@seq", row.Seq);
            Add(mention, "@conversation", row.ConversationId);
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
                    Add(mention, $"@u{i}", pending.MentionedUserIds[i]);
                }
                mention.CommandText = "UPDATE \"ConversationMembers\" SET \"MentionSeq\" = @seq " +
                    $"WHERE \"ConversationId\" = @conversation AND \"UserId\" IN ({users}) AND \"MentionSeq\" < @seq";
            }
            await mention.ExecuteNonQueryAsync(cancellationToken);
        }
        await transaction.CommitAsync(cancellationToken);
    }

    /// <summary>
    /// A reply whose quoted message was recalled after the send was checked gets the recalled quote, as a recall
    /// gives the replies already stored. Runs after the seqs are reserved: on SQLite the write lock is held, so no
    /// recall can come between; on PostgreSQL the quoted rows are locked (<c>FOR SHARE</c>), so a recall either
    /// committed before (seen here) or waits for this batch and then scrubs its replies itself.
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
            Add(select, $"@q{i}", quotedIds[i]);
        }
        select.CommandText = $"SELECT \"Id\", \"Seq\", \"SenderId\", \"Type\", \"Recalled\" FROM \"Messages\" WHERE \"Id\" IN ({ids})" +
            (_sqlite ? "" : " ORDER BY \"Id\" FOR SHARE");
        var recalled = new Dictionary<long, string>();
        await using (var reader = await select.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                if (!reader.GetBoolean(4)) continue;
                var id = reader.GetInt64(0);
                recalled[id] = RepliesAndMentions.Quote(id, reader.GetInt64(1), reader.GetInt64(2), (MessageType)reader.GetInt32(3), MessagePreview.Recalled, recalled: true);
            }
        }
        foreach (var message in messages)
        {
            if (message.ReplyToId is { } quoted && recalled.TryGetValue(quoted, out var quote)) message.ReplyTo = quote;
        }
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

    private static DbParameter Add(DbCommand command, string name, object value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value;
        command.Parameters.Add(parameter);
        return parameter;
    }
}
