namespace Parley.Server.ScaleOut;

/// <summary>One node: the router is this node's own devices. Order per publisher holds because delivery is synchronous.</summary>
public sealed class InMemoryMessageRouter(ILocalDelivery local) : IMessageRouter
{
    public void Publish(IReadOnlyList<long> userIds, ReadOnlyMemory<byte> frame, long exceptConnectionId = 0) =>
        local.Publish(userIds, frame, exceptConnectionId);
}
