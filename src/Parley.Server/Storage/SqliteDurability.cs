using System.Globalization;
using Microsoft.EntityFrameworkCore;

namespace Parley.Server.Storage;

/// <summary>
/// For SQLite writes that may be lost in a power cut because they can be redone (the webhook outbox's bookkeeping, the
/// search index behind the committer): they commit without waiting for the disk (<c>synchronous=NORMAL</c>, which in
/// WAL mode keeps the database consistent and may only lose the latest commits), so each holds SQLite's single write
/// lock for microseconds rather than an fsync, which the message committer would wait for. The next commit with
/// <c>synchronous=FULL</c> (every message batch) makes them durable too: the WAL is written in order.
/// </summary>
public static class SqliteDurability
{
    /// <summary>Opens the context's connection with <c>synchronous=NORMAL</c>; disposing puts the setting back and closes it. No-op on PostgreSQL.</summary>
    public static async Task<IAsyncDisposable> WithoutFlushWaitsAsync(ParleyDb db, CancellationToken cancellationToken)
    {
        if (db is not SqliteParleyDb) return NoRestore.Instance;
        await db.Database.OpenConnectionAsync(cancellationToken);
        var connection = db.Database.GetDbConnection();
        await using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA synchronous";
        var before = Convert.ToInt32(await command.ExecuteScalarAsync(cancellationToken), CultureInfo.InvariantCulture);
        command.CommandText = "PRAGMA synchronous=NORMAL";
        await command.ExecuteNonQueryAsync(cancellationToken);
        return new RestoreSynchronous(db, before);
    }

    private sealed class RestoreSynchronous(ParleyDb db, int before) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await using (var command = db.Database.GetDbConnection().CreateCommand())
            {
                command.CommandText = $"PRAGMA synchronous={before.ToString(CultureInfo.InvariantCulture)}";
                await command.ExecuteNonQueryAsync();
            }
            await db.Database.CloseConnectionAsync();
        }
    }

    private sealed class NoRestore : IAsyncDisposable
    {
        public static readonly NoRestore Instance = new();
        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
