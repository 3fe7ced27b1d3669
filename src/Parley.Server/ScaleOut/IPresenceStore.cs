namespace Parley.Server.ScaleOut;

/// <summary>
/// Whether users have at least one connected device. In memory (one node), this node's connections; with Redis,
/// every node's. A user is online from their first device's connection on any node until their last device's
/// disconnection on every node; a node that dies without saying goodbye stops counting once its heartbeat
/// expires (<c>ScaleOut:NodeTtl</c>), and its users go offline then.
/// </summary>
public interface IPresenceStore
{
    /// <summary>
    /// After a device was added to this node's connections. True when the user has just come online (no other
    /// device anywhere), so the caller announces it. Never throws: presence is a courtesy.
    /// </summary>
    /// <param name="firstHere">Whether it is the user's first device on this node.</param>
    ValueTask<bool> DeviceAddedAsync(long userId, bool firstHere);

    /// <summary>After a device was removed from this node's connections. True when the user has just gone offline everywhere. Never throws.</summary>
    /// <param name="lastHere">Whether it was the user's last device on this node.</param>
    ValueTask<bool> DeviceRemovedAsync(long userId, bool lastHere);

    /// <summary>Those of <paramref name="userIds"/> who are online (one round trip at most). When presence cannot be read, the unknown are left out.</summary>
    ValueTask<IReadOnlySet<long>> OnlineAsync(IReadOnlyCollection<long> userIds, CancellationToken cancellationToken);
}
