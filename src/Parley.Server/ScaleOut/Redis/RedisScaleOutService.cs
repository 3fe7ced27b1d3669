namespace Parley.Server.ScaleOut.Redis;

/// <summary>
/// The scaled-out node's lifetime: it joins (subscribes to its channels, first heartbeat) before the node serves
/// anyone, beats every <see cref="ScaleOutOptions.HeartbeatInterval"/> (renewal, reaping, reconciliation; see
/// <see cref="RedisPresenceStore.HeartbeatAsync"/>) and announces the presence changes only it can see, and at the
/// stop sends what other nodes still have to get and then says goodbye. It is registered first of the hosted
/// services, so it starts first and stops last, after the devices left and the last messages went out.
/// <para>It takes the router, relay and change feed only so that they are built, and have registered their
/// handlers with the bus, before the node subscribes.</para>
/// </summary>
public sealed partial class RedisScaleOutService(
    RedisNodeBus bus,
    RedisPresenceStore presence,
    RedisMessageRouter router,
    RedisCallRelay relay,
    RedisChangeFeed changes,
    IPresenceAnnouncer announcer,
    ILogger<RedisScaleOutService> logger) : IHostedService
{
    private readonly SemaphoreSlim _beat = new(1, 1);
    private readonly CancellationTokenSource _stopping = new();
    private Task _beating = Task.CompletedTask;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        // Built, and so registered with the bus, before it subscribes.
        _ = (router, relay, changes);
        bus.StartPump();
        try
        {
            // Joined before the node serves anyone; but Redis being down does not hold the start for long
            // (readiness says so, and the heartbeat keeps trying).
            await JoinAsync().WaitAsync(TimeSpan.FromSeconds(3), cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            LogHeartbeatFailed(logger, e);
        }
        _beating = Task.Run(HeartbeatLoopAsync, CancellationToken.None);
    }

    /// <summary>One heartbeat at a time (the first at start, then the timer's): subscribe if not yet, then beat and announce.</summary>
    private async Task JoinAsync()
    {
        IReadOnlyList<(long UserId, bool Online)> found;
        await _beat.WaitAsync();
        try
        {
            await bus.SubscribeAsync();
            found = await presence.HeartbeatAsync();
        }
        finally
        {
            _beat.Release();
        }
        foreach (var (user, online) in found) await AnnounceAsync(user, online);
    }

    private async Task HeartbeatLoopAsync()
    {
        using var timer = new PeriodicTimer(bus.Options.HeartbeatInterval);
        try
        {
            while (await timer.WaitForNextTickAsync(_stopping.Token))
            {
                try
                {
                    await JoinAsync();
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    LogHeartbeatFailed(logger, e);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task AnnounceAsync(long userId, bool online)
    {
        try
        {
            if (online) await announcer.CameOnlineAsync(userId);
            else await announcer.WentOfflineAsync(userId);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogAnnounceFailed(logger, e, userId);
        }
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync();
        await bus.BeginStopAsync();
        await _beating;
        // What other nodes still have to get goes out first, then the goodbye.
        await bus.DrainAsync(TimeSpan.FromSeconds(5), cancellationToken);
        try
        {
            var offline = await presence.GoodbyeAsync().WaitAsync(TimeSpan.FromSeconds(5), cancellationToken);
            await bus.UnsubscribeAsync();
            // Users whose devices' disconnections had not detached them already; the stream is closed by now, so
            // only this node's devices hear it (the others see them offline in Redis).
            foreach (var user in offline) await AnnounceAsync(user, online: false);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // Without a goodbye, the others reap this node when its heartbeat expires.
            LogGoodbyeFailed(logger, e);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The scale-out heartbeat failed")]
    private static partial void LogHeartbeatFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Announcing the presence of user {UserId} failed")]
    private static partial void LogAnnounceFailed(ILogger logger, Exception exception, long userId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Saying goodbye to the other nodes failed; they will reap this node when its heartbeat expires")]
    private static partial void LogGoodbyeFailed(ILogger logger, Exception exception);
}
