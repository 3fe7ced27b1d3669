using System.Collections.Concurrent;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;

namespace Parley.Client;

/// <summary>A frame pushed by the server (an event) or a reply that nobody awaited.</summary>
public sealed record ServerFrame(string Type, string? Id, JsonElement Data)
{
    /// <summary>The frame's data as one of the SDK's models (for events, see Models/Events.cs).</summary>
    public T As<T>() => Data.Deserialize<T>(ParleyClient.JsonOptions) ?? throw new InvalidOperationException($"The {Type} frame has no data.");
}

/// <summary>
/// One device's WebSocket to the server: requests with an <c>id</c> are matched to their replies; events
/// arrive on <see cref="Events"/>. <see cref="SendMessageAsync"/> picks a clientMsgId and waits for the ack.
/// </summary>
public sealed class ParleyRealtime : IAsyncDisposable
{
    private readonly ClientWebSocket _socket = new();
    private readonly ConcurrentDictionary<string, TaskCompletionSource<ServerFrame>> _waiting = new();
    private readonly Channel<ServerFrame> _events = Channel.CreateUnbounded<ServerFrame>();
    private readonly SemaphoreSlim _sendLock = new(1, 1);
    private readonly CancellationTokenSource _stop = new();
    private Task _reading = Task.CompletedTask;
    private long _nextId;

    /// <summary>Events and unmatched frames, in the order the server sent them.</summary>
    public ChannelReader<ServerFrame> Events => _events.Reader;

    public WebSocketState State => _socket.State;
    public WebSocketCloseStatus? CloseStatus => _socket.CloseStatus;

    public static async Task<ParleyRealtime> ConnectAsync(ParleyClient client, CancellationToken cancellationToken = default)
    {
        var http = client.BaseAddress;
        var uri = new UriBuilder(http) { Scheme = http.Scheme == "https" ? "wss" : "ws", Path = http.AbsolutePath.TrimEnd('/') + "/ws" }.Uri;
        var realtime = new ParleyRealtime();
        realtime._socket.Options.SetRequestHeader("Authorization", $"Bearer {client.AccessToken ?? throw new InvalidOperationException("Not signed in.")}");
        await realtime._socket.ConnectAsync(uri, cancellationToken).ConfigureAwait(false);
        realtime._reading = realtime.ReadLoopAsync();
        return realtime;
    }

    /// <summary>Sends a request and waits for the reply with the same id (an <c>error</c> reply throws <see cref="ParleyRealtimeException"/>).</summary>
    public async Task<ServerFrame> RequestAsync(string type, object? data, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        var id = Interlocked.Increment(ref _nextId).ToString(System.Globalization.CultureInfo.InvariantCulture);
        var reply = new TaskCompletionSource<ServerFrame>(TaskCreationOptions.RunContinuationsAsynchronously);
        _waiting[id] = reply;
        try
        {
            await SendFrameAsync(type, id, data, cancellationToken).ConfigureAwait(false);
            var frame = await reply.Task.WaitAsync(timeout ?? TimeSpan.FromSeconds(10), cancellationToken).ConfigureAwait(false);
            if (frame.Type == "error") throw ParleyRealtimeException.From(frame);
            return frame;
        }
        finally
        {
            _waiting.TryRemove(id, out _);
        }
    }

    /// <summary>
    /// Sends a message and returns the server's ack (its id, conversation and seq). <paramref name="replyTo"/> quotes a message
    /// of the same conversation; <paramref name="mentions"/> lists member ids, or <c>"all"</c> (groups only).
    /// </summary>
    /// <summary><c>msg.edit</c>: edits my text message; the reply is <c>ok</c>, and every member's devices get <c>msg.edited</c>.</summary>
    public Task<ServerFrame> EditMessageAsync(string conversationId, string messageId, string content, CancellationToken cancellationToken = default) =>
        RequestAsync("msg.edit", new { conversationId, messageId, content }, cancellationToken: cancellationToken);

    /// <summary><c>msg.send</c> with <c>forwardOf</c>: forwards one message I can see.</summary>
    public async Task<MessageAck> ForwardMessageAsync(SendTarget to, ForwardRef forwardOf, string? clientMsgId = null, CancellationToken cancellationToken = default)
    {
        var frame = await RequestAsync("msg.send", new { to, clientMsgId = clientMsgId ?? Guid.NewGuid().ToString("N"), forwardOf },
            cancellationToken: cancellationToken).ConfigureAwait(false);
        return frame.Data.Deserialize<MessageAck>(ParleyClient.JsonOptions)!;
    }

    /// <summary><c>msg.send</c> with type <c>forward</c>: a merged forward of messages of one conversation.</summary>
    public async Task<MessageAck> ForwardMergedAsync(SendTarget to, MergedForwardRef forward, string? clientMsgId = null, CancellationToken cancellationToken = default)
    {
        var frame = await RequestAsync("msg.send", new { to, clientMsgId = clientMsgId ?? Guid.NewGuid().ToString("N"), type = "forward", forward },
            cancellationToken: cancellationToken).ConfigureAwait(false);
        return frame.Data.Deserialize<MessageAck>(ParleyClient.JsonOptions)!;
    }

    public async Task<MessageAck> SendMessageAsync(SendTarget to, string type, object? content, object? file = null, string? clientMsgId = null,
        string? replyTo = null, IEnumerable<string>? mentions = null, CancellationToken cancellationToken = default)
    {
        var frame = await RequestAsync("msg.send",
            new { to, clientMsgId = clientMsgId ?? Guid.NewGuid().ToString("N"), type, content, file, replyTo, mentions = mentions?.ToList() },
            cancellationToken: cancellationToken).ConfigureAwait(false);
        return frame.Data.Deserialize<MessageAck>(ParleyClient.JsonOptions)!;
    }

    /// <summary>Moves my read pointer in a conversation forward (never back); returns where it now is.</summary>
    public async Task<long> MarkReadAsync(string conversationId, long seq, CancellationToken cancellationToken = default)
    {
        var frame = await RequestAsync("msg.read", new { conversationId, seq }, cancellationToken: cancellationToken).ConfigureAwait(false);
        return frame.Data.GetProperty("seq").GetInt64();
    }

    /// <summary>Calls a friend (<paramref name="media"/>: audio or video); returns the call's id. Events follow: call.ringing, then call.accepted or call.ended.</summary>
    public async Task<string> InviteCallAsync(string userId, string media, CancellationToken cancellationToken = default)
    {
        var frame = await RequestAsync("call.invite", new { to = new { userId }, media }, cancellationToken: cancellationToken).ConfigureAwait(false);
        return frame.Data.GetProperty("callId").GetString()!;
    }

    /// <summary>Accepts an incoming call on this device, which becomes the call's active device on the callee's side.</summary>
    public Task AcceptCallAsync(string callId, CancellationToken cancellationToken = default) =>
        RequestAsync("call.accept", new { callId }, cancellationToken: cancellationToken);

    public Task RejectCallAsync(string callId, CancellationToken cancellationToken = default) =>
        RequestAsync("call.reject", new { callId }, cancellationToken: cancellationToken);

    /// <summary>Cancels a call still ringing (the caller) or hangs up a connected one (either party's active device).</summary>
    public Task HangupCallAsync(string callId, CancellationToken cancellationToken = default) =>
        RequestAsync("call.hangup", new { callId }, cancellationToken: cancellationToken);

    /// <summary>
    /// Takes a call over on this device (after a reconnect or a reload, see <see cref="CallStateData"/>): it becomes its user's
    /// active device in the call; once connected, the other party's active device gets <c>call.resumed</c>.
    /// </summary>
    public Task ResumeCallAsync(string callId, CancellationToken cancellationToken = default) =>
        RequestAsync("call.resume", new { callId }, cancellationToken: cancellationToken);

    /// <summary>Relays an SDP offer/answer or an ICE candidate (any JSON) to the other party's active device.</summary>
    public Task SignalAsync(string callId, object? sdp = null, object? candidate = null, CancellationToken cancellationToken = default) =>
        RequestAsync("call.signal", new Dictionary<string, object?> { ["callId"] = callId, ["sdp"] = sdp, ["candidate"] = candidate }
            .Where(kv => kv.Value is not null).ToDictionary(kv => kv.Key, kv => kv.Value), cancellationToken: cancellationToken);

    /// <summary>Sends a raw text frame as it is (for testing how the server treats bad input).</summary>
    public async Task SendRawAsync(string text, CancellationToken cancellationToken = default)
    {
        await _sendLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await _socket.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, true, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _sendLock.Release();
        }
    }

    /// <summary>The next event of the given type, skipping others; throws after the timeout.</summary>
    public async Task<ServerFrame> NextEventAsync(string type, TimeSpan? timeout = null)
    {
        using var cancel = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(10));
        while (true)
        {
            var frame = await _events.Reader.ReadAsync(cancel.Token).ConfigureAwait(false);
            if (frame.Type == type) return frame;
        }
    }

    /// <summary>The next event of the given type, read as <typeparamref name="T"/> (call events: <see cref="CallRingingData"/>, <see cref="CallEndedData"/> …).</summary>
    public async Task<T> NextEventAsync<T>(string type, TimeSpan? timeout = null) =>
        (await NextEventAsync(type, timeout).ConfigureAwait(false)).Data.Deserialize<T>(ParleyClient.JsonOptions)!;

    private Task SendFrameAsync(string type, string? id, object? data, CancellationToken cancellationToken) =>
        SendRawAsync(JsonSerializer.Serialize(new { type, id, data = data ?? new { } }, ParleyClient.JsonOptions), cancellationToken);

    private async Task ReadLoopAsync()
    {
        var buffer = new byte[64 * 1024];
        var message = new MemoryStream();
        try
        {
            while (_socket.State == WebSocketState.Open)
            {
                var result = await _socket.ReceiveAsync(buffer, _stop.Token).ConfigureAwait(false);
                if (result.MessageType == WebSocketMessageType.Close) break;
                message.Write(buffer, 0, result.Count);
                if (!result.EndOfMessage) continue;
                var frame = Parse(message.GetBuffer().AsSpan(0, (int)message.Length));
                message.SetLength(0);
                if (frame.Id is not null && _waiting.TryGetValue(frame.Id, out var waiter)) waiter.TrySetResult(frame);
                else _events.Writer.TryWrite(frame);
            }
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException)
        {
        }
        finally
        {
            _events.Writer.TryComplete();
            foreach (var waiter in _waiting.Values) waiter.TrySetException(new WebSocketException("The connection closed."));
        }
    }

    private static ServerFrame Parse(ReadOnlySpan<byte> json)
    {
        using var document = JsonDocument.Parse(json.ToArray());
        var root = document.RootElement;
        return new ServerFrame(
            root.GetProperty("type").GetString()!,
            root.TryGetProperty("id", out var id) ? id.GetString() : null,
            root.TryGetProperty("data", out var data) ? data.Clone() : default);
    }

    /// <summary>Waits until the server closes the connection (for tests of idle timeouts and abuse).</summary>
    public Task Closed => _reading;

    private int _disposed;

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1) return;
        try
        {
            if (_socket.State == WebSocketState.Open)
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                await _socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "bye", timeout.Token).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException)
        {
        }
        await _stop.CancelAsync().ConfigureAwait(false);
        try
        {
            await _reading.ConfigureAwait(false);
        }
        catch (Exception)
        {
            // The read loop died on a frame it could not read; that was seen through Closed. Disposing goes on.
        }
        _socket.Dispose();
        _stop.Dispose();
        _sendLock.Dispose();
    }
}

public sealed class ParleyRealtimeException(string code, string message) : Exception($"{code}: {message}")
{
    public string Code { get; } = code;

    internal static ParleyRealtimeException From(ServerFrame frame) =>
        new(frame.Data.GetProperty("code").GetString() ?? "error", frame.Data.TryGetProperty("message", out var m) ? m.GetString() ?? "" : "");
}
