using System.Globalization;
using Microsoft.EntityFrameworkCore;

namespace Parley.Server.Storage;

/// <summary>SQLite's <c>synchronous</c> setting, lowered for one connection's writes that may be lost and redone.</summary>
public static class SqliteSynchronous
{
    /// <summary>
    /// On SQLite, opens the context's connection and lets its commits go without waiting for the disk
    /// (<c>synchronous=NORMAL</c>, which in WAL mode keeps the database consistent and only may lose the latest commits on
    /// a power cut), until disposed, which puts the connection's setting back before it returns to the pool. For writes
    /// that can be lost and redone (the webhook outbox's claims and settles, the search index): each then holds SQLite's
    /// single write lock without an fsync, which the message committer would wait for. Elsewhere it does nothing.
    /// </summary>
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
