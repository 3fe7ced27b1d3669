using System.Collections.Concurrent;

namespace Parley.Server.ScaleOut.Redis;

/// <summary>
/// The change feed across nodes: a change is an encoded C record (<see cref="Envelopes.Change"/>) in this node's
/// ordered stream (<see cref="RedisNodeBus"/>), which the Publish script puts in the envelope of every other node,
/// in order with the frames around it. So on every node a change is applied before the frames published after it
/// are delivered (a removed friend's <c>friend.removed</c> never arrives before the right to post is void there).
/// </summary>
public sealed partial class RedisChangeFeed : IChangeFeed
{
    private readonly RedisNodeBus _bus;
    private readonly ILogger<RedisChangeFeed> _logger;
    private readonly ConcurrentDictionary<string, Action<long>[]> _subscribers = new(StringComparer.Ordinal);

    public RedisChangeFeed(RedisNodeBus bus, ILogger<RedisChangeFeed> logger)
    {
        _bus = bus;
        _logger = logger;
        bus.On<ChangeRecord>(record =>
        {
            Apply(record);
            return ValueTask.CompletedTask;
        });
    }

    public void Publish(string topic, long id) => _bus.EnqueueChange(Envelopes.Change(topic, id));

    public void Subscribe(string topic, Action<long> onChangeElsewhere)
    {
        ChangeTopics.Check(topic);
        _subscribers.AddOrUpdate(topic, _ => [onChangeElsewhere], (_, handlers) => [.. handlers, onChangeElsewhere]);
    }

    private void Apply(ChangeRecord change)
    {
        if (!_subscribers.TryGetValue(change.Topic, out var handlers)) return;
        foreach (var handler in handlers)
        {
            try
            {
                handler(change.Id);
            }
            catch (Exception e)
            {
                LogChangeFailed(_logger, e, change.Topic, change.Id);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Applying the change {Topic} {Id} from another node failed")]
    private static partial void LogChangeFailed(ILogger logger, Exception exception, string topic, long id);
}
