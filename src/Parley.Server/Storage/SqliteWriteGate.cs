namespace Parley.Server.Storage;

/// <summary>
/// SQLite's one write lock, taken in turn inside this process by the writers that run all the time: the message
/// committer and the broadcast writer. SQLite's own lock is not fair: a writer that finds it taken backs off (1, 2, 5,
/// 10 ms and more, <c>busy_timeout</c>) and another that comes back often can take it again in between, so a broadcast
/// raised the 1:1 p99 by 20 to 200 ms. Here a writer waits asynchronously, in arrival order, for at most the
/// transaction in front of it. Per transaction, not per message. On PostgreSQL (row locks, many writers) it is never taken.
/// </summary>
public sealed class SqliteWriteGate
{
    private readonly SemaphoreSlim _gate = new(1, 1);

    /// <summary>Waits for the turn when <paramref name="db"/> is SQLite; dispose the result once the transaction has ended.</summary>
    public async ValueTask<Turn> EnterAsync(ParleyDb db, CancellationToken cancellationToken)
    {
        if (db is not SqliteParleyDb) return default;
        await _gate.WaitAsync(cancellationToken);
        return new Turn(_gate);
    }

    public readonly struct Turn(SemaphoreSlim? gate) : IDisposable
    {
        public void Dispose() => gate?.Release();
    }
}
