using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Parley.Server.Storage;

namespace Parley.Server.Messaging;

/// <summary>
/// SQLite's full-text index (the FTS5 trigram table <c>MessageSearch</c>, external content over <c>Messages</c>) is filled
/// behind the committer by <see cref="SearchIndexer"/>. <c>SearchIndexState.IndexedThrough</c> is its high-water mark:
/// every message with a higher id is not in the index yet. Search reads those from the table itself
/// (<see cref="MessageSearcher"/>); edits, recalls and the retention sweeper change the index only at or below the mark,
/// inside their write transaction, so that the index always holds exactly the text its rows hold (an external-content
/// index given a 'delete' for a row it does not hold is corrupt). The indexer reads each row as it is when it indexes it.
/// </summary>
public static class SearchIndex
{
    /// <summary>The mark, read in the caller's transaction (on SQLite that holds the write lock, so it cannot move meanwhile).</summary>
    public static async Task<long> IndexedThroughAsync(ParleyDb db, CancellationToken cancellationToken) =>
        await db.Database.SqlQueryRaw<long>("SELECT \"IndexedThrough\" AS \"Value\" FROM \"SearchIndexState\"").FirstAsync(cancellationToken);

    /// <summary>Takes a message's text out of the index, if it is in it (SQLite only; call inside the write transaction).</summary>
    public static async Task RemoveAsync(ParleyDb db, long messageId, string? text, CancellationToken cancellationToken)
    {
        if (db is not SqliteParleyDb || text is null || messageId > await IndexedThroughAsync(db, cancellationToken)) return;
        await db.Database.ExecuteSqlAsync(
            $"INSERT INTO \"MessageSearch\" (\"MessageSearch\", rowid, \"SearchText\") VALUES ('delete', {messageId}, {text})", cancellationToken);
    }

    /// <summary>Gives an indexed message its new text in the index (SQLite only; call inside the write transaction).</summary>
    public static async Task ReplaceAsync(ParleyDb db, long messageId, string? oldText, string newText, CancellationToken cancellationToken)
    {
        if (db is not SqliteParleyDb || messageId > await IndexedThroughAsync(db, cancellationToken)) return;
        if (oldText is not null)
        {
            await db.Database.ExecuteSqlAsync(
                $"INSERT INTO \"MessageSearch\" (\"MessageSearch\", rowid, \"SearchText\") VALUES ('delete', {messageId}, {oldText})", cancellationToken);
        }
        await db.Database.ExecuteSqlAsync($"INSERT INTO \"MessageSearch\" (rowid, \"SearchText\") VALUES ({messageId}, {newText})", cancellationToken);
    }

    /// <summary>Indexes up to <paramref name="limit"/> messages past the mark and moves it; returns how many rows it passed.</summary>
    internal static async Task<int> IndexNextAsync(DbConnection connection, DbTransaction transaction, int limit, CancellationToken cancellationToken)
    {
        long mark;
        await using (var read = connection.CreateCommand())
        {
            read.Transaction = transaction;
            read.CommandText = "SELECT \"IndexedThrough\" FROM \"SearchIndexState\"";
            mark = (long)(await read.ExecuteScalarAsync(cancellationToken))!;
        }
        var rows = new List<(long Id, string? Text)>(limit);
        await using (var scan = connection.CreateCommand())
        {
            scan.Transaction = transaction;
            scan.CommandText = "SELECT \"Id\", \"SearchText\" FROM \"Messages\" WHERE \"Id\" > $mark ORDER BY \"Id\" LIMIT $limit";
            AddParameter(scan, "$mark", mark);
            AddParameter(scan, "$limit", limit);
            await using var reader = await scan.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken)) rows.Add((reader.GetInt64(0), reader.IsDBNull(1) ? null : reader.GetString(1)));
        }
        if (rows.Count == 0) return 0;

        await using (var insert = connection.CreateCommand())
        {
            insert.Transaction = transaction;
            insert.CommandText = "INSERT INTO \"MessageSearch\" (rowid, \"SearchText\") VALUES ($id, $text)";
            var id = AddParameter(insert, "$id", 0L);
            var text = AddParameter(insert, "$text", "");
            foreach (var row in rows.Where(r => r.Text is not null))
            {
                id.Value = row.Id;
                text.Value = row.Text;
                await insert.ExecuteNonQueryAsync(cancellationToken);
            }
        }
        await using (var move = connection.CreateCommand())
        {
            move.Transaction = transaction;
            move.CommandText = "UPDATE \"SearchIndexState\" SET \"IndexedThrough\" = $mark";
            AddParameter(move, "$mark", rows[^1].Id);
            await move.ExecuteNonQueryAsync(cancellationToken);
        }
        return rows.Count;
    }

    private static DbParameter AddParameter(DbCommand command, string name, object value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value;
        command.Parameters.Add(parameter);
        return parameter;
    }
}
