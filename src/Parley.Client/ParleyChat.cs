using System.Collections.Concurrent;
using System.Text.Json;
using System.Threading.Channels;

namespace Parley.Client;

/// <summary>
/// A chat device that survives disconnections: it reconnects by itself, resends every message that has no
/// ack yet (same clientMsgId, so nothing is stored twice), and syncs each conversation from the highest seq
/// it has seen, so that it ends with every message exactly once. A live message that skips ahead (one was
/// missed while connected) makes it sync the gap at once. Messages from others, and from this user's
/// other devices, arrive on <see cref="Messages"/> (each conversation and seq once); this device's own sends
/// complete with their ack instead. Other events arrive on <see cref="Events"/>.
/// </summary>
public sealed class ParleyChat : IAsyncDisposable
{
    /// <summary>Most conversations one <c>msg.sync</c> may name (the server's default <c>Messaging:MaxSyncConversations</c>).</summary>
    public const int MaxSyncConversations = 1000;

    private readonly ParleyClient _client;
    private readonly ConcurrentDictionary<string, PendingSend> _unacked = new();
    private readonly Dictionary<string, SeqWindow> _seen = [];
    private readonly HashSet<string> _gapSyncing = [];
    private bool _catchingUp;
    private readonly Channel<MessageView> _messages = Channel.CreateUnbounded<MessageView>();
    private readonly Channel<ServerFrame> _events = Channel.CreateUnbounded<ServerFrame>();
    private readonly CancellationTokenSource _stop = new();
    private readonly SemaphoreSlim _connected = new(0);
    private ParleyRealtime? _socket;
    private Task _running = Task.CompletedTask;

    private ParleyChat(ParleyClient client) => _client = client;

    /// <summary>
    /// Messages of every conversation, each (conversation, seq) once. Live messages come in seq order; after a
    /// reconnect, a live message may come before the older ones the sync brings, so sort by seq to display.
    /// </summary>
    public ChannelReader<MessageView> Messages => _messages.Reader;

    /// <summary>Every other event (presence, read receipts, typing, errors without a request).</summary>
    public ChannelReader<ServerFrame> Events => _events.Reader;

    /// <summary>How many times the connection was made again after it dropped.</summary>
    public int Reconnects { get; private set; }

    public int Unacked => _unacked.Count;

    /// <summary>What last dropped or refused the connection (null while nothing has); for diagnostics.</summary>
    public Exception? LastError { get; private set; }

    public static async Task<ParleyChat> StartAsync(ParleyClient client, CancellationToken cancellationToken = default)
    {
        var chat = new ParleyChat(client);
        chat._running = chat.RunAsync();
        await chat._connected.WaitAsync(cancellationToken).ConfigureAwait(false);
        return chat;
    }

    /// <summary>Sends a message and completes with its ack, however many reconnections that takes.</summary>
    public Task<MessageAck> SendAsync(SendTarget to, string type, object? content, object? file = null,
        string? replyTo = null, IReadOnlyList<string>? mentions = null)
    {
        var send = new PendingSend(to, type, content, file, Guid.NewGuid().ToString("N")) { ReplyTo = replyTo, Mentions = mentions };
        _unacked[send.ClientMsgId] = send;
        _ = TrySendAsync(send);
        return send.Acked.Task;
    }

    private async Task TrySendAsync(PendingSend send)
    {
        var socket = _socket;
        if (socket is null) return;
        try
        {
            var ack = await socket.SendMessageAsync(send.To, send.Type, send.Content, send.File, send.ClientMsgId, send.ReplyTo, send.Mentions)
                .ConfigureAwait(false);
            // The sending device has its own message already; it counts as seen, so a sync does not bring it back.
            Seen(ack.ConversationId, ack.Seq);
            if (_unacked.TryRemove(send.ClientMsgId, out _)) send.Acked.TrySetResult(ack);
        }
        catch (ParleyRealtimeException e) when (e.Code != "rate_limited" && e.Code != "not_stored")
        {
            // Refused for good (not friends, muted, malformed): resending would not help.
            if (_unacked.TryRemove(send.ClientMsgId, out _)) send.Acked.TrySetException(e);
        }
        catch (Exception e) when (e is ParleyRealtimeException or TimeoutException)
        {
            // Slowed down, not stored, or no answer in time: try again on this connection after a pause
            // (and, in any case, after the next reconnection: the send stays in _unacked until acked).
            _ = RetryLaterAsync(send);
        }
        catch (Exception e) when (e is System.Net.WebSockets.WebSocketException or OperationCanceledException)
        {
            // The connection is gone: resent after the next reconnection.
        }
    }

    private async Task RetryLaterAsync(PendingSend send)
    {
        var attempt = Interlocked.Increment(ref send.Retries);
        try
        {
            await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(100 * attempt, 2000)), _stop.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return;
        }
        if (_unacked.ContainsKey(send.ClientMsgId)) await TrySendAsync(send).ConfigureAwait(false);
    }

    private async Task RunAsync()
    {
        var delay = TimeSpan.FromMilliseconds(100);
        while (!_stop.IsCancellationRequested)
        {
            ParleyRealtime? socket = null;
            Task pump = Task.CompletedTask;
            try
            {
                socket = await ParleyRealtime.ConnectAsync(_client, _stop.Token).ConfigureAwait(false);
                _socket = socket;
                delay = TimeSpan.FromMilliseconds(100);
                pump = PumpAsync(socket);
                await CatchUpAsync(socket).ConfigureAwait(false);
                if (_connected.CurrentCount == 0) _connected.Release();
                await pump.ConfigureAwait(false);
            }
            catch (Exception) when (_stop.IsCancellationRequested)
            {
                // Disposed meanwhile: DisposeAsync closed the socket under a catch-up or a connect.
                return;
            }
            catch (Exception e)
            {
                // Whatever it was (a dropped connection, a timeout, a connect cancelled by the HTTP stack, a frame this
                // SDK could not read), the device must not die silently: it reconnects below, after a pause.
                LastError = e;
            }
            finally
            {
                // Whatever went wrong, this socket is finished with: close it, so no connection is left behind.
                _socket = null;
                if (socket is not null) await socket.DisposeAsync().ConfigureAwait(false);
                try
                {
                    await pump.ConfigureAwait(false);
                }
                catch (Exception e)
                {
                    if (!_stop.IsCancellationRequested) LastError = e;
                }
            }
            if (_stop.IsCancellationRequested) return;
            try
            {
                await Task.Delay(delay, _stop.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            delay = TimeSpan.FromMilliseconds(Math.Min(delay.TotalMilliseconds * 2, 2000));
            Reconnects++;
        }
    }

    /// <summary>After (re)connecting: fetch what was missed, then resend what was never acknowledged.</summary>
    private async Task CatchUpAsync(ParleyRealtime socket)
    {
        Dictionary<string, long> known;
        lock (_seen)
        {
            // The catch-up syncs every known conversation from its first gap: live gaps wait for it.
            _catchingUp = true;
            known = _seen.ToDictionary(kv => kv.Key, kv => kv.Value.Contiguous);
        }
        // Everything unread first (it brings conversations this device has never seen), then each known
        // conversation from where this device is; what both bring passes once.
        await socket.RequestAsync("msg.sync", new { }, TimeSpan.FromSeconds(60)).ConfigureAwait(false);
        // The server takes at most MaxSyncConversations (1,000) conversations a frame (docs/protocol.md, "Syncing").
        foreach (var chunk in known.Chunk(MaxSyncConversations))
            await socket.RequestAsync("msg.sync", new { conversations = chunk.ToDictionary(kv => kv.Key, kv => kv.Value) }, TimeSpan.FromSeconds(60)).ConfigureAwait(false);
        lock (_seen) _catchingUp = false;
        foreach (var send in _unacked.Values.OrderBy(s => s.Order)) _ = TrySendAsync(send);
    }

    private async Task PumpAsync(ParleyRealtime socket)
    {
        await foreach (var frame in socket.Events.ReadAllAsync().ConfigureAwait(false))
        {
            switch (frame.Type)
            {
                case "msg.new":
                    var message = frame.Data.Deserialize<MessageView>(ParleyClient.JsonOptions)!;
                    var highest = Highest(message.ConversationId);
                    Deliver(message);
                    if (message.Seq > highest + 1 && highest > 0) SyncGap(socket, message.ConversationId, highest);
                    break;
                case "msg.batch":
                    foreach (var item in frame.Data.GetProperty("messages").EnumerateArray())
                        Deliver(item.Deserialize<MessageView>(ParleyClient.JsonOptions)!);
                    break;
                default:
                    _events.Writer.TryWrite(frame);
                    break;
            }
        }
    }

    /// <summary>
    /// A live message that skips ahead of the highest seq seen in its conversation means some were missed (a frame
    /// dropped between nodes, or a node that died between storing and delivering): what follows that seq is synced
    /// at once, without waiting for a reconnect (docs/protocol.md, "Server to client (events)"), one sync per
    /// conversation at a time. A conversation seen for the first time has nothing to skip, so its older history is
    /// never fetched; holes that no sync fills (messages deleted for me) lie below the highest seq and are never asked for.
    /// </summary>
    private void SyncGap(ParleyRealtime socket, string conversationId, long after)
    {
        lock (_seen)
        {
            // The reconnect's catch-up syncs every known conversation: gaps wait for it.
            if (_catchingUp || !_gapSyncing.Add(conversationId)) return;
        }
        _ = SyncGapAsync(socket, conversationId, after);
    }

    /// <summary>The highest seq seen in a conversation; 0 when none.</summary>
    private long Highest(string conversationId)
    {
        lock (_seen) return _seen.TryGetValue(conversationId, out var window) ? window.Highest : 0;
    }

    private async Task SyncGapAsync(ParleyRealtime socket, string conversationId, long after)
    {
        try
        {
            await socket.RequestAsync("msg.sync", new { conversations = new Dictionary<string, long> { [conversationId] = after } }, TimeSpan.FromSeconds(60)).ConfigureAwait(false);
        }
        catch (Exception e) when (e is System.Net.WebSockets.WebSocketException or TimeoutException or ParleyRealtimeException or ObjectDisposedException or OperationCanceledException)
        {
            // The connection dropped: the reconnect's catch-up syncs from the same place.
        }
        finally
        {
            lock (_seen) _gapSyncing.Remove(conversationId);
        }
    }

    private void Deliver(MessageView message)
    {
        // This device's own send, brought by a sync before its ack came: it completes with the ack, not here.
        if (message.SenderId == _client.UserId && _unacked.ContainsKey(message.ClientMsgId))
        {
            Seen(message.ConversationId, message.Seq);
            return;
        }
        // A sync and a live msg.new may carry the same message, in either order: each seq passes once.
        if (Seen(message.ConversationId, message.Seq)) _messages.Writer.TryWrite(message);
    }

    /// <summary>Records a seq; false when it was seen before.</summary>
    private bool Seen(string conversationId, long seq)
    {
        lock (_seen)
        {
            if (!_seen.TryGetValue(conversationId, out var window)) _seen[conversationId] = window = new SeqWindow();
            return window.Add(seq);
        }
    }

    /// <summary>
    /// The seqs seen in one conversation: everything up to <see cref="Contiguous"/>, plus any seen beyond a gap.
    /// Syncing from <see cref="Contiguous"/> fills the gaps.
    /// </summary>
    private sealed class SeqWindow
    {
        private readonly SortedSet<long> _beyond = [];
        public long Contiguous { get; private set; }

        /// <summary>The highest seq seen.</summary>
        public long Highest { get; private set; }

        public bool Add(long seq)
        {
            Highest = Math.Max(Highest, seq);
            if (seq <= Contiguous || !_beyond.Add(seq)) return false;
            while (_beyond.Count > 0 && _beyond.Min == Contiguous + 1)
            {
                Contiguous++;
                _beyond.Remove(Contiguous);
            }
            return true;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        if (_socket is { } socket) await socket.DisposeAsync().ConfigureAwait(false);
        try
        {
            await _running.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
        _stop.Dispose();
        _connected.Dispose();
    }

    private sealed class PendingSend(SendTarget to, string type, object? content, object? file, string clientMsgId)
    {
        private static long _counter;
        public long Order { get; } = Interlocked.Increment(ref _counter);
        public SendTarget To { get; } = to;
        public string Type { get; } = type;
        public object? Content { get; } = content;
        public object? File { get; } = file;
        public string ClientMsgId { get; } = clientMsgId;
        public string? ReplyTo { get; init; }
        public IReadOnlyList<string>? Mentions { get; init; }
        public int Retries;
        public TaskCompletionSource<MessageAck> Acked { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
