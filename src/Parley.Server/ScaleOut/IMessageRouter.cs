namespace Parley.Server.ScaleOut;

/// <summary>
/// Delivers an encoded frame to every connected device of some users, wherever they are connected: the
/// in-memory router reaches this node's connections; a Redis router (with <c>ConnectionStrings:Redis</c>)
/// reaches every node's.
/// <para>Guarantee: best effort, at most once. A device that is offline, or is cut off for reading too slowly,
/// misses the frame; the store is the source of truth and the device catches up with <c>msg.sync</c>.</para>
/// <para>Ordering: frames published by one caller reach each device in the order they were published.
/// The message committer is the only publisher of <c>msg.new</c>, so devices see each conversation in seq order.</para>
/// </summary>
public interface IMessageRouter
{
    /// <param name="userIds">Recipients, each once (a user listed twice gets the frame twice).</param>
    /// <param name="frame">The frame, serialised once for all recipients.</param>
    /// <param name="exceptConnectionId">A device that already has the message (for example the sender's own, which got the ack), or 0.</param>
    void Publish(IReadOnlyList<long> userIds, ReadOnlyMemory<byte> frame, long exceptConnectionId = 0);
}
