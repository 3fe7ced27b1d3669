using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Parley.Server.Storage;

namespace Parley.Server.Platform.Webhooks;

public sealed class WebhookOptions
{
    public const string Section = "Webhooks";

    /// <summary>How often the outbox is looked at for due deliveries.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>At most this many requests in flight to one subscription (each carries one ordered queue: a conversation, a group).</summary>
    public int MaxConcurrencyPerEndpoint { get; set; } = 4;

    /// <summary>One attempt's time limit (Polly's timeout on the HTTP client).</summary>
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Retries go on for this long after the event, then the event is dropped (and logged).</summary>
    public TimeSpan GiveUpAfter { get; set; } = TimeSpan.FromHours(72);

    /// <summary>At most this many of one queue's due events are claimed and settled together (two writes per batch, not per event).</summary>
    public int BatchSize { get; set; } = 100;

    /// <summary>No event of a batch is sent after this long; the rest are freed for the next round (the claim's lease covers this plus one attempt).</summary>
    public TimeSpan BatchBudget { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Scales the retry schedule (tests shorten it); 1 is 1 s, 5 s, 30 s, 2 min, 10 min, 30 min, 1 h, then every 2-6 h.</summary>
    public double BackoffScale { get; set; } = 1;
}

/// <summary>
/// Delivers the outbox: each (subscription, order key) is a queue sent one event at a time in id order, so a
/// conversation's events arrive in order; queues run side by side, at most <see cref="WebhookOptions.MaxConcurrencyPerEndpoint"/>
/// per endpoint. Rows are claimed in batches before they are sent (their next attempt pushed past the batch's lease), so
/// another node or a restart after a crash picks them up later: delivery is at least once. A failure (not 2xx, a timeout) sets
/// the row's next attempt by an exponential schedule with jitter; chat never waits on any of this.
/// </summary>
public sealed partial class WebhookDispatcher(
    IServiceScopeFactory scopes, WebhookSubscriptions subscriptions, IHttpClientFactory clients, TimeProvider time,
    IOptions<WebhookOptions> options, ILogger<WebhookDispatcher> logger) : BackgroundService
{
    public const string HttpClientName = "parley-webhooks";
    private static readonly TimeSpan[] Schedule =
    [
        TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(30), TimeSpan.FromMinutes(2), TimeSpan.FromMinutes(10),
        TimeSpan.FromMinutes(30), TimeSpan.FromHours(1), TimeSpan.FromHours(2), TimeSpan.FromHours(4), TimeSpan.FromHours(6),
    ];

    private readonly ConcurrentDictionary<(long Subscription, long OrderKey), Task> _inFlight = new();
    private readonly ConcurrentDictionary<long, SemaphoreSlim> _endpointSlots = new();
    private WebhookOptions Options => options.Value;
    private volatile int _queuesDue;

    /// <summary>
    /// Loads the subscriptions before the server takes requests (hosted services start in order, after the migrations),
    /// so that no message stored right after a start misses its outbox row.
    /// </summary>
    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        Operations.ParleyMetrics.ObserveWebhookQueuesDue(() => _queuesDue);
        await subscriptions.ReloadQuietlyAsync();
        await base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var lastReload = time.GetUtcNow();
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                if (time.GetUtcNow() - lastReload > WebhookSubscriptions.RefreshInterval)
                {
                    await subscriptions.ReloadQuietlyAsync();
                    lastReload = time.GetUtcNow();
                }
                // A server with no subscription (the usual case) does not even look at the outbox.
                if (subscriptions.Any) await StartDueQueuesAsync(stoppingToken);
                await Task.Delay(Options.PollInterval, time, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e)
            {
                LogPollFailed(logger, e);
                await Task.Delay(TimeSpan.FromSeconds(1), time, stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
            }
        }
        await Task.WhenAll(_inFlight.Values).ContinueWith(_ => { }, TaskScheduler.Default);
    }

    /// <summary>The head of each queue that is due and not being sent from here already.</summary>
    private async Task StartDueQueuesAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ParleyDb>();
        var now = time.GetUtcNow();
        var heads = await db.WebhookDeliveries.AsNoTracking()
            .Where(d => d.NextAttemptAt <= now
                && !db.WebhookDeliveries.Any(o => o.SubscriptionId == d.SubscriptionId && o.OrderKey == d.OrderKey && o.Id < d.Id))
            .OrderBy(d => d.Id).Take(500).Select(d => new { d.SubscriptionId, d.OrderKey })
            .ToListAsync(cancellationToken);
        _queuesDue = heads.Count;
        foreach (var head in heads)
        {
            var key = (head.SubscriptionId, head.OrderKey);
            if (_inFlight.ContainsKey(key)) continue;
            var run = new Task<Task>(() => DrainQueueAsync(key, cancellationToken));
            if (_inFlight.TryAdd(key, run.Unwrap())) run.Start(TaskScheduler.Default);
        }
    }

    /// <summary>Sends one queue's due events in order, a batch at a time, until it is empty, or one fails (it then waits for its retry).</summary>
    private async Task DrainQueueAsync((long Subscription, long OrderKey) key, CancellationToken cancellationToken)
    {
        var slots = _endpointSlots.GetOrAdd(key.Subscription, _ => new SemaphoreSlim(Options.MaxConcurrencyPerEndpoint));
        try
        {
            await slots.WaitAsync(cancellationToken);
            try
            {
                while (!cancellationToken.IsCancellationRequested && await SendBatchAsync(key, cancellationToken))
                {
                }
            }
            finally
            {
                slots.Release();
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        catch (Exception e)
        {
            LogQueueFailed(logger, e, key.Subscription);
        }
        finally
        {
            _inFlight.TryRemove(key, out _);
        }
    }

    /// <summary>
    /// Claims the due events at the queue's head (up to <see cref="WebhookOptions.BatchSize"/>, in id order) with one
    /// write, POSTs them one at a time in order, then settles the batch with one more: the delivered rows deleted, a
    /// failed one given its next attempt, any left unsent due again at once. Two writes per batch rather than per event
    /// keep the outbox off SQLite's single write lock, which the message committer needs. True when the whole batch
    /// was delivered (look for more); false when the queue is empty or not due, or an event failed (it waits for its retry).
    /// </summary>
    private async Task<bool> SendBatchAsync((long Subscription, long OrderKey) key, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ParleyDb>();
        await using var _ = await SqliteSynchronous.WithoutFlushWaitsAsync(db, cancellationToken);
        var now = time.GetUtcNow();
        var head = await db.WebhookDeliveries.AsNoTracking()
            .Where(d => d.SubscriptionId == key.Subscription && d.OrderKey == key.OrderKey).OrderBy(d => d.Id).Take(Options.BatchSize)
            .ToListAsync(cancellationToken);
        // Only the due run at the head: nothing passes an event that waits for its retry.
        var batch = head.TakeWhile(d => d.NextAttemptAt <= now).ToList();
        if (batch.Count == 0) return false;
        var subscription = subscriptions.Find(key.Subscription);
        if (subscription is null)
        {
            await subscriptions.ReloadQuietlyAsync();
            subscription = subscriptions.Find(key.Subscription);
            if (subscription is null) return false; // Deleted: its rows go with it (cascade).
        }

        // Claim: push the next attempts past the batch's lease, so that no other node sends them meanwhile and a crash
        // before they are settled leaves them to be sent again later (at least once). The lease covers the sending
        // budget plus one whole attempt, and no attempt starts after the budget.
        var ids = batch.Select(d => d.Id).ToList();
        var lease = now + Options.BatchBudget + Options.AttemptTimeout + TimeSpan.FromSeconds(5);
        var claimed = await db.WebhookDeliveries.Where(d => ids.Contains(d.Id) && d.NextAttemptAt <= now)
            .ExecuteUpdateAsync(d => d.SetProperty(x => x.NextAttemptAt, lease), cancellationToken);
        if (claimed != batch.Count)
        {
            // Another node took part of it first: give back what this one took, and leave the queue to that node.
            await db.WebhookDeliveries.Where(d => ids.Contains(d.Id) && d.NextAttemptAt == lease)
                .ExecuteUpdateAsync(d => d.SetProperty(x => x.NextAttemptAt, now), CancellationToken.None);
            return false;
        }

        var budgetEnds = now + Options.BatchBudget;
        var delivered = 0;
        string? failure = null;
        var stopping = false;
        foreach (var row in batch)
        {
            if (delivered > 0 && time.GetUtcNow() > budgetEnds) break;
            try
            {
                var (ok, why) = await PostAsync(subscription, row, cancellationToken);
                if (!ok)
                {
                    failure = why;
                    break;
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                stopping = true;
                break;
            }
            delivered++;
        }
        await SettleAsync(db, subscription, batch, delivered, failure);
        return !stopping && failure is null && delivered == batch.Count;
    }

    /// <summary>One transaction: delete what was delivered, give the failed event its next attempt (or drop it), free the rest.</summary>
    private async Task SettleAsync(ParleyDb db, WebhookSubscription subscription, List<WebhookDelivery> batch, int delivered, string? failure)
    {
        var done = batch.Take(delivered).Select(d => d.Id).ToList();
        var failed = failure is null ? null : batch[delivered];
        var unsent = batch.Skip(delivered + (failed is null ? 0 : 1)).Select(d => d.Id).ToList();
        await using var transaction = await db.Database.BeginTransactionAsync(CancellationToken.None);
        if (failed is not null)
        {
            var attempts = failed.Attempts + 1;
            if (time.GetUtcNow() - failed.CreatedAt > Options.GiveUpAfter)
            {
                LogGaveUp(logger, failed.EventId, failed.Type, subscription.Url, attempts);
                done.Add(failed.Id);
            }
            else
            {
                var next = time.GetUtcNow() + Backoff(attempts);
                await db.WebhookDeliveries.Where(d => d.Id == failed.Id)
                    .ExecuteUpdateAsync(d => d.SetProperty(x => x.Attempts, attempts).SetProperty(x => x.NextAttemptAt, next), CancellationToken.None);
                LogAttemptFailed(logger, failed.EventId, subscription.Url, attempts, failure!, next);
            }
        }
        if (done.Count > 0) await db.WebhookDeliveries.Where(d => done.Contains(d.Id)).ExecuteDeleteAsync(CancellationToken.None);
        if (unsent.Count > 0)
        {
            var now = time.GetUtcNow();
            await db.WebhookDeliveries.Where(d => unsent.Contains(d.Id)).ExecuteUpdateAsync(d => d.SetProperty(x => x.NextAttemptAt, now), CancellationToken.None);
        }
        await transaction.CommitAsync(CancellationToken.None);
    }

    private async Task<(bool Ok, string Failure)> PostAsync(WebhookSubscription subscription, WebhookDelivery row, CancellationToken cancellationToken)
    {
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, subscription.Url)
            {
                Content = new StringContent(row.Body, Encoding.UTF8, "application/json"),
            };
            request.Headers.Add("Parley-Event-Id", row.EventId);
            request.Headers.Add("Parley-Signature", Signature(subscription.Secret, time.GetUtcNow().ToUnixTimeSeconds(), row.Body));
            using var response = await clients.CreateClient(HttpClientName).SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            return response.IsSuccessStatusCode ? (true, "") : (false, $"HTTP {(int)response.StatusCode}");
        }
        catch (Exception e) when (e is HttpRequestException or TimeoutException or Polly.Timeout.TimeoutRejectedException
            || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            return (false, e.GetType().Name);
        }
    }

    /// <summary><c>t=&lt;unix seconds&gt;,v1=&lt;lowercase hex HMAC-SHA256 of "t.body" keyed with the secret's UTF-8 bytes&gt;</c>.</summary>
    public static string Signature(string secret, long unixSeconds, string body)
    {
        var t = unixSeconds.ToString(CultureInfo.InvariantCulture);
        var mac = HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes($"{t}.{body}"));
        return $"t={t},v1={Convert.ToHexStringLower(mac)}";
    }

    /// <summary>The schedule's step for this attempt, scaled, with ±20 % jitter so that many failed events do not come back at once.</summary>
    private TimeSpan Backoff(int attempts)
    {
        var step = Schedule[Math.Min(attempts - 1, Schedule.Length - 1)];
        var jitter = 0.8 + (Random.Shared.NextDouble() * 0.4);
        return TimeSpan.FromMilliseconds(step.TotalMilliseconds * Options.BackoffScale * jitter);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Webhook event {EventId} to {Url} failed (attempt {Attempts}: {Failure}); next attempt at {NextAttempt}")]
    private static partial void LogAttemptFailed(ILogger logger, string eventId, string url, int attempts, string failure, DateTimeOffset nextAttempt);

    [LoggerMessage(Level = LogLevel.Error, Message = "Webhook event {EventId} ({Type}) to {Url} dropped after {Attempts} attempts")]
    private static partial void LogGaveUp(ILogger logger, string eventId, string type, string url, int attempts);

    [LoggerMessage(Level = LogLevel.Error, Message = "Looking for due webhook deliveries failed")]
    private static partial void LogPollFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Error, Message = "A webhook delivery queue of subscription {Subscription} failed")]
    private static partial void LogQueueFailed(ILogger logger, Exception exception, long subscription);
}
