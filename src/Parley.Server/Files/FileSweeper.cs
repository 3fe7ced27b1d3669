using System.Text.RegularExpressions;
using System.Threading.Channels;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Parley.Server.Storage;

namespace Parley.Server.Files;

/// <summary>The sweeper's clock: the server's, except in tests, which put a fake one here to pass the grace without waiting.</summary>
public sealed record FilesClock(TimeProvider Time);

/// <summary>
/// Deletes stored files nothing refers to any more (docs/files.md, "Deleting files"): the row and the bytes on disk.
/// A file is kept while any message carries it (<c>Messages.FileId</c>, or a merged forward's <c>ForwardedFiles</c> row: a recall clears it, so only messages that are
/// not recalled count) or a profile's <c>avatar</c> or a group's <c>icon</c> names its URL (<c>/api/v1/files/{id}</c>).
/// <list type="bullet">
/// <item>Uploads no message carries are deleted once they are older than <see cref="FilesOptions.OrphanGrace"/> (a
/// client uploads first and sends after, maybe much later), by a pass every <see cref="FilesOptions.SweepInterval"/>.</item>
/// <item>A file whose message was recalled is deleted without waiting for the grace, as soon as the sweeper has
/// seen the recall (<see cref="Recalled"/>), if no other message carries it. Should the server stop before that, the
/// next timed pass after the grace deletes it as an upload nothing carries.</item>
/// </list>
/// Passes never overlap (one lock), so a test may run one with <see cref="SweepAsync"/> while the timer runs.
/// </summary>
public sealed partial class FileSweeper(
    IServiceScopeFactory scopes,
    IFileStore store,
    FilesClock clock,
    IOptions<FilesOptions> options,
    ILogger<FileSweeper> logger) : BackgroundService
{
    /// <summary>Files looked at per query of a timed pass.</summary>
    public const int Batch = 500;

    private readonly Channel<long> _recalled = Channel.CreateUnbounded<long>(new UnboundedChannelOptions { SingleReader = false });
    private readonly SemaphoreSlim _pass = new(1, 1);

    /// <summary>A message carrying this file was recalled: the file goes at once unless another message still carries it.</summary>
    public void Recalled(long fileId) => _recalled.Writer.TryWrite(fileId);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var interval = options.Value.SweepInterval;
        using var timer = interval > TimeSpan.Zero ? new PeriodicTimer(interval, clock.Time) : null;
        Task<bool> tick = timer is null ? new TaskCompletionSource<bool>().Task : timer.WaitForNextTickAsync(stoppingToken).AsTask();
        Task<bool> recall = _recalled.Reader.WaitToReadAsync(stoppingToken).AsTask();
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                var woke = await Task.WhenAny(tick, recall);
                try
                {
                    if (woke == tick)
                    {
                        if (!await tick) return;
                        tick = timer!.WaitForNextTickAsync(stoppingToken).AsTask();
                        await SweepAsync(stoppingToken);
                    }
                    else
                    {
                        if (!await recall) return;
                        recall = _recalled.Reader.WaitToReadAsync(stoppingToken).AsTask();
                        await SweepRecalledAsync(stoppingToken);
                    }
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    // The database was away, say: the next pass tries again; nothing was deleted that is still used.
                    LogPassFailed(logger, e);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>One whole pass: the files of recalled messages, then every upload past the grace that nothing carries. Returns how many went.</summary>
    public async Task<int> SweepAsync(CancellationToken cancellationToken)
    {
        await _pass.WaitAsync(cancellationToken);
        try
        {
            var deleted = await DeleteRecalledAsync(cancellationToken);
            var cutoff = clock.Time.GetUtcNow() - options.Value.OrphanGrace;
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<ParleyDb>();
            HashSet<long>? pictures = null;
            var after = 0L;
            while (true)
            {
                // Keyset over the primary key; each file an index probe on IX_Messages_FileId.
                var candidates = await db.Files.AsNoTracking()
                    .Where(f => f.Id > after && f.CreatedAt < cutoff && !db.Messages.Any(m => m.FileId == f.Id) && !db.ForwardedFiles.Any(r => r.FileId == f.Id))
                    .OrderBy(f => f.Id)
                    .Select(f => new Candidate(f.Id, f.StorageName))
                    .Take(Batch)
                    .ToListAsync(cancellationToken);
                if (candidates.Count == 0) break;
                pictures ??= await PictureFileIdsAsync(db, cancellationToken);
                deleted += await DeleteAsync(db, candidates.Where(c => !pictures.Contains(c.Id)), cancellationToken);
                if (candidates.Count < Batch) break;
                after = candidates[^1].Id;
            }
            if (deleted > 0) LogSwept(logger, deleted);
            return deleted;
        }
        finally
        {
            _pass.Release();
        }
    }

    private async Task SweepRecalledAsync(CancellationToken cancellationToken)
    {
        await _pass.WaitAsync(cancellationToken);
        try
        {
            var deleted = await DeleteRecalledAsync(cancellationToken);
            if (deleted > 0) LogSwept(logger, deleted);
        }
        finally
        {
            _pass.Release();
        }
    }

    /// <summary>The files of the recalls seen since the last pass that no message carries any more, whatever their age.</summary>
    private async Task<int> DeleteRecalledAsync(CancellationToken cancellationToken)
    {
        var ids = new HashSet<long>();
        while (_recalled.Reader.TryRead(out var id)) ids.Add(id);
        if (ids.Count == 0) return 0;
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ParleyDb>();
        var deleted = 0;
        foreach (var chunk in ids.Chunk(Batch))
        {
            var candidates = await db.Files.AsNoTracking()
                .Where(f => chunk.Contains(f.Id) && !db.Messages.Any(m => m.FileId == f.Id) && !db.ForwardedFiles.Any(r => r.FileId == f.Id))
                .Select(f => new Candidate(f.Id, f.StorageName))
                .ToListAsync(cancellationToken);
            if (candidates.Count == 0) continue;
            var pictures = await PictureFileIdsAsync(db, cancellationToken);
            deleted += await DeleteAsync(db, candidates.Where(c => !pictures.Contains(c.Id)), cancellationToken);
        }
        return deleted;
    }

    /// <summary>
    /// Each file goes in one statement that checks again that no message carries it (a send may have stored one since
    /// the candidates were read), then its bytes. The row first: a crash in between leaves bytes nothing names, never a
    /// row whose bytes are gone.
    /// </summary>
    private async Task<int> DeleteAsync(ParleyDb db, IEnumerable<Candidate> candidates, CancellationToken cancellationToken)
    {
        var deleted = 0;
        foreach (var candidate in candidates)
        {
            var id = candidate.Id;
            var gone = await db.Files.Where(f => f.Id == id && !db.Messages.Any(m => m.FileId == id) && !db.ForwardedFiles.Any(r => r.FileId == id)).ExecuteDeleteAsync(cancellationToken);
            if (gone == 0) continue;
            deleted++;
            try
            {
                await store.DeleteAsync(candidate.StorageName, cancellationToken);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidOperationException or Amazon.Runtime.AmazonServiceException)
            {
                LogBytesLeft(logger, e, id);
            }
        }
        return deleted;
    }

    /// <summary>
    /// Uploads named by a profile picture or a group icon (<c>…/api/v1/files/{id}</c>, any prefix or query after it):
    /// one scan of each table for the URL's path, only in a pass that found something to delete.
    /// </summary>
    private static async Task<HashSet<long>> PictureFileIdsAsync(ParleyDb db, CancellationToken cancellationToken)
    {
        var urls = await db.Users.AsNoTracking().Where(u => u.Avatar != null && u.Avatar.Contains(FilesPath)).Select(u => u.Avatar!)
            .Concat(db.Groups.AsNoTracking().Where(g => g.Icon != null && g.Icon.Contains(FilesPath)).Select(g => g.Icon!))
            .ToListAsync(cancellationToken);
        var ids = new HashSet<long>();
        foreach (var url in urls)
        {
            foreach (Match match in FileUrl().Matches(url))
                if (long.TryParse(match.Groups[1].ValueSpan, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var id))
                    ids.Add(id);
        }
        return ids;
    }

    private const string FilesPath = "/api/v1/files/";

    private sealed record Candidate(long Id, string StorageName);

    [GeneratedRegex(@"/api/v1/files/(\d{1,19})")]
    private static partial Regex FileUrl();

    [LoggerMessage(Level = LogLevel.Information, Message = "Deleted {Count} stored files that nothing refers to any more")]
    private static partial void LogSwept(ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Stored file {FileId} was deleted, but its bytes could not be removed from disk")]
    private static partial void LogBytesLeft(ILogger logger, Exception exception, long fileId);

    [LoggerMessage(Level = LogLevel.Error, Message = "A pass of the file sweeper failed; the next one tries again")]
    private static partial void LogPassFailed(ILogger logger, Exception exception);
}
