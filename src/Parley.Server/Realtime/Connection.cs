using System.Buffers;
using System.Net.WebSockets;

namespace Parley.Server.Realtime;

/// <summary>
/// One device's WebSocket: a read loop that hands whole text frames to the gateway, and an outbox of frames for the
/// socket. Fan-out never waits on a device: a device whose outbox is full is cut off at once (aborted: its socket is
/// full, so not even a close frame would get through) and catches up with <c>msg.sync</c> when it reconnects, so one
/// slow reader slows nobody else.
/// <para>The outbox costs an idle device nothing: its queue is made with the first frame and dropped once empty, and
/// no write loop waits on it. The first frame queued schedules a drain on the thread pool, which alone writes to the
/// socket and ends when the queue is empty (a bounded channel and a write loop parked on it cost about 1 KiB per
/// connection, an eighth of an idle connection: docs/benchmarks.md).</para>
/// </summary>
public sealed class Connection(long id, long userId, long sessionId, WebSocket socket, int outboxCapacity, int maxFrameBytes)
    : IDevice, IThreadPoolWorkItem
{
    private readonly Lock _lock = new();
    private readonly CancellationTokenSource _closing = new();

    // All guarded by _lock.
    private Queue<ReadOnlyMemory<byte>>? _queue;
    private bool _draining;
    private TaskCompletionSource? _room;
    private ReadOnlyMemory<byte> _reply;
    private bool _replyWaiting;
    private TaskCompletionSource? _finished;
    private string? _closeReason;
    private bool _aborted;
    private WebSocketCloseStatus _closeStatus = WebSocketCloseStatus.NormalClosure;

    public long Id { get; } = id;
    public long UserId { get; } = userId;

    /// <summary>The sign-in session of the token the device connected with.</summary>
    public long SessionId { get; } = sessionId;

    /// <summary>For fan-out: never waits; a full outbox disconnects the device.</summary>
    public void Enqueue(ReadOnlyMemory<byte> frame)
    {
        bool full, drain = false;
        lock (_lock)
        {
            // Once closing, frames are dropped: the device syncs when it reconnects.
            if (_closeReason is not null) return;
            full = !HasRoom;
            if (!full) drain = Add(frame);
        }
        if (drain) ScheduleDrain();
        if (!full) return;
        Operations.ParleyMetrics.DeviceCutoffs.Add(1);
        Abort(WebSocketCloseStatus.EndpointUnavailable, "slow consumer: reconnect and sync");
    }

    /// <summary>
    /// For replies to this device's own requests: waits for room, so a large sync paces itself. Once the
    /// connection is closing, frames are dropped: the device gets what it missed by syncing after reconnecting.
    /// </summary>
    public async ValueTask SendAsync(ReadOnlyMemory<byte> frame)
    {
        while (true)
        {
            Task? room = null;
            bool drain = false, handedOver = false;
            lock (_lock)
            {
                if (_closeReason is not null) return;
                if (HasRoom)
                {
                    drain = Add(frame);
                }
                else
                {
                    if (!_replyWaiting)
                    {
                        // The drain queues it in the first slot it frees, ahead of fan-out frames that come later.
                        _reply = frame;
                        _replyWaiting = handedOver = true;
                    }
                    room = (_room ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task;
                }
            }
            if (room is null)
            {
                if (drain) ScheduleDrain();
                return;
            }
            // Completed by the drain once it has taken a frame (and queued the waiting reply), or by a close (which drops it).
            await room;
            if (handedOver) return;
        }
    }

    /// <summary>Under the lock: whether the outbox takes one more frame.</summary>
    private bool HasRoom => _queue is null || _queue.Count < outboxCapacity;

    /// <summary>Queues a frame (under the lock); true when a drain must be scheduled for it.</summary>
    private bool Add(ReadOnlyMemory<byte> frame)
    {
        (_queue ??= new Queue<ReadOnlyMemory<byte>>()).Enqueue(frame);
        if (_draining) return false;
        _draining = true;
        return true;
    }

    private void ScheduleDrain() => ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);

    void IThreadPoolWorkItem.Execute() => _ = DrainAsync();

    /// <summary>
    /// Writes what is queued, in order, until the queue is empty; then, if the connection is closing, the close frame.
    /// Only one drain runs at a time (<see cref="_draining"/>), so the socket has one writer.
    /// </summary>
    private async Task DrainAsync()
    {
        var last = false;
        try
        {
            while (true)
            {
                ReadOnlyMemory<byte> frame;
                TaskCompletionSource? room = null;
                lock (_lock)
                {
                    if (_aborted || _queue is not { Count: > 0 } queue)
                    {
                        // Nothing left: an idle device keeps no queue. A drain that ends while open can start again.
                        _queue = null;
                        if (_closeReason is null)
                        {
                            _draining = false;
                            return;
                        }
                        last = true;
                        break;
                    }
                    frame = queue.Dequeue();
                    if (_replyWaiting)
                    {
                        queue.Enqueue(_reply);
                        _reply = default;
                        _replyWaiting = false;
                    }
                    if (_room is not null)
                    {
                        room = _room;
                        _room = null;
                    }
                }
                room?.TrySetResult();
                await socket.SendAsync(frame, WebSocketMessageType.Text, endOfMessage: true, _closing.Token);
            }
            if (!_aborted && !_closing.IsCancellationRequested && socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
                await socket.CloseOutputAsync(_closeStatus, _closeReason, _closing.Token);
        }
        catch (Exception)
        {
            // The socket failed, was cancelled by an abort, or the grace for closing ran out: whatever it was, the device
            // is cut off, and the drain ends here.
            last = true;
            Abort(WebSocketCloseStatus.EndpointUnavailable, "write failed");
        }
        finally
        {
            // Closing (or aborted): this drain was the last, and RunAsync waits for it, whatever happened above.
            if (last)
            {
                TaskCompletionSource? finished;
                lock (_lock) finished = _finished;
                finished?.TrySetResult();
            }
        }
    }

    /// <summary>Closes gracefully: frames already queued are sent first, then the close frame; the device has a few seconds to answer it.</summary>
    public void Close(WebSocketCloseStatus status, string reason)
    {
        if (!Begin(status, reason, abort: false)) return;
        _closing.CancelAfter(CloseGrace);
    }

    /// <summary>Cuts the device off at once, dropping what is queued (it will sync when it reconnects).</summary>
    public void Abort(WebSocketCloseStatus status, string reason)
    {
        Begin(status, reason, abort: true);
        _closing.Cancel();
    }

    private static readonly TimeSpan CloseGrace = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Stops taking frames (the first call only: false after) and makes sure a drain runs to the end, which sends the
    /// close frame or, aborted, drops the queue; a reply waiting for room gives up.
    /// </summary>
    private bool Begin(WebSocketCloseStatus status, string reason, bool abort)
    {
        bool first, drain = false;
        TaskCompletionSource? room;
        lock (_lock)
        {
            _aborted |= abort;
            first = _closeReason is null;
            if (first)
            {
                _closeStatus = status;
                _closeReason = reason;
                _finished = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                if (!_draining) drain = _draining = true;
            }
            // A reply waiting for room is dropped, as what is queued is on an abort: the device syncs when it reconnects.
            _reply = default;
            _replyWaiting = false;
            room = _room;
            _room = null;
        }
        room?.TrySetResult();
        if (drain) ScheduleDrain();
        return first;
    }

    /// <summary>Completes once the last drain has ended (after <see cref="Close"/> or <see cref="Abort"/>).</summary>
    private Task Finished
    {
        get
        {
            lock (_lock) return _finished?.Task ?? Task.CompletedTask;
        }
    }

    /// <summary>
    /// Runs until the socket closes; <paramref name="onFrame"/> gets every frame the device sends, whatever it is
    /// (the memory is valid only during the call), so that each one is counted and answered.
    /// </summary>
    public async Task RunAsync(Func<Connection, ReceivedFrame, Task> onFrame, CancellationToken stopping)
    {
        using var stop = stopping.Register(() => Close(WebSocketCloseStatus.EndpointUnavailable, "server stopping: reconnect and sync"));
        try
        {
            await ReadLoopAsync(onFrame, _closing.Token);
        }
        catch (Exception e) when (e is OperationCanceledException or WebSocketException)
        {
            // The device went away, was cut off, or did not answer our close in time.
        }
        finally
        {
            Close(WebSocketCloseStatus.NormalClosure, "bye");
            await Finished;
            socket.Abort();
            socket.Dispose();
        }
    }

    private async Task ReadLoopAsync(Func<Connection, ReceivedFrame, Task> onFrame, CancellationToken cancellationToken)
    {
        // Reading goes on after our close frame is sent, until the device answers it (or the grace period ends).
        while (socket.State is WebSocketState.Open or WebSocketState.CloseSent)
        {
            // Wait for data without holding a buffer: an idle connection then costs no frame buffer at all.
            var first = await socket.ReceiveAsync(Memory<byte>.Empty, cancellationToken);
            if (first.MessageType == WebSocketMessageType.Close) return;
            if (first.EndOfMessage)
            {
                // A frame with no payload at all: reading on would take the next frame's bytes for it.
                await onFrame(this, new ReceivedFrame(first.MessageType == WebSocketMessageType.Text ? FrameKind.Text : FrameKind.Binary, ReadOnlyMemory<byte>.Empty));
                continue;
            }

            // Small first, grown only for a large frame: a buffer of the largest frame for every read kept the shared pool
            // dry under load (100 senders), and each miss allocated 128 KiB on the large object heap, which costs full GCs.
            var buffer = ArrayPool<byte>.Shared.Rent(Math.Min(FirstReadBytes, maxFrameBytes + 1));
            try
            {
                var length = 0;
                var oversized = false;
                ValueWebSocketReceiveResult result;
                do
                {
                    if (!oversized && length == buffer.Length) buffer = Grow(buffer, length);
                    // Past the limit, keep reading into the same window and drop it: a huge frame is never held whole.
                    var window = oversized ? buffer.AsMemory() : buffer.AsMemory(length);
                    result = await socket.ReceiveAsync(window, cancellationToken);
                    if (result.MessageType == WebSocketMessageType.Close) return;
                    if (!oversized)
                    {
                        length += result.Count;
                        oversized = length > maxFrameBytes;
                    }
                } while (!result.EndOfMessage);

                var kind = oversized ? FrameKind.TooLarge : result.MessageType == WebSocketMessageType.Text ? FrameKind.Text : FrameKind.Binary;
                await onFrame(this, new ReceivedFrame(kind, kind == FrameKind.Text ? buffer.AsMemory(0, length) : ReadOnlyMemory<byte>.Empty));
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }
    }

    private const int FirstReadBytes = 4096;

    /// <summary>A buffer twice as large (at most one byte past the frame limit, which marks a frame as too large) holding the bytes read so far.</summary>
    private byte[] Grow(byte[] buffer, int length)
    {
        var larger = ArrayPool<byte>.Shared.Rent(Math.Min(buffer.Length * 2, maxFrameBytes + 1));
        buffer.AsSpan(0, length).CopyTo(larger);
        ArrayPool<byte>.Shared.Return(buffer);
        return larger;
    }
}

public enum FrameKind
{
    Text,
    Binary,

    /// <summary>Longer than <c>Gateway:MaxFrameBytes</c>: read to its end and dropped, never held whole.</summary>
    TooLarge,
}

/// <summary>One frame as read from the socket: its bytes only for a text frame of allowed size.</summary>
public readonly record struct ReceivedFrame(FrameKind Kind, ReadOnlyMemory<byte> Bytes);
