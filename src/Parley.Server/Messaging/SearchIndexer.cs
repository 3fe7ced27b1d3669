using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Parley.Server.Storage;

namespace Parley.Server.Messaging;

/// <summary>
/// SQLite only: fills the full-text index behind the committer (<see cref="SearchIndex"/>). Measured, the trigram index's
/// update inside every commit was the largest single cost of the committer's critical section under overload (without it
/// 17,700-18,300 delivered msgs/s against 11,100-16,400); here it runs in its own transactions, each taking the write
/// lock in turn (<see cref="SqliteWriteGate"/>), a few commits' worth at a time, without waiting for the disk (a lost
/// index transaction loses its mark with it, so it is redone). The committer gives ids in commit order (one committer,
/// and SQLite means one node), so everything at or below the mark has been committed.
/// </summary>
public sealed partial class SearchIndexer(
    IServiceScopeFactory scopes, SqliteWriteGate writeGate, IOptions<MessagingOptions> options, ILogger<SearchIndexer> logger) : BackgroundService
{
    /// <summary>Messages per index transaction at most.</summary>
    public const int BatchSize = 1000;

    private readonly SemaphoreSlim _work = new(0, 1);

    /// <summary>After a commit: there is something to index (cheap, never waits).</summary>
    public void Poke()
    {
        if (_work.CurrentCount > 0) return;
        try
        {
            _work.Release();
        }
        catch (SemaphoreFullException)
        {
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await using (var scope = scopes.CreateAsyncScope())
            if (scope.ServiceProvider.GetRequiredService<ParleyDb>() is not SqliteParleyDb) return;
        // First whatever a crash or a stop left behind, then after each poke.
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await CatchUpAsync(stoppingToken);
                await _work.WaitAsync(stoppingToken);
                await Task.Delay(options.Value.SearchIndexDelay, stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogIndexFailed(logger, e);
                await Task.Delay(TimeSpan.FromSeconds(1), stoppingToken);
            }
        }
    }

    /// <summary>Indexes everything committed so far.</summary>
    public async Task CatchUpAsync(CancellationToken cancellationToken)
    {
        while (await IndexBatchAsync(cancellationToken) == BatchSize)
        {
        }
    }

    private async Task<int> IndexBatchAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ParleyDb>();
        await using var relaxed = await SqliteDurability.WithoutFlushWaitsAsync(db, cancellationToken);
        using var turn = await writeGate.EnterAsync(db, cancellationToken);
        var connection = db.Database.GetDbConnection();
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var passed = await SearchIndex.IndexNextAsync(connection, transaction, BatchSize, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return passed;
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Indexing messages for search failed; retrying")]
    private static partial void LogIndexFailed(ILogger logger, Exception exception);
}
