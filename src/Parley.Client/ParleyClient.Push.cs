namespace Parley.Client;

public sealed partial class ParleyClient
{
    public Task<VapidPublicKeyView> GetVapidPublicKeyAsync(CancellationToken cancellationToken = default) =>
        SendAsync<VapidPublicKeyView>(HttpMethod.Get, "api/v1/push/web/vapid-public-key", null, cancellationToken, authenticated: false);

    /// <summary>Registers this device's Web Push subscription (the browser's endpoint, P-256 key and auth secret, base64url).</summary>
    public Task<PushSubscriptionView> SubscribeWebPushAsync(string endpoint, string p256dh, string auth, CancellationToken cancellationToken = default) =>
        SendAsync<PushSubscriptionView>(HttpMethod.Post, "api/v1/push/subscriptions", new { kind = "web", endpoint, keys = new { p256dh, auth } }, cancellationToken);

    /// <summary>Registers this device's fcm or apns token, for the operator's own push provider.</summary>
    public Task<PushSubscriptionView> SubscribeMobilePushAsync(string kind, string token, CancellationToken cancellationToken = default) =>
        SendAsync<PushSubscriptionView>(HttpMethod.Post, "api/v1/push/subscriptions", new { kind, token }, cancellationToken);

    public Task UnsubscribePushAsync(string endpointOrToken, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Delete, "api/v1/push/subscriptions",
            endpointOrToken.Contains("://", StringComparison.Ordinal) ? new { endpoint = endpointOrToken } : new { token = endpointOrToken }, cancellationToken);
}
