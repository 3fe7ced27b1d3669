using System.Net;
using System.Text.Json;
using Lib.Net.Http.WebPush;
using Lib.Net.Http.WebPush.Authentication;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Parley.Server.Events;
using Parley.Server.Storage;

namespace Parley.Server.Push;

/// <summary>
/// Hands each notification to its address: Web Push subscriptions get an encrypted message (RFC 8291, aes128gcm;
/// RFC 8030 with TTL, urgency and a per-conversation topic, so that a push service holding an undelivered
/// notification replaces it) signed with the cluster's VAPID key; an address the push service answers 404 or 410
/// for is dropped. fcm and apns addresses are raised as <see cref="PushRequested"/> for the operator's provider.
/// Nothing of a notification's content, and no endpoint URL (a capability), is logged.
/// </summary>
public sealed partial class PushDelivery(
    IHttpClientFactory httpClients, VapidKeys keys, IOptions<PushOptions> options, IServiceScopeFactory scopes, DomainEvents events,
    ILogger<PushDelivery> logger)
{
    public const string HttpClientName = "push";

    private PushServiceClient? _client;

    private long _sent;
    private long _failed;
    private long _dropped;

    /// <summary>Web Push messages the push services accepted.</summary>
    public long Sent => Interlocked.Read(ref _sent);

    /// <summary>Web Push messages that failed (the service answered an error, or could not be reached).</summary>
    public long Failed => Interlocked.Read(ref _failed);

    /// <summary>Subscriptions dropped because their push service answered 404 or 410.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    public async Task SendAsync(IReadOnlyList<PushNotification> notifications, CancellationToken cancellationToken)
    {
        if (notifications.Count == 0) return;
        var client = await ClientAsync(cancellationToken);
        await Parallel.ForEachAsync(notifications,
            new ParallelOptions { MaxDegreeOfParallelism = options.Value.MaxConcurrentSends, CancellationToken = cancellationToken },
            async (notification, token) =>
            {
                if (notification.Address.Kind == PushKinds.Web) await SendWebAsync(client, notification, token);
                else await events.PublishAsync(new PushRequested(notification.Address.UserId, notification.Address.Kind, notification.Address.Address, notification.Payload), token);
            });
    }

    private async Task SendWebAsync(PushServiceClient client, PushNotification notification, CancellationToken cancellationToken)
    {
        var address = notification.Address;
        var subscription = new PushSubscription { Endpoint = address.Address };
        subscription.SetKey(PushEncryptionKeyName.P256DH, address.P256dh!);
        subscription.SetKey(PushEncryptionKeyName.Auth, address.Auth!);
        var payload = notification.Payload;
        var message = new PushMessage(JsonSerializer.Serialize(payload, PushJsonContext.Default.PushPayload))
        {
            // RFC 8030 topics are at most 32 URL-safe characters: one per conversation (or call) folds undelivered ones.
            Topic = payload.CallId is { } call ? "call" + call : "c" + payload.ConversationId,
            Urgency = notification.Urgent ? PushMessageUrgency.High : PushMessageUrgency.Normal,
            TimeToLive = notification.Urgent ? 60 : (int)options.Value.TimeToLive.TotalSeconds,
        };
        try
        {
            await client.RequestPushMessageDeliveryAsync(subscription, message, cancellationToken);
            Interlocked.Increment(ref _sent);
        }
        catch (PushServiceClientException e) when (e.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.Gone)
        {
            Interlocked.Increment(ref _dropped);
            await DropAsync(address.Id, cancellationToken);
        }
        catch (Exception e) when (e is PushServiceClientException or HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            Interlocked.Increment(ref _failed);
            LogFailed(logger, new Uri(address.Address).Host, (e as PushServiceClientException)?.StatusCode is { } status ? (int)status : 0, e.GetType().Name);
        }
    }

    private async Task DropAsync(long subscriptionId, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ParleyDb>();
        await db.PushSubscriptions.Where(s => s.Id == subscriptionId).ExecuteDeleteAsync(cancellationToken);
    }

    private async ValueTask<PushServiceClient> ClientAsync(CancellationToken cancellationToken)
    {
        if (_client is { } ready) return ready;
        var (publicKey, privateKey) = await keys.GetAsync(cancellationToken);
        return _client = new PushServiceClient(httpClients.CreateClient(HttpClientName))
        {
            DefaultAuthentication = new VapidAuthentication(publicKey, privateKey) { Subject = options.Value.VapidSubject },
            DefaultAuthenticationScheme = VapidAuthenticationScheme.Vapid,
            AutoRetryAfter = false,
        };
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "A push to {Host} failed ({Status}, {Error}); the notification is skipped")]
    private static partial void LogFailed(ILogger logger, string host, int status, string error);
}
