namespace Parley.Server.Push;

/// <summary>The <c>Push</c> configuration section (docs/push.md).</summary>
public sealed class PushOptions
{
    public const string Section = "Push";

    /// <summary>Send "New message" instead of a preview of the message: nothing of what was said leaves through a push service.</summary>
    public bool HideContent { get; set; }

    /// <summary>
    /// Also accept <c>http</c> endpoints on 127.0.0.1 and ::1. For tests only: push endpoints are addresses that users
    /// supply, so by default only <c>https</c> on public addresses is accepted (no request forgery into the operator's network).
    /// </summary>
    public bool AllowLoopbackEndpoints { get; set; }

    /// <summary>
    /// The VAPID key pair (RFC 8292), unpadded base64url: the public key an uncompressed P-256 point, the private key its
    /// 32-byte scalar. Both or neither; when neither, a pair is made once and kept in the database for every node.
    /// </summary>
    public string? VapidPublicKey { get; set; }

    public string? VapidPrivateKey { get; set; }

    /// <summary>The contact the push services see in the VAPID token (a <c>mailto:</c> or <c>https:</c> URL).</summary>
    public string VapidSubject { get; set; } = "mailto:push@parley.invalid";

    /// <summary>Messages of one conversation arriving within this time after the first become one notification.</summary>
    public TimeSpan FoldWindow { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How long a push service keeps trying to reach a device that is off.</summary>
    public TimeSpan TimeToLive { get; set; } = TimeSpan.FromHours(12);

    /// <summary>Push addresses one user may have (one per signed-in device; old ones are dropped when their session ends).</summary>
    public int MaxSubscriptionsPerUser { get; set; } = 20;

    /// <summary>Notifications waiting to be sent; beyond this the newest are dropped (and logged) rather than slowing chat.</summary>
    public int QueueCapacity { get; set; } = 50_000;

    /// <summary>Requests to push services in flight at once from this node.</summary>
    public int MaxConcurrentSends { get; set; } = 16;
}
