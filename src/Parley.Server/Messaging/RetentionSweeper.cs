using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Parley.Server.Files;
using Parley.Server.Storage;

namespace Parley.Server.Messaging;

/// <summary>
/// Deletes expired messages (<see cref="MessageRetention"/>) for good, with their search-index entries, and hands their
/// files to <see cref="FileSweeper"/>, which deletes each once no message carries it. Readers never see an expired
/// message whether or not this has run; this takes the rows away.
/// <para>Gentle on chat: small batches (<see cref="RetentionOptions.SweepBatch"/>), each its own short statement, with a
/// pause (<see cref="RetentionOptions.SweepPause"/>) between them, found on indexes (the filtered <c>ExpiresAt</c>
/// index; for the maximum age, the primary key, whose ids are time-ordered). Seqs are never given again: a
/// conversation's <c>LastSeq</c> is not touched, so the deleted seqs stay holes.</para>
/// </summary>
public sealed partial class RetentionSweeper(
    IServiceScopeFactory scopes,
    FileSweeper files,
    IOptions<RetentionOptions> options,
    TimeProvider time,
    Events.DomainEvents events,
    ILogger<RetentionSweeper> logger) : BackgroundService
{
    private readonly SemaphoreSlim _pass = new(1, 1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.SweepInterval, time);
        do
        {
            try
            {
                await SweepAsync(stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogSweepFailed(logger, e);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    /// <summary>One pass: deletes everything expired by now, batch by batch; returns how many messages went. Passes never overlap.</summary>
    public async Task<int> SweepAsync(CancellationToken cancellationToken)
    {
        await _pass.WaitAsync(cancellationToken);
        try
        {
            var total = 0;
            while (true)
            {
                var deleted = await SweepBatchAsync(cancellationToken);
                total += deleted;
                if (deleted < options.Value.SweepBatch) break;
                await Task.Delay(options.Value.SweepPause, time, cancellationToken);
            }
            if (total > 0) LogSwept(logger, total);
            return total;
        }
        finally
        {
            _pass.Release();
        }
    }

    private async Task<int> SweepBatchAsync(CancellationToken cancellationToken)
    {
        var retention = options.Value;
        var now = time.GetUtcNow();
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ParleyDb>();

        var batch = await db.Messages.AsNoTracking()
            .Where(m => m.ExpiresAt != null && m.ExpiresAt <= now)
            .OrderBy(m => m.ExpiresAt)
            .Take(retention.SweepBatch)
            .Select(m => new Expired(m.Id, m.FileId, m.ConversationId, m.Seq))
            .ToListAsync(cancellationToken);
        if (batch.Count < retention.SweepBatch && retention.MaxAge is { } maxAge)
        {
            var cutoff = now - maxAge;
            // Ids are made just before the message is stored, so every message sent before the cutoff has an id below this one.
            var below = IdGenerator.FirstIdAt(cutoff);
            var known = batch.Select(b => b.Id).ToList();
            batch.AddRange(await db.Messages.AsNoTracking()
                .Where(m => m.Id < below && m.SentAt <= cutoff && !known.Contains(m.Id))
                .OrderBy(m => m.Id)
                .Take(retention.SweepBatch - batch.Count)
                .Select(m => new Expired(m.Id, m.FileId, m.ConversationId, m.Seq))
                .ToListAsync(cancellationToken));
        }
        if (batch.Count == 0) return 0;

        var ids = batch.Select(b => b.Id).ToList();
        await using (var transaction = await db.Database.BeginTransactionAsync(cancellationToken))
        {
            if (db is SqliteParleyDb)
            {
                // The SQLite full-text index is an external-content table: an entry goes with the text it was made from,
                // read again inside the transaction (it holds the write lock), so that an edit since the batch was read counts.
                var texts = await db.Messages.Where(m => ids.Contains(m.Id) && m.SearchText != null)
                    .Select(m => new { m.Id, m.SearchText }).ToListAsync(cancellationToken);
                foreach (var message in texts) await SearchIndexEntries.DropAsync(db, message.Id, message.SearchText!, cancellationToken);
            }
            // The holes, for the conversation list's unread count: above SweptSeq it takes the seqs without counting rows.
            // Conversations first and in id order, then messages, as the committer locks them: two writers that take
            // locks in the same order never deadlock.
            foreach (var swept in batch.GroupBy(b => b.ConversationId, (id, rows) => (Id: id, Seq: rows.Max(r => r.Seq))).OrderBy(x => x.Id))
                await db.Conversations.Where(c => c.Id == swept.Id && c.SweptSeq < swept.Seq)
                    .ExecuteUpdateAsync(c => c.SetProperty(x => x.SweptSeq, swept.Seq), cancellationToken);
            await db.Messages.Where(m => ids.Contains(m.Id)).ExecuteDeleteAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }
        foreach (var fileId in batch.Where(b => b.FileId is not null).Select(b => b.FileId!.Value).Distinct()) files.Recalled(fileId);
        await events.PublishAsync(new MessagesExpired(batch.Select(b => new ExpiredMessage(b.Id, b.ConversationId, b.Seq)).ToList()), CancellationToken.None);
        return batch.Count;
    }

    private sealed record Expired(long Id, long? FileId, long ConversationId, long Seq);

    [LoggerMessage(Level = LogLevel.Information, Message = "Retention: deleted {Count} expired messages")]
    private static partial void LogSwept(ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Error, Message = "A retention sweep failed; the next one tries again")]
    private static partial void LogSweepFailed(ILogger logger, Exception exception);
}
