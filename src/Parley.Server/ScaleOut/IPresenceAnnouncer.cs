namespace Parley.Server.ScaleOut;

/// <summary>
/// Tells a user's friends that the user came online or went offline. The gateway announces what its own devices
/// do; the Redis presence also announces what only it can see: the users of a node that died without goodbye
/// (reaped), or routes that a heartbeat found out of step. Realtime implements it.
/// </summary>
public interface IPresenceAnnouncer
{
    Task CameOnlineAsync(long userId);

    Task WentOfflineAsync(long userId);
}

/// <summary>
/// A user came online (their first device anywhere) or went offline (their last), raised once per change in the
/// cluster by the node that announces it, for subscribers other than the user's friends (the <c>user.online</c> and
/// <c>user.offline</c> webhooks).
/// </summary>
public sealed record UserPresenceChanged(long UserId, bool Online) : Events.IDomainEvent;
