using System.Globalization;
using System.Threading.Channels;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Parley.Server.Storage;

namespace Parley.Server.Messaging;

/// <summary>
/// SQLite only: puts committed text messages into the full-text index (<c>MessageSearch</c>) after their commit, not
/// in it. Measured (docs/benchmarks.md), the index's writes were a third of each commit, so every message waited
/// for them: at 5,000 msgs/s the p99 from send to delivery was 20-33 ms with them in the commit and 12-13 ms without.
/// <para>The committer adds each batch's range of message ids to <c>SearchBacklog</c> in its transaction; this
/// service indexes the text of those messages and deletes their ranges in one transaction, a few batches at a time
/// (fewer, larger index segments than one per commit). Search reads the messages of the ranges still waiting
/// directly (<see cref="MessageSearcher"/>), so a message is found from its ack on; an edit, recall or expiry of
/// a waiting message leaves the index alone, and this service indexes whatever text the message has by then.</para>
/// <para>FTS5's own merging of the index's segments (<c>automerge</c>) is off: it ran inside the commit that added a
/// segment and merged a level's segments in one go, 10-30 ms in one round of ten while the committer waited for the write
/// turn. After each round the indexer merges in steps of <see cref="MergeStepPages"/> pages instead, each a transaction of
/// its own, until a step finds nothing to merge (<see cref="MergeAsync"/>). Its write turns (rounds and steps) go behind
/// the committer's (<see cref="SqliteWriteGate.EnterInBackgroundAsync"/>).</para>
/// <para>Its commits do not wait for the disk (<c>synchronous=NORMAL</c>): a power cut can lose only the latest
/// of them, and the backlog rows they deleted come back with them, to be indexed again.</para>
/// </summary>
public sealed partial class SearchIndexer(
    IServiceScopeFactory scopes, SqliteWriteGate writeGate, IOptions<MessagingOptions> options, ILogger<SearchIndexer> logger) : BackgroundService
{
    // One item means a round is due; more would say nothing more.
    private readonly Channel<bool> _due = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private TaskCompletionSource _roundDone = NewRound();
    // Messages in the backlog at the start of the last round (parley_search_backlog).
    private long _waiting;
    // Cancelled by CaughtUpAsync: ends the wait for commits to gather at once.
    private CancellationTokenSource _hurry = new();

    /// <summary>Tells the indexer that a batch with text was committed; a round starts <see cref="MessagingOptions.SearchIndexDelay"/> later.</summary>
    public void Notify() => _due.Writer.TryWrite(true);

    /// <summary>Waits until every batch committed before the call is in the index (for tests and tools: search never needs it).</summary>
    public async Task CaughtUpAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var round = Volatile.Read(ref _roundDone).Task;
            await using (var scope = scopes.CreateAsyncScope())
            {
                var db = scope.ServiceProvider.GetRequiredService<ParleyDb>();
                if (db is not SqliteParleyDb || await WaitingAsync(db, cancellationToken) == 0) return;
            }
            Notify();
            await Volatile.Read(ref _hurry).CancelAsync();
            await round.WaitAsync(cancellationToken);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await using (var scope = scopes.CreateAsyncScope())
        {
            if (scope.ServiceProvider.GetRequiredService<ParleyDb>() is not SqliteParleyDb) return;
        }
        Operations.ParleyMetrics.ObserveSearchBacklog(() => Interlocked.Read(ref _waiting));
        var automergeOff = false;
        try
        {
            // The first round indexes at once what waited when the server last stopped.
            while (true)
            {
                try
                {
                    await using (var scope = scopes.CreateAsyncScope())
                        Interlocked.Exchange(ref _waiting, await WaitingAsync(scope.ServiceProvider.GetRequiredService<ParleyDb>(), stoppingToken));
                    // On while whole chunks wait; a part chunk ends the round (the committer adds a range after each commit,
                    // and chasing every one would double the write transactions).
                    if (!automergeOff)
                    {
                        await TurnAutomergeOffAsync(stoppingToken);
                        automergeOff = true;
                    }
                    long indexed;
                    do
                    {
                        indexed = await IndexSomeAsync(stoppingToken);
                        // Also when nothing was indexed: edits, recalls and sweeps add small segments of their own.
                        await MergeAsync(stoppingToken);
                    }
                    while (indexed >= Math.Max(1, options.Value.SearchIndexChunk));
                }
                catch (Exception e) when (!stoppingToken.IsCancellationRequested)
                {
                    // Nothing is lost: the ranges stay in the backlog, where search still finds their messages. Tried
                    // again after a pause, whether or not more is committed meanwhile.
                    LogRoundFailed(logger, e);
                    await Task.Delay(RetryPause, stoppingToken);
                    Notify();
                }
                Interlocked.Exchange(ref _roundDone, NewRound()).TrySetResult();
                await _due.Reader.ReadAsync(stoppingToken);
                // Let a few commits gather: one round indexes them all in one transaction.
                var hurry = Volatile.Read(ref _hurry);
                using (var wait = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, hurry.Token))
                {
                    await Task.Delay(options.Value.SearchIndexDelay, wait.Token).ContinueWith(static _ => { }, TaskScheduler.Default);
                }
                stoppingToken.ThrowIfCancellationRequested();
                // The old source is left to the collector: a caller may still be cancelling it.
                if (hurry.IsCancellationRequested) Interlocked.Exchange(ref _hurry, new CancellationTokenSource());
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>Indexes the first ranges of the backlog and deletes them, in one transaction; returns how many messages they held.</summary>
    private async Task<long> IndexSomeAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ParleyDb>();
        await using var flushless = await SqliteSynchronous.WithoutFlushWaitsAsync(db, cancellationToken);
        var connection = db.Database.GetDbConnection();
        using var turn = await writeGate.EnterInBackgroundAsync(db, cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        // The round's ranges: the backlog's first ones, up to about SearchIndexChunk messages, up to the cut-off (nobody else
        // writes while this transaction holds the lock).
        command.CommandText = "SELECT \"FirstId\", \"Messages\" FROM \"SearchBacklog\" ORDER BY \"FirstId\"";
        long cutoff = 0, messages = 0;
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (messages < options.Value.SearchIndexChunk && await reader.ReadAsync(cancellationToken))
            {
                cutoff = reader.GetInt64(0);
                messages += reader.GetInt64(1);
            }
        }
        if (messages == 0) return 0;
        var last = command.CreateParameter();
        last.ParameterName = "$cutoff";
        last.Value = cutoff;
        command.Parameters.Add(last);
        command.CommandText =
            "INSERT INTO \"MessageSearch\" (rowid, \"SearchText\") " +
            "SELECT m.\"Id\", m.\"SearchText\" FROM \"SearchBacklog\" b CROSS JOIN \"Messages\" m ON m.\"Id\" BETWEEN b.\"FirstId\" AND b.\"LastId\" " +
            "WHERE b.\"FirstId\" <= $cutoff AND m.\"SearchText\" IS NOT NULL;" +
            "DELETE FROM \"SearchBacklog\" WHERE \"FirstId\" <= $cutoff;";
        await command.ExecuteNonQueryAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        Operations.ParleyMetrics.SearchIndexed.Add(messages);
        return messages;
    }

    /// <summary>Merges the index's segments a few pages at a time, each step in a write turn of its own, until a step merges nothing.</summary>
    private async Task MergeAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ParleyDb>();
        await using var flushless = await SqliteSynchronous.WithoutFlushWaitsAsync(db, cancellationToken);
        var connection = db.Database.GetDbConnection();
        for (var step = 0; step < MaxMergeSteps; step++)
        {
            using var turn = await writeGate.EnterInBackgroundAsync(db, cancellationToken);
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
            await using var command = connection.CreateCommand();
            command.Transaction = transaction;
            // A step that merges nothing changes only the one row of its own statement.
            command.CommandText =
                "SELECT total_changes();" +
                $"INSERT INTO \"MessageSearch\" (\"MessageSearch\", rank) VALUES ('merge', {MergeStepPages});" +
                "SELECT total_changes();";
            long before, after;
            await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
            {
                await reader.ReadAsync(cancellationToken);
                before = reader.GetInt64(0);
                await reader.NextResultAsync(cancellationToken);
                await reader.ReadAsync(cancellationToken);
                after = reader.GetInt64(0);
            }
            await transaction.CommitAsync(cancellationToken);
            if (after - before <= 1) return;
        }
    }

    /// <summary>Leaves merging to <see cref="MergeAsync"/> (the setting is stored in the index, so once per start is plenty).</summary>
    private async Task TurnAutomergeOffAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ParleyDb>();
        await db.Database.OpenConnectionAsync(cancellationToken);
        using var turn = await writeGate.EnterInBackgroundAsync(db, cancellationToken);
        await using var command = db.Database.GetDbConnection().CreateCommand();
        command.CommandText = "INSERT INTO \"MessageSearch\" (\"MessageSearch\", rank) VALUES ('automerge', 0)";
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>
    /// Pages a merge step writes. Measured with the bench's messages in rounds of 500: 16-page steps kept the index as
    /// compact as FTS5's own merging (the same query times) at 3 ms a step (p99); 8-page steps fell behind.
    /// </summary>
    internal const int MergeStepPages = 16;

    // A bound on one round's merging, should a step keep finding work (the next round goes on).
    private const int MaxMergeSteps = 64;

    private static async Task<long> WaitingAsync(ParleyDb db, CancellationToken cancellationToken)
    {
        await db.Database.OpenConnectionAsync(cancellationToken);
        await using var command = db.Database.GetDbConnection().CreateCommand();
        command.CommandText = "SELECT coalesce(sum(\"Messages\"), 0) FROM \"SearchBacklog\"";
        return Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken), CultureInfo.InvariantCulture);
    }

    private static readonly TimeSpan RetryPause = TimeSpan.FromSeconds(5);

    private static TaskCompletionSource NewRound() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Indexing committed messages for search failed; they stay in the backlog, where search reads them, and are indexed in the next round")]
    private static partial void LogRoundFailed(ILogger logger, Exception exception);
}
