using System.Data.Common;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Parley.Server.Messaging;
using Parley.Server.Storage;

namespace Parley.Server.Platform.Broadcasts;

public sealed class BroadcastOptions
{
    public const string Section = "Broadcasts";

    /// <summary>The steady rate at which a broadcast's messages are written: chat traffic's share of the database is what is left.</summary>
    public int RecipientsPerSecond { get; set; } = 2_000;

    /// <summary>
    /// Recipients per transaction (a handful of statements each, whatever the number). Small enough that the message
    /// committer, which waits for the batch in front of it on SQLite (<c>SqliteWriteGate</c>), waits only a few ms
    /// (docs/benchmarks.md: 100 added 1.9 ms to the 1:1 p99 at 2,000 msgs/s, 200 added 11.4 ms).
    /// </summary>
    public int BatchSize { get; set; } = 100;

    /// <summary>Most users one broadcast may list (<c>userIds</c>); leave the list out to reach every user.</summary>
    public int MaxUserIds { get; set; } = 10_000;

    /// <summary>How long a node holds a broadcast without progress before another node (or itself, restarted) takes it over.</summary>
    public TimeSpan LeaseTime { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How often unfinished broadcasts are looked for (posted on another node, or left by a node that stopped).</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(5);
}

/// <summary>
/// Works through unfinished broadcasts, one at a time, in batches of <see cref="BroadcastOptions.BatchSize"/> recipients
/// in user id order, paced to <see cref="BroadcastOptions.RecipientsPerSecond"/>, on its own database connection and
/// never through the message committer's queue. A node claims a broadcast with a lease; each batch's messages and the
/// broadcast's cursor move in one transaction, which commits only if the cursor is still where this node read it and
/// the lease still this node's. A stop (or a crash) loses at most the batch in flight, which was rolled back; the next
/// node to claim the broadcast resumes after the cursor, so nobody gets a second copy. See docs/platform.md.
/// </summary>
public sealed partial class BroadcastRunner(
    IServiceScopeFactory scopes, SystemConversationWriter writer, TimeProvider time, IOptions<BroadcastOptions> options,
    ILogger<BroadcastRunner> logger) : BackgroundService
{
    private readonly string _node = Guid.NewGuid().ToString("N");
    private readonly SemaphoreSlim _wake = new(0, 1);

    private BroadcastOptions Options => options.Value;

    /// <summary>The batch size, within what one statement's parameters allow on either database (5 per recipient and statement at most).</summary>
    private int BatchSize => Math.Clamp(Options.BatchSize, 1, 2_000);

    /// <summary>A broadcast was posted here: start at once rather than at the next poll.</summary>
    public void Wake()
    {
        try
        {
            if (_wake.CurrentCount == 0) _wake.Release();
        }
        catch (SemaphoreFullException)
        {
            // Already woken.
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                foreach (var id in await UnfinishedAsync(stoppingToken))
                {
                    if (await ClaimAsync(id, stoppingToken)) await RunAsync(id, stoppingToken);
                }
                await _wake.WaitAsync(Options.PollInterval, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                LogLoopFailed(logger, e);
                await Task.Delay(Options.PollInterval, time, stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }
    }

    private async Task<List<long>> UnfinishedAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ParleyDb>();
        return await db.Broadcasts.AsNoTracking().Where(b => b.CompletedAt == null).OrderBy(b => b.Id).Select(b => b.Id).ToListAsync(cancellationToken);
    }

    /// <summary>Takes the broadcast unless another live node holds it.</summary>
    private async Task<bool> ClaimAsync(long id, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ParleyDb>();
        var now = time.GetUtcNow();
        var until = now + Options.LeaseTime;
        return await db.Broadcasts
            .Where(b => b.Id == id && b.CompletedAt == null && (b.LeaseUntil == null || b.LeaseUntil < now || b.LeaseOwner == _node))
            .ExecuteUpdateAsync(set => set.SetProperty(b => b.LeaseOwner, _node).SetProperty(b => b.LeaseUntil, until), cancellationToken) == 1;
    }

    private async Task RunAsync(long id, CancellationToken stoppingToken)
    {
        var clock = Stopwatch.StartNew();
        long written = 0;
        try
        {
            while (true)
            {
                await using var scope = scopes.CreateAsyncScope();
                var db = scope.ServiceProvider.GetRequiredService<ParleyDb>();
                var broadcast = await db.Broadcasts.AsNoTracking().FirstAsync(b => b.Id == id, stoppingToken);
                if (broadcast.CompletedAt is not null) return;
                var (candidates, users) = await NextBatchAsync(db, broadcast, stoppingToken);
                if (candidates.Count == 0)
                {
                    await db.Broadcasts.Where(b => b.Id == id && b.LeaseOwner == _node).ExecuteUpdateAsync(set => set
                        .SetProperty(b => b.CompletedAt, time.GetUtcNow()).SetProperty(b => b.LeaseOwner, (string?)null)
                        .SetProperty(b => b.LeaseUntil, (DateTimeOffset?)null), CancellationToken.None);
                    LogCompleted(logger, id, broadcast.Delivered, clock.Elapsed.TotalSeconds);
                    return;
                }

                var next = candidates[^1];
                var stored = await writer.WriteAsync(db, ClientMsgIdPrefix(id), broadcast.Content, users,
                    (connection, transaction, token) => MoveCursorAsync(db, connection, transaction, broadcast, next, users.Count, token), stoppingToken);
                // Another node moved it on (this node's lease had passed): it is that node's now.
                if (stored is null) return;

                // The steady rate: this batch's share of a second, less what it took.
                written += users.Count;
                var due = TimeSpan.FromSeconds((double)written / Math.Max(1, Options.RecipientsPerSecond)) - clock.Elapsed;
                if (due > TimeSpan.Zero) await Task.Delay(due, time, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping: let the next node (or this one, started again) take it over at once.
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<ParleyDb>();
            await db.Broadcasts.Where(b => b.Id == id && b.LeaseOwner == _node)
                .ExecuteUpdateAsync(set => set.SetProperty(b => b.LeaseUntil, (DateTimeOffset?)null), CancellationToken.None);
            throw;
        }
    }

    /// <summary>One message per (broadcast, user): the unique (sender, clientMsgId) index holds each recipient to one copy.</summary>
    public static string ClientMsgIdPrefix(long broadcastId) => "broadcast:" + broadcastId.ToString(CultureInfo.InvariantCulture) + ":";

    /// <summary>The next recipients after the cursor (candidates), and those of them who still have an account.</summary>
    private async Task<(List<long> Candidates, List<long> Users)> NextBatchAsync(ParleyDb db, Broadcast broadcast, CancellationToken cancellationToken)
    {
        if (broadcast.UserIds is null)
        {
            var everyone = await db.Users.AsNoTracking().Where(u => u.Id > broadcast.Cursor && u.Id <= broadcast.UpToUserId && u.DeletedAt == null)
                .OrderBy(u => u.Id).Select(u => u.Id).Take(BatchSize).ToListAsync(cancellationToken);
            return (everyone, everyone);
        }
        var listed = JsonSerializer.Deserialize(broadcast.UserIds, BroadcastJsonContext.Default.ListInt64) ?? [];
        var candidates = listed.Where(u => u > broadcast.Cursor).Take(BatchSize).ToList();
        var users = await db.Users.AsNoTracking().Where(u => candidates.Contains(u.Id) && u.DeletedAt == null).OrderBy(u => u.Id).Select(u => u.Id).ToListAsync(cancellationToken);
        return (candidates, users);
    }

    /// <summary>In the batch's transaction: the cursor moves from where it was read, under this node's lease, or nothing is written.</summary>
    private async Task<bool> MoveCursorAsync(ParleyDb db, DbConnection connection, DbTransaction transaction, Broadcast broadcast, long next, int count,
        CancellationToken cancellationToken)
    {
        var sqlite = db is SqliteParleyDb;
        object Time(DateTimeOffset value) => sqlite ? value.ToUnixTimeMilliseconds() : value;
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "UPDATE \"Broadcasts\" SET \"Cursor\" = @next, \"Delivered\" = \"Delivered\" + @count, \"LeaseUntil\" = @until " +
            "WHERE \"Id\" = @id AND \"Cursor\" = @cursor AND \"LeaseOwner\" = @node AND \"CompletedAt\" IS NULL";
        StatementParameters.Add(command, "@next", next);
        StatementParameters.Add(command, "@count", count);
        StatementParameters.Add(command, "@until", Time(time.GetUtcNow() + Options.LeaseTime));
        StatementParameters.Add(command, "@id", broadcast.Id);
        StatementParameters.Add(command, "@cursor", broadcast.Cursor);
        StatementParameters.Add(command, "@node", _node);
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Broadcast {BroadcastId} done: {Delivered} messages in all, the last {Seconds:F1} s of it on this node")]
    private static partial void LogCompleted(ILogger logger, long broadcastId, int delivered, double seconds);

    [LoggerMessage(Level = LogLevel.Error, Message = "Running broadcasts failed; trying again at the next poll")]
    private static partial void LogLoopFailed(ILogger logger, Exception exception);
}
