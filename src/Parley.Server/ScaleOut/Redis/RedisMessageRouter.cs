namespace Parley.Server.ScaleOut.Redis;

/// <summary>
/// The router across nodes (docs/architecture.md, "Scale-out"): a publish reaches this node's devices at once and
/// goes into the node's ordered stream (<see cref="RedisNodeBus"/>), which the Publish script fans out to the
/// nodes where the recipients have devices (the routes that <see cref="RedisPresenceStore"/> writes). Frames are
/// serialised once and never copied per recipient or per node. Frames that other nodes publish for this node's
/// devices arrive as F records and are delivered here in order.
/// </summary>
public sealed class RedisMessageRouter : IMessageRouter
{
    private readonly RedisNodeBus _bus;
    private readonly ILocalDelivery _local;

    public RedisMessageRouter(RedisNodeBus bus, ILocalDelivery local)
    {
        _bus = bus;
        _local = local;
        bus.On<FramesRecord>(record =>
        {
            // A slice of the received array: the frame is not copied again on its way to the devices.
            local.Publish(record.Users, record.Frame, record.Except);
            return ValueTask.CompletedTask;
        });
    }

    public void Publish(IReadOnlyList<long> userIds, ReadOnlyMemory<byte> frame, long exceptConnectionId = 0)
    {
        if (userIds.Count == 0) return;
        _local.Publish(userIds, frame, exceptConnectionId);
        // The list is the caller's: copied, as the pump reads it later.
        _bus.EnqueueFrames([.. userIds], frame, exceptConnectionId);
    }

    /// <summary>Waits while the outbox to other nodes is mostly full, so that the message writer slows down instead of dropping frames.</summary>
    public ValueTask WaitForRoomAsync(CancellationToken cancellationToken) => _bus.WaitForRoomAsync(cancellationToken);
}
