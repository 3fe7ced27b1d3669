namespace Parley.Server.ScaleOut;

/// <summary>
/// This node's own connected devices, as the scale-out components see them (Realtime's connection registry
/// implements it). The routers deliver through it, presence asks it who is here, the call relay writes to one
/// device. Every method is quick and never waits: a device's outbox takes the frame or the device is cut off.
/// </summary>
public interface ILocalDelivery
{
    /// <summary>Writes the frame to every device of these users connected here, except the one device named (0: none).</summary>
    void Publish(IReadOnlyList<long> userIds, ReadOnlyMemory<byte> frame, long exceptConnectionId);

    /// <summary>Writes a frame to one device of a user; false when that device is not connected here.</summary>
    bool TrySend(long userId, long connectionId, ReadOnlyMemory<byte> frame);

    /// <summary>Whether the user has a device connected here.</summary>
    bool HasDevices(long userId);

    /// <summary>The users with a device here (a snapshot).</summary>
    IEnumerable<long> UserIds { get; }

    /// <summary>After a device left this node: (user, device). Handlers must be quick and must not throw.</summary>
    event Action<long, long>? DeviceLeft;
}
