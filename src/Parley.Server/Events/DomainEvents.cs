using System.Collections.Concurrent;

namespace Parley.Server.Events;

/// <summary>
/// Something that happened in a feature and has already been committed: a message stored, a recall, a read
/// pointer moved, a member joined, a friendship ended, a call ended. Features raise these through
/// <see cref="DomainEvents"/>; the real-time layer (Realtime/) turns them into frames, and later webhooks and
/// push subscribe to the same events. An event names its audience (the users concerned) when the feature knows
/// it, so that subscribers need no second database read.
/// </summary>
public interface IDomainEvent;

/// <summary>A subscriber to one kind of event. Registered with <see cref="EventsSetup.AddEventHandler{TEvent, THandler}"/>.</summary>
public interface IDomainEventHandler<in TEvent> where TEvent : IDomainEvent
{
    /// <summary>
    /// Runs in the publisher's flow, so it must be quick: queue slow work (a webhook call, a push) instead of
    /// doing it here. A handler of <c>MessageStored</c> runs on the message committer's publishing loop (its second stage), which the committer waits for.
    /// </summary>
    ValueTask HandleAsync(TEvent domainEvent, CancellationToken cancellationToken);
}

/// <summary>
/// The one in-process seam between the features that change things and those that tell others about it.
/// <para><b>After commit.</b> A feature publishes an event only after the change it describes has committed to
/// the database: a subscriber never hears of something that could still roll back, and can read it back at
/// once. (Nothing is published for a change that failed.)</para>
/// <para><b>In order, in the publisher's flow.</b> <see cref="PublishAsync{TEvent}"/> calls the event's handlers
/// one after the other, in the order they were registered, and completes when all have; the events one
/// publisher raises reach each handler in the order it raised them (the committer publishes <c>MessageStored</c>
/// in seq order).</para>
/// <para><b>Best effort, isolated.</b> A handler that throws is logged and the others still run; the publisher
/// never sees the exception (its change has committed already). Subscribers that must not lose an event keep
/// their own durable record of it.</para>
/// </summary>
public sealed partial class DomainEvents(IServiceProvider services, ILogger<DomainEvents> logger)
{
    // Handlers are singletons: resolved once per event type, then a dictionary read per publish.
    private readonly ConcurrentDictionary<Type, object> _handlers = new();

    public ValueTask PublishAsync<TEvent>(TEvent domainEvent, CancellationToken cancellationToken = default) where TEvent : IDomainEvent
    {
        var handlers = Handlers<TEvent>();
        for (var i = 0; i < handlers.Length; i++)
        {
            ValueTask pending;
            try
            {
                pending = handlers[i].HandleAsync(domainEvent, cancellationToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogHandlerFailed(logger, e, typeof(TEvent).Name, handlers[i].GetType().Name);
                continue;
            }
            // The usual case (every handler done synchronously) allocates nothing; the first that is not finishes on the slow path.
            if (!pending.IsCompletedSuccessfully) return ContinueAsync(pending, handlers, i, domainEvent, cancellationToken);
        }
        return ValueTask.CompletedTask;
    }

    private async ValueTask ContinueAsync<TEvent>(
        ValueTask pending, IDomainEventHandler<TEvent>[] handlers, int index, TEvent domainEvent, CancellationToken cancellationToken)
        where TEvent : IDomainEvent
    {
        for (var i = index; i < handlers.Length; i++)
        {
            try
            {
                if (i > index) pending = handlers[i].HandleAsync(domainEvent, cancellationToken);
                await pending;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogHandlerFailed(logger, e, typeof(TEvent).Name, handlers[i].GetType().Name);
            }
        }
    }

    private IDomainEventHandler<TEvent>[] Handlers<TEvent>() where TEvent : IDomainEvent =>
        (IDomainEventHandler<TEvent>[])_handlers.GetOrAdd(typeof(TEvent),
            static (_, services) => services.GetServices<IDomainEventHandler<TEvent>>().ToArray(), services);

    [LoggerMessage(Level = LogLevel.Error, Message = "The {Handler} handler of {Event} failed")]
    private static partial void LogHandlerFailed(ILogger logger, Exception exception, string @event, string handler);
}
