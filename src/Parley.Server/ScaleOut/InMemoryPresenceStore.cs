namespace Parley.Server.ScaleOut;

/// <summary>One node: a user is online while they have a device here.</summary>
public sealed class InMemoryPresenceStore(ILocalDelivery local) : IPresenceStore
{
    public ValueTask<bool> DeviceAddedAsync(long userId, bool firstHere) => ValueTask.FromResult(firstHere);

    public ValueTask<bool> DeviceRemovedAsync(long userId, bool lastHere) => ValueTask.FromResult(lastHere);

    public ValueTask<IReadOnlySet<long>> OnlineAsync(IReadOnlyCollection<long> userIds, CancellationToken cancellationToken) =>
        ValueTask.FromResult<IReadOnlySet<long>>(userIds.Where(local.HasDevices).ToHashSet());
}
