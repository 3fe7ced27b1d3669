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

    /// <summary>Scales the retry schedule (tests shorten it); 1 is 1 s, 5 s, 30 s, 2 min, 10 min, 30 min, 1 h, then every 2-6 h.</summary>
    public double BackoffScale { get; set; } = 1;
}

/// <summary>
/// Delivers the outbox: each (subscription, order key) is a queue sent one event at a time in id order, so a
/// conversation's events arrive in order; queues run side by side, at most <see cref="WebhookOptions.MaxConcurrencyPerEndpoint"/>
/// per endpoint. A row is claimed before it is sent (its next attempt pushed past the attempt's lease), so another
/// node or a restart after a crash picks it up later: delivery is at least once. A failure (not 2xx, a timeout) sets
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

    /// <summary>Sends one queue's due events in order until it is empty, or one fails (it then waits for its retry).</summary>
    private async Task DrainQueueAsync((long Subscription, long OrderKey) key, CancellationToken cancellationToken)
    {
        var slots = _endpointSlots.GetOrAdd(key.Subscription, _ => new SemaphoreSlim(Options.MaxConcurrencyPerEndpoint));
        try
        {
            await slots.WaitAsync(cancellationToken);
            try
            {
                while (!cancellationToken.IsCancellationRequested && await SendNextAsync(key, cancellationToken))
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

    /// <summary>True when the queue's head was delivered (go on with the next), false when it is empty, not due or failed.</summary>
    private async Task<bool> SendNextAsync((long Subscription, long OrderKey) key, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ParleyDb>();
        var now = time.GetUtcNow();
        var row = await db.WebhookDeliveries.AsNoTracking()
            .Where(d => d.SubscriptionId == key.Subscription && d.OrderKey == key.OrderKey).OrderBy(d => d.Id)
            .FirstOrDefaultAsync(cancellationToken);
        if (row is null || row.NextAttemptAt > now) return false;
        var subscription = subscriptions.Find(row.SubscriptionId);
        if (subscription is null)
        {
            await subscriptions.ReloadQuietlyAsync();
            subscription = subscriptions.Find(row.SubscriptionId);
            if (subscription is null) return false; // Deleted: its rows go with it (cascade).
        }

        // Claim: push the next attempt past this one's lease, so that no other node sends it meanwhile and a crash
        // before the answer leaves it to be sent again later.
        var lease = now + Options.AttemptTimeout + TimeSpan.FromSeconds(5);
        var claimed = await db.WebhookDeliveries.Where(d => d.Id == row.Id && d.NextAttemptAt == row.NextAttemptAt)
            .ExecuteUpdateAsync(d => d.SetProperty(x => x.NextAttemptAt, lease), cancellationToken);
        if (claimed == 0) return false;

        var (ok, failure) = await PostAsync(subscription, row, cancellationToken);
        if (ok)
        {
            await db.WebhookDeliveries.Where(d => d.Id == row.Id).ExecuteDeleteAsync(CancellationToken.None);
            return true;
        }
        var attempts = row.Attempts + 1;
        if (time.GetUtcNow() - row.CreatedAt > Options.GiveUpAfter)
        {
            LogGaveUp(logger, row.EventId, row.Type, subscription.Url, attempts);
            await db.WebhookDeliveries.Where(d => d.Id == row.Id).ExecuteDeleteAsync(CancellationToken.None);
            return true;
        }
        var next = time.GetUtcNow() + Backoff(attempts);
        await db.WebhookDeliveries.Where(d => d.Id == row.Id)
            .ExecuteUpdateAsync(d => d.SetProperty(x => x.Attempts, attempts).SetProperty(x => x.NextAttemptAt, next), CancellationToken.None);
        LogAttemptFailed(logger, row.EventId, subscription.Url, attempts, failure, next);
        return false;
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
