namespace Parley.Server.ScaleOut;

/// <summary>
/// Whether a user has at least one connected device. In memory, this node's connections; with Redis, every
/// node's. A user is online from their first device's connection until their last device's disconnection;
/// a node that dies without saying goodbye stops counting when its entries expire (Redis implementation).
/// </summary>
public interface IPresenceStore
{
    bool IsOnline(long userId);
}
