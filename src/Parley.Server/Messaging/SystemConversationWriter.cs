using System.Data.Common;
using System.Globalization;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Parley.Server.Events;
using Parley.Server.Storage;

namespace Parley.Server.Messaging;

/// <summary>
/// Writes one <c>system</c> message into each of many users' system conversations (<see cref="ConversationKind.System"/>,
/// made on first use), many users per statement: what a platform broadcast is made of. It does not go through the
/// <see cref="MessageCommitter"/>, whose queue is chat traffic's: the caller paces its batches, each batch is one
/// small transaction on the caller's own connection (five statements whatever the batch's size), and the messages
/// are then announced as <see cref="MessageStored"/> like any other, so connected devices get <c>msg.new</c>.
/// <para>Each message's clientMsgId is <c>{prefix}{userId}</c> and its sender <see cref="Conversation.SystemSenderId"/>:
/// the unique (sender, clientMsgId) index refuses a second copy to the same user, so a batch written twice (by two
/// nodes, or again after a crash) fails as a whole instead of sending anyone the message twice.</para>
/// </summary>
public sealed class SystemConversationWriter(IdGenerator ids, TimeProvider time, DomainEvents events, SqliteWriteGate writeGate)
{
    /// <summary>
    /// Stores the message for these users in one transaction. <paramref name="guard"/> runs first in the same
    /// transaction (the caller moves its own progress there); when it answers false nothing is written and null is
    /// returned. Otherwise the stored messages, already published.
    /// </summary>
    public async Task<IReadOnlyList<Message>?> WriteAsync(ParleyDb db, string clientMsgIdPrefix, string content, IReadOnlyList<long> userIds,
        Func<DbConnection, DbTransaction, CancellationToken, Task<bool>> guard, CancellationToken cancellationToken)
    {
        userIds = userIds.Distinct().ToList();
        var sqlite = db is SqliteParleyDb;
        await db.Database.OpenConnectionAsync(cancellationToken);
        var connection = db.Database.GetDbConnection();
        var now = time.GetUtcNow();
        object Time(DateTimeOffset value) => sqlite ? value.ToUnixTimeMilliseconds() : value;
        var messages = new List<Message>(userIds.Count);

        using (await writeGate.EnterAsync(db, cancellationToken))
        await using (var transaction = await connection.BeginTransactionAsync(cancellationToken))
        {
            if (!await guard(connection, transaction, cancellationToken))
            {
                await transaction.RollbackAsync(cancellationToken);
                return null;
            }
            if (userIds.Count == 0)
            {
                // Nothing to write (the recipients' accounts are gone), but the caller's progress moves.
                await transaction.CommitAsync(cancellationToken);
                return messages;
            }

            // The conversations that do not exist yet (a unique key per user: two writers make one).
            await using (var insert = Command(connection, transaction))
            {
                var sql = new StringBuilder("INSERT INTO \"Conversations\" (\"Id\", \"Kind\", \"DirectKey\", \"LastSeq\", \"CreatedAt\", \"LastMessageAt\", " +
                    "\"ListActivityAt\", \"MentionAllSeq\", \"MessageTtlSeconds\") VALUES ");
                StatementParameters.Add(insert, "@now", Time(now));
                StatementParameters.Add(insert, "@kind", (int)ConversationKind.System);
                for (var i = 0; i < userIds.Count; i++)
                {
                    if (i > 0) sql.Append(", ");
                    sql.Append(CultureInfo.InvariantCulture, $"(@i{i}, @kind, @k{i}, 0, @now, @now, @now, 0, NULL)");
                    StatementParameters.Add(insert, $"@i{i}", ids.Next());
                    StatementParameters.Add(insert, $"@k{i}", Conversation.SystemKeyFor(userIds[i]));
                }
                insert.CommandText = sql.Append(" ON CONFLICT (\"DirectKey\") DO NOTHING").ToString();
                await insert.ExecuteNonQueryAsync(cancellationToken);
            }

            // One more message in each: the seqs, ids and time-to-live of all of them in one statement. The list's key moves
            // with every broadcast (a user gets few): the conversation's here, the member row's below.
            var byKey = new Dictionary<string, (long Id, long Seq, int? Ttl)>(userIds.Count, StringComparer.Ordinal);
            await using (var reserve = Command(connection, transaction))
            {
                StatementParameters.Add(reserve, "@now", Time(now));
                reserve.CommandText = "UPDATE \"Conversations\" SET \"LastSeq\" = \"LastSeq\" + 1, \"LastMessageAt\" = @now, \"ListActivityAt\" = @now WHERE \"DirectKey\" IN (" +
                    KeyList(reserve, userIds) + ") RETURNING \"Id\", \"DirectKey\", \"LastSeq\", \"MessageTtlSeconds\"";
                await using var reader = await reserve.ExecuteReaderAsync(cancellationToken);
                while (await reader.ReadAsync(cancellationToken))
                {
                    byKey[reader.GetString(1)] = (reader.GetInt64(0), reader.GetInt64(2),
                        reader.IsDBNull(3) ? null : Convert.ToInt32(reader.GetValue(3), CultureInfo.InvariantCulture));
                }
            }

            foreach (var userId in userIds)
            {
                var (conversationId, seq, ttl) = byKey[Conversation.SystemKeyFor(userId)];
                messages.Add(new Message
                {
                    Id = ids.Next(),
                    ConversationId = conversationId,
                    Seq = seq,
                    SenderId = Conversation.SystemSenderId,
                    ClientMsgId = clientMsgIdPrefix + userId.ToString(CultureInfo.InvariantCulture),
                    Type = MessageType.System,
                    Content = content,
                    SentAt = now,
                    ExpiresAt = ttl is { } seconds ? now.AddSeconds(seconds) : null,
                });
            }

            // The user's row in the conversation list (made once), its sort key moved to this message.
            await using (var members = Command(connection, transaction))
            {
                var sql = new StringBuilder("INSERT INTO \"ConversationMembers\" (\"ConversationId\", \"UserId\", \"ReadSeq\", \"Pinned\", \"Muted\", " +
                    "\"HiddenAtSeq\", \"ClearedSeq\", \"MentionSeq\", \"ListActivityAt\") VALUES ");
                StatementParameters.Add(members, "@no", false);
                StatementParameters.Add(members, "@now", Time(now));
                for (var i = 0; i < userIds.Count; i++)
                {
                    if (i > 0) sql.Append(", ");
                    sql.Append(CultureInfo.InvariantCulture, $"(@c{i}, @u{i}, 0, @no, @no, NULL, 0, 0, @now)");
                    StatementParameters.Add(members, $"@c{i}", messages[i].ConversationId);
                    StatementParameters.Add(members, $"@u{i}", userIds[i]);
                }
                members.CommandText = sql.Append(" ON CONFLICT (\"ConversationId\", \"UserId\") DO UPDATE SET \"ListActivityAt\" = excluded.\"ListActivityAt\"").ToString();
                await members.ExecuteNonQueryAsync(cancellationToken);
            }

            await using (var insert = Command(connection, transaction))
            {
                var sql = new StringBuilder("INSERT INTO \"Messages\" (\"Id\", \"ConversationId\", \"Seq\", \"SenderId\", \"ClientMsgId\", \"Type\", \"Content\", " +
                    "\"SentAt\", \"Recalled\", \"ExpiresAt\", \"Forwarded\") VALUES ");
                StatementParameters.Add(insert, "@sender", Conversation.SystemSenderId);
                StatementParameters.Add(insert, "@type", (int)MessageType.System);
                StatementParameters.Add(insert, "@content", content);
                StatementParameters.Add(insert, "@now", Time(now));
                StatementParameters.Add(insert, "@no", false);
                for (var i = 0; i < messages.Count; i++)
                {
                    var m = messages[i];
                    if (i > 0) sql.Append(", ");
                    sql.Append(CultureInfo.InvariantCulture, $"(@i{i}, @c{i}, @s{i}, @sender, @m{i}, @type, @content, @now, @no, @e{i}, @no)");
                    StatementParameters.Add(insert, $"@i{i}", m.Id);
                    StatementParameters.Add(insert, $"@c{i}", m.ConversationId);
                    StatementParameters.Add(insert, $"@s{i}", m.Seq);
                    StatementParameters.Add(insert, $"@m{i}", m.ClientMsgId);
                    StatementParameters.Add(insert, $"@e{i}", m.ExpiresAt is { } expires ? Time(expires) : DBNull.Value);
                }
                insert.CommandText = sql.ToString();
                await insert.ExecuteNonQueryAsync(cancellationToken);
            }
            await transaction.CommitAsync(cancellationToken);
        }

        Operations.ParleyMetrics.MessagesStored.Add(messages.Count);
        // Committed: each recipient's devices hear of theirs (msg.new through Realtime, push for the others).
        for (var i = 0; i < messages.Count; i++)
            await events.PublishAsync(new MessageStored(messages[i], [userIds[i]], SenderDeviceId: 0), CancellationToken.None);
        return messages;
    }

    private static string KeyList(DbCommand command, IReadOnlyList<long> userIds)
    {
        var keys = new StringBuilder();
        for (var i = 0; i < userIds.Count; i++)
        {
            if (i > 0) keys.Append(", ");
            keys.Append(CultureInfo.InvariantCulture, $"@k{i}");
            StatementParameters.Add(command, $"@k{i}", Conversation.SystemKeyFor(userIds[i]));
        }
        return keys.ToString();
    }

    private static DbCommand Command(DbConnection connection, DbTransaction transaction)
    {
        var command = connection.CreateCommand();
        command.Transaction = transaction;
        return command;
    }
}
