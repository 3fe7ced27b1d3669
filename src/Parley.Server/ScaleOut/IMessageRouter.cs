namespace Parley.Server.ScaleOut;

/// <summary>
/// Delivers an encoded frame to every connected device of some users, wherever they are connected: the
/// in-memory router reaches this node's connections; a Redis router (with <c>ConnectionStrings:Redis</c>)
/// reaches every node's.
/// <para>Guarantee: best effort, at most once. A device that is offline, or is cut off for reading too slowly,
/// misses the frame; the store is the source of truth and the device catches up with <c>msg.sync</c>.</para>
/// <para>Ordering: frames published by one caller reach each device in the order they were published, on every
/// node. The message committer is the only publisher of <c>msg.new</c> on its node, so devices see the messages
/// committed by one node in seq order; with several nodes writing to one conversation, a device may see a message
/// committed on another node before an earlier-seq one committed on its own (seqs stay gapless in the store; a
/// client that sees a gap syncs, see docs/protocol.md).</para>
/// </summary>
public interface IMessageRouter
{
    /// <param name="userIds">Recipients, each once (a user listed twice gets the frame twice).</param>
    /// <param name="frame">The frame, serialised once for all recipients.</param>
    /// <param name="exceptConnectionId">A device that already has the message (for example the sender's own, which got the ack), or 0.</param>
    void Publish(IReadOnlyList<long> userIds, ReadOnlyMemory<byte> frame, long exceptConnectionId = 0);

    /// <summary>
    /// Back-pressure for heavy publishers (the message writer): completes when the router has room again. In memory
    /// there is nothing to wait for (a slow device is cut off instead); the Redis router waits while its outbox to
    /// other nodes is mostly full. Lighter publishers (typing, presence) do not wait: past the bound their frames to
    /// other nodes are dropped.
    /// </summary>
    ValueTask WaitForRoomAsync(CancellationToken cancellationToken) => ValueTask.CompletedTask;
}
