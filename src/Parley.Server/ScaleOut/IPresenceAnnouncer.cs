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
