using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Parley.Client;

namespace Parley.Bench;

/// <summary>
/// The failover run (<c>pairs --cluster --cross-node --kill-node2 S</c>): S seconds into the measured window, node 2,
/// which holds every receiver, is SIGKILLed. Each receiver then does what a client does after losing its socket: it
/// connects again (the next handshake that succeeds: here node 1, the one left), takes live frames again, and reads
/// the newest messages of its conversation from the history (REST), counting those it had not had
/// (<see cref="MessageRun.Recover"/>), back to one it had that was sent before the kill (node 2 delivered in order, so
/// everything older came live) and at least to a little before the kill. What the senders had acknowledged and no receiver ever got, live or
/// from the history, by the loss deadline, is lost.
/// </summary>
public sealed class Failover(ServerHost server, Setup setup, MessageRun run, IReadOnlyList<BenchUser> receivers, BenchSocket[] sockets,
    int bufferSize, double killAfterSeconds)
{
    // The history is read back to this long before the kill: frames the dying node had taken but not sent.
    private static readonly TimeSpan Margin = TimeSpan.FromSeconds(2);
    private const int PageSize = 100;

    private long _killedAt, _firstReconnectedAt = long.MaxValue, _lastReconnectedAt, _lastCaughtUpAt;
    private int _reconnects, _handshakeFailures;

    /// <summary>Waits for the moment, kills node 2, moves its receivers to node 1 and reads what they missed.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var at = run.WindowStart + (long)(killAfterSeconds * Stopwatch.Frequency);
        while (Stopwatch.GetTimestamp() < at) await Task.Delay(5, cancellationToken);
        await server.Second!.KillAsync();
        _killedAt = Stopwatch.GetTimestamp();
        Log.Info($"failover: node 2 killed {killAfterSeconds:F1} s into the window; its {receivers.Count} receivers move to node 1");
        // All at once, as devices that each notice their socket is gone.
        await Task.WhenAll(Enumerable.Range(0, receivers.Count).Select(i => MoveAsync(i, cancellationToken)));
        Log.Info($"failover: every receiver back after {Seconds(_lastReconnectedAt):F2} s, caught up after {Seconds(_lastCaughtUpAt):F2} s, "
            + $"{run.RecoveredCount} messages from the history");
    }

    private async Task MoveAsync(int i, CancellationToken cancellationToken)
    {
        // The old socket sees the kill as a reset; a client reconnects as soon as it notices.
        while (!sockets[i].Closed) await Task.Delay(5, cancellationToken);
        BenchSocket socket;
        while (true)
        {
            try
            {
                socket = await BenchSocket.ConnectAsync(server.WebSocketAddressOf(1), receivers[i].Token, setup.Handshakes, sockets[i].Index, cancellationToken);
                break;
            }
            catch (Exception e) when (e is System.Net.WebSockets.WebSocketException or HttpRequestException && !cancellationToken.IsCancellationRequested)
            {
                Interlocked.Increment(ref _handshakeFailures);
                await Task.Delay(100, cancellationToken);
            }
        }
        socket.Handler = run;
        socket.StartReceiving(bufferSize);
        sockets[i] = socket;
        Interlocked.Increment(ref _reconnects);
        var now = Stopwatch.GetTimestamp();
        Latest(ref _lastReconnectedAt, now);
        Earliest(ref _firstReconnectedAt, now);

        // Then what it missed, newest first, back to a little before the kill.
        // A pair's receiver has one conversation, with its sender. The calls are retried: node 1 is busy just now.
        var client = receivers[i].Client;
        var conversation = (await Setup.RetryAsync(() => client.ListConversationsAsync(limit: 1, cancellationToken: cancellationToken), cancellationToken))
            .Conversations[0].Id;
        var oldest = _killedAt - (long)(Margin.TotalSeconds * Stopwatch.Frequency);
        long? before = null;
        var bytes = new byte[256];
        while (true)
        {
            var page = await Setup.RetryAsync(
                () => client.GetMessagesAsync(conversation, beforeSeq: before, limit: PageSize, cancellationToken: cancellationToken), cancellationToken);
            var readAt = Stopwatch.GetTimestamp();
            var reachedOld = false;
            foreach (var message in page)
            {
                if (message.Content.ValueKind != JsonValueKind.String) continue;
                var text = message.Content.GetString()!;
                if (Encoding.UTF8.GetByteCount(text) > bytes.Length) bytes = new byte[Encoding.UTF8.GetByteCount(text)];
                var length = Encoding.UTF8.GetBytes(text, bytes);
                var missed = run.Recover(bytes.AsSpan(0, length), readAt);
                if (!missed && ParsedFrame.TryParseContent(bytes.AsSpan(0, length), run.Tag, out _, out var sentAt) && sentAt < oldest) reachedOld = true;
            }
            if (reachedOld || page.Count < PageSize) break;
            before = page.Min(m => m.Seq);
        }
        Latest(ref _lastCaughtUpAt, Stopwatch.GetTimestamp());
    }

    public void AddFigures(Figures figures) => figures
        .Add("failover_kill_at_s", "failover: node 2 SIGKILLed, into the window", killAfterSeconds, "s")
        .Add("failover_reconnected", "failover: receivers reconnected to node 1", Volatile.Read(ref _reconnects))
        .Add("failover_handshake_failures", "failover: handshakes refused on the way", Volatile.Read(ref _handshakeFailures))
        .Add("failover_first_reconnect_s", "failover: kill -> the first receiver reconnected", _lastReconnectedAt == 0 ? null : Seconds(_firstReconnectedAt), "s")
        .Add("failover_reconnect_s", "failover: kill -> the last receiver reconnected", _lastReconnectedAt == 0 ? null : Seconds(_lastReconnectedAt), "s")
        .Add("failover_caught_up_s", "failover: kill -> the last receiver caught up from the history", _lastCaughtUpAt == 0 ? null : Seconds(_lastCaughtUpAt), "s")
        .Add("failover_from_history", "failover: messages first had from the history", run.RecoveredCount)
        .Add("failover_also_live", "failover: of those, also delivered live (not duplicates)", run.AlsoLive);

    private double Seconds(long at) => (at - _killedAt) / (double)Stopwatch.Frequency;

    private static void Earliest(ref long field, long value)
    {
        var seen = Volatile.Read(ref field);
        while (value < seen)
        {
            var was = Interlocked.CompareExchange(ref field, value, seen);
            if (was == seen) return;
            seen = was;
        }
    }

    private static void Latest(ref long field, long value)
    {
        var seen = Volatile.Read(ref field);
        while (value > seen)
        {
            var was = Interlocked.CompareExchange(ref field, value, seen);
            if (was == seen) return;
            seen = was;
        }
    }
}
