using System.Collections.Concurrent;
using Parley.Server.Accounts;
using Parley.Server.ScaleOut;

namespace Parley.Server.Realtime;

/// <summary>
/// The WebSocket connections open on this node, by user. Sharded by the dictionary's own locking; a user's
/// device list is copied on change (devices come and go rarely, frames are sent often). It is the
/// <see cref="ILocalDelivery"/> through which the routers, presence and call relay of ScaleOut reach this node's devices.
/// </summary>
public sealed class LocalConnections : ILocalDelivery, INodeConnections
{
    private readonly ConcurrentDictionary<long, Connection[]> _byUser = new();

    public LocalConnections(SessionRevocations revocations) =>
        // A token's session is checked at the handshake; a session that ends later closes its open sockets too.
        revocations.SessionRevoked += CloseSession;

    private void CloseSession(long sessionId)
    {
        foreach (var devices in _byUser.Values)
            foreach (var device in devices)
                if (device.SessionId == sessionId) device.Close(System.Net.WebSockets.WebSocketCloseStatus.PolicyViolation, "session ended");
    }

    public int Count => _byUser.Values.Sum(devices => devices.Length);

    /// <summary>After a device is added (on the thread that added it). Handlers must be quick and must not throw.</summary>
    public event Action<Connection>? DeviceAdded;

    /// <summary>After a device is removed (on the thread that removed it). Handlers must be quick and must not throw.</summary>
    public event Action<Connection>? DeviceRemoved;

    /// <inheritdoc />
    public event Action<long, long>? DeviceLeft;

    /// <summary>Adds a device; true when it is the user's first on this node.</summary>
    public bool Add(Connection connection)
    {
        var first = false;
        _byUser.AddOrUpdate(connection.UserId,
            _ => { first = true; return [connection]; },
            (_, devices) => { first = devices.Length == 0; return [.. devices, connection]; });
        Operations.ParleyMetrics.Connections.Add(1);
        DeviceAdded?.Invoke(connection);
        return first;
    }

    /// <summary>Removes a device; true when it was the user's last on this node.</summary>
    public bool Remove(Connection connection)
    {
        var last = RemoveDevice(connection);
        Operations.ParleyMetrics.Connections.Add(-1);
        DeviceRemoved?.Invoke(connection);
        DeviceLeft?.Invoke(connection.UserId, connection.Id);
        return last;
    }

    private bool RemoveDevice(Connection connection)
    {
        while (_byUser.TryGetValue(connection.UserId, out var devices))
        {
            var rest = devices.Where(d => d != connection).ToArray();
            if (rest.Length == 0)
            {
                if (_byUser.TryRemove(new KeyValuePair<long, Connection[]>(connection.UserId, devices))) return true;
            }
            else if (_byUser.TryUpdate(connection.UserId, rest, devices))
            {
                return false;
            }
        }
        return false;
    }

    /// <summary>The user's devices on this node, oldest first (a snapshot).</summary>
    public Connection[] DevicesOf(long userId) => _byUser.TryGetValue(userId, out var devices) ? devices : [];

    /// <summary>Whether the user has a device connected to this node.</summary>
    public bool HasDevices(long userId) => _byUser.ContainsKey(userId);

    /// <summary>The users with a device on this node (a snapshot, for reconciliation).</summary>
    public IEnumerable<long> UserIds => _byUser.Keys;

    /// <summary>Writes a frame to one device of a user (never waits); false when that device is not connected here.</summary>
    public bool TrySend(long userId, long connectionId, ReadOnlyMemory<byte> frame)
    {
        if (!_byUser.TryGetValue(userId, out var devices)) return false;
        foreach (var device in devices)
        {
            if (device.Id != connectionId) continue;
            device.Enqueue(frame);
            return true;
        }
        return false;
    }

    public void Publish(IReadOnlyList<long> userIds, ReadOnlyMemory<byte> frame, long exceptConnectionId = 0)
    {
        var handed = 0;
        for (var i = 0; i < userIds.Count; i++)
        {
            if (!_byUser.TryGetValue(userIds[i], out var devices)) continue;
            foreach (var device in devices)
            {
                if (device.Id == exceptConnectionId) continue;
                device.Enqueue(frame);
                handed++;
            }
        }
        // One counter update per fan-out, and only for messages (local ones and those from other nodes meet here).
        if (handed > 0 && DeliveryCount.IsNewMessage(frame.Span)) Operations.ParleyMetrics.MessagesDelivered.Add(handed);
    }
}
