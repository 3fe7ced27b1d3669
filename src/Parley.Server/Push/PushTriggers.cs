using System.Threading.Channels;
using Microsoft.Extensions.Options;
using Parley.Server.Calls;
using Parley.Server.Events;
using Parley.Server.Messaging;

namespace Parley.Server.Push;

/// <summary>Something that may be worth a notification to members who have no connected device.</summary>
public abstract record PushTrigger;

/// <summary>A stored message; <see cref="Recipients"/> are the conversation's members, the sender included.</summary>
public sealed record MessageTrigger(Message Message, IReadOnlyList<long> Recipients) : PushTrigger;

/// <summary>A call that rings.</summary>
public sealed record CallTrigger(CallRinging Call) : PushTrigger;

/// <summary>
/// Hears of stored messages and ringing calls and queues them for <see cref="PushDispatcher"/>. It runs on the
/// message committer's publishing loop and under a call's lock, so it only writes into a bounded queue: when the queue is full
/// the trigger is dropped and counted (a notification is a courtesy; chat must not wait for push services).
/// The event is raised on the node that stored the message or rang the call, so exactly one node pushes each.
/// </summary>
public sealed partial class PushNotifier(IOptions<PushOptions> options, ILogger<PushNotifier> logger)
    : IDomainEventHandler<MessageStored>, IDomainEventHandler<CallRinging>
{
    private readonly Channel<PushTrigger> _queue = Channel.CreateBounded<PushTrigger>(
        new BoundedChannelOptions(options.Value.QueueCapacity) { SingleReader = true, FullMode = BoundedChannelFullMode.DropWrite });

    private long _dropped;

    public ChannelReader<PushTrigger> Triggers => _queue.Reader;

    public long Dropped => Interlocked.Read(ref _dropped);

    public ValueTask HandleAsync(MessageStored stored, CancellationToken cancellationToken)
    {
        // A conversation of one (notes to self) or a message only its sender receives wakes nobody.
        if (stored.Recipients.Count > 1) Enqueue(new MessageTrigger(stored.Message, stored.Recipients));
        return ValueTask.CompletedTask;
    }

    public ValueTask HandleAsync(CallRinging ringing, CancellationToken cancellationToken)
    {
        Enqueue(new CallTrigger(ringing));
        return ValueTask.CompletedTask;
    }

    /// <summary>Ends the queue: the dispatcher sends what is in it and stops.</summary>
    public void Complete() => _queue.Writer.TryComplete();

    private void Enqueue(PushTrigger trigger)
    {
        if (_queue.Writer.TryWrite(trigger)) return;
        Operations.ParleyMetrics.PushDropped.Add(1);
        if (Interlocked.Increment(ref _dropped) % 1000 == 1) LogQueueFull(logger, _dropped);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The push queue is full; {Dropped} notifications dropped so far")]
    private static partial void LogQueueFull(ILogger logger, long dropped);
}
