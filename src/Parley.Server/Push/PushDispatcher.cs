namespace Parley.Server.Push;

/// <summary>
/// The push loop: takes queued triggers in batches, keeps the members who should be told (<see cref="PushAudience"/>),
/// folds bursts (<see cref="PushFolder"/>), and when a fold window closes writes and sends the notifications. A
/// ringing call is sent at once. Runs apart from chat: a slow push service delays only other notifications.
/// On shutdown, what is still folding is sent before the loop ends.
/// </summary>
public sealed partial class PushDispatcher(
    PushNotifier notifier, PushAudience audience, PushComposer composer, PushDelivery delivery, Microsoft.Extensions.Options.IOptions<PushOptions> options,
    TimeProvider time, ILogger<PushDispatcher> logger) : BackgroundService
{
    private const int MaxBatch = 1024;

    private readonly PushFolder _folder = new(options.Value.FoldWindow);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var reader = notifier.Triggers;
        Operations.ParleyMetrics.ObservePushBacklog(() => reader.Count);
        Task<bool>? readable = null;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                readable ??= reader.WaitToReadAsync(stoppingToken).AsTask();
                if (_folder.NextDue is { } due)
                {
                    var wait = due - time.GetUtcNow();
                    if (wait > TimeSpan.Zero) await Task.WhenAny(readable, Task.Delay(wait, time, stoppingToken));
                }
                else
                {
                    await readable;
                }
                if (readable.IsCompleted)
                {
                    if (!await readable) break;
                    readable = null;
                    await TakeTriggersAsync(stoppingToken);
                }
                await delivery.SendAsync(await composer.ForMessagesAsync(_folder.TakeDue(time.GetUtcNow()), stoppingToken), stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e)
            {
                // The database or presence may be away for a moment: the notifications of this round are lost, not the loop.
                LogRoundFailed(logger, e);
                readable = null;
            }
        }
    }

    private async Task TakeTriggersAsync(CancellationToken cancellationToken)
    {
        var messages = new List<MessageTrigger>();
        while (messages.Count < MaxBatch && notifier.Triggers.TryRead(out var trigger))
        {
            switch (trigger)
            {
                case MessageTrigger message:
                    messages.Add(message);
                    break;
                case CallTrigger call when await audience.IsOfflineAsync(call.Call.CalleeId, cancellationToken):
                    await delivery.SendAsync(await composer.ForCallAsync(call.Call, cancellationToken), cancellationToken);
                    break;
            }
        }
        if (messages.Count == 0) return;
        var now = time.GetUtcNow();
        foreach (var item in await audience.ForMessagesAsync(messages, cancellationToken)) _folder.Add(item, now);
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        notifier.Complete();
        await base.StopAsync(cancellationToken);
        try
        {
            await delivery.SendAsync(await composer.ForMessagesAsync(_folder.TakeDue(time.GetUtcNow(), everything: true), cancellationToken), cancellationToken);
        }
        catch (Exception e) when (e is OperationCanceledException or HttpRequestException)
        {
            // Out of time: what was folding is not sent.
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "A round of push notifications failed")]
    private static partial void LogRoundFailed(ILogger logger, Exception exception);
}
