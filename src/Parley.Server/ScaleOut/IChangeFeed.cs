namespace Parley.Server.ScaleOut;

/// <summary>
/// Small facts that every other node must hear of because they void something it remembers: a user's or group's
/// relationships moved (rights caches), a session was revoked. A fact is a topic (a short name owned by the
/// feature that publishes it, e.g. <c>social.user</c>) and an id.
/// <para>Order: a change published on this node reaches every other node before any frame this node's
/// <see cref="IMessageRouter"/> publishes after it (they travel in one ordered stream), so a device that hears of
/// a change (say <c>friend.removed</c>) finds it already in force on its own node.</para>
/// <para>Best effort, like the router: lost while the shared transport is away; features keep a short cache lifetime
/// as the back-stop. In memory (one node) there is no other node, and publishing does nothing.</para>
/// </summary>
public interface IChangeFeed
{
    /// <summary>Tells the other nodes (not this one: the publisher has already applied the change here). Never waits, never throws.</summary>
    /// <param name="topic">1 to 64 characters of <c>a-z 0-9 . _ -</c>.</param>
    void Publish(string topic, long id);

    /// <summary>
    /// Calls <paramref name="onChangeElsewhere"/> for each change of the topic published on another node, one at a
    /// time, in the stream's order. Handlers must be quick and must not throw. Subscribe at construction, before
    /// the node starts serving.
    /// </summary>
    void Subscribe(string topic, Action<long> onChangeElsewhere);
}
