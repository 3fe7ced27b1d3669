using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Parley.Server.Events;

public static class EventsSetup
{
    public static IServiceCollection AddDomainEvents(this IServiceCollection services)
    {
        services.TryAddSingleton<DomainEvents>();
        return services;
    }

    /// <summary>
    /// Subscribes <typeparamref name="THandler"/> (a singleton; one instance may handle several events) to
    /// <typeparamref name="TEvent"/>. Handlers run in registration order.
    /// </summary>
    public static IServiceCollection AddEventHandler<TEvent, THandler>(this IServiceCollection services)
        where TEvent : IDomainEvent
        where THandler : class, IDomainEventHandler<TEvent>
    {
        services.AddDomainEvents();
        services.TryAddSingleton<THandler>();
        services.AddSingleton<IDomainEventHandler<TEvent>>(sp => sp.GetRequiredService<THandler>());
        return services;
    }
}
