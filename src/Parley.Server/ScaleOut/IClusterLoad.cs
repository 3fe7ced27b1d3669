namespace Parley.Server.ScaleOut;

/// <summary>How many WebSockets this node holds: what the feature that owns the devices (Realtime) tells the scale-out.</summary>
public interface INodeConnections
{
    int Count { get; }
}

/// <summary>The cluster's load for an operator's dashboard: users with a device connected anywhere, open sockets, live nodes.</summary>
public sealed record ClusterLoad(long OnlineUsers, long Connections, long Nodes);

/// <summary>
/// Reads <see cref="ClusterLoad"/>: on one node, its own connections; with Redis, every live node's (each publishes
/// its socket count under a key that expires with its heartbeat, and presence's per-node user sets give the online users).
/// </summary>
public interface IClusterLoad
{
    Task<ClusterLoad> ReadAsync(CancellationToken cancellationToken);
}

/// <summary>One node: everything is here.</summary>
public sealed class InMemoryClusterLoad(ILocalDelivery local, INodeConnections connections) : IClusterLoad
{
    public Task<ClusterLoad> ReadAsync(CancellationToken cancellationToken) =>
        Task.FromResult(new ClusterLoad(local.UserIds.LongCount(), connections.Count, Nodes: 1));
}
