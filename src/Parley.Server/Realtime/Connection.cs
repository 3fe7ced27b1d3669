using System.Buffers;
using System.Net.WebSockets;
using System.Threading.Channels;

namespace Parley.Server.Realtime;

/// <summary>
/// One device's WebSocket: a read loop that hands whole text frames to the gateway, and a write loop that
/// drains a bounded outbox. Fan-out never waits on a device: a device whose outbox is full is cut off at once
/// (aborted: its socket is full, so not even a close frame would get through) and catches up with
/// <c>msg.sync</c> when it reconnects, so one slow reader slows nobody else.
/// </summary>
public sealed class Connection(long id, long userId, long sessionId, WebSocket socket, int outboxCapacity, int maxFrameBytes) : IDevice
{
    private readonly Channel<ReadOnlyMemory<byte>> _outbox = Channel.CreateBounded<ReadOnlyMemory<byte>>(
        new BoundedChannelOptions(outboxCapacity) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
    private readonly CancellationTokenSource _closing = new();
    private volatile string? _closeReason;
    private WebSocketCloseStatus _closeStatus = WebSocketCloseStatus.NormalClosure;

    public long Id { get; } = id;
    public long UserId { get; } = userId;

    /// <summary>The sign-in session of the token the device connected with.</summary>
    public long SessionId { get; } = sessionId;

    /// <summary>For fan-out: never waits; a full outbox disconnects the device.</summary>
    public void Enqueue(ReadOnlyMemory<byte> frame)
    {
        // Once closing, the outbox is complete and frames are dropped: the device syncs when it reconnects.
        if (!_outbox.Writer.TryWrite(frame) && _closeReason is null)
        {
            Operations.ParleyMetrics.DeviceCutoffs.Add(1);
            Abort(WebSocketCloseStatus.EndpointUnavailable, "slow consumer: reconnect and sync");
        }
    }

    /// <summary>
    /// For replies to this device's own requests: waits for room, so a large sync paces itself. Once the
    /// connection is closing, frames are dropped: the device gets what it missed by syncing after reconnecting.
    /// </summary>
    public async ValueTask SendAsync(ReadOnlyMemory<byte> frame)
    {
        try
        {
            await _outbox.Writer.WriteAsync(frame, _closing.Token);
        }
        catch (Exception e) when (e is ChannelClosedException or OperationCanceledException)
        {
        }
    }

    /// <summary>Closes gracefully: frames already queued are sent first, then the close frame; the device has a few seconds to answer it.</summary>
    public void Close(WebSocketCloseStatus status, string reason)
    {
        if (!Begin(status, reason)) return;
        _outbox.Writer.TryComplete();
        _closing.CancelAfter(CloseGrace);
    }

    /// <summary>Cuts the device off at once, dropping what is queued (it will sync when it reconnects).</summary>
    public void Abort(WebSocketCloseStatus status, string reason)
    {
        Begin(status, reason);
        _outbox.Writer.TryComplete();
        _closing.Cancel();
    }

    private static readonly TimeSpan CloseGrace = TimeSpan.FromSeconds(5);

    private bool Begin(WebSocketCloseStatus status, string reason)
    {
        lock (_outbox)
        {
            if (_closeReason is not null) return false;
            _closeStatus = status;
            _closeReason = reason;
            return true;
        }
    }

    /// <summary>
    /// Runs until the socket closes; <paramref name="onFrame"/> gets every frame the device sends, whatever it is
    /// (the memory is valid only during the call), so that each one is counted and answered.
    /// </summary>
    public async Task RunAsync(Func<Connection, ReceivedFrame, Task> onFrame, CancellationToken stopping)
    {
        using var stop = stopping.Register(() => Close(WebSocketCloseStatus.EndpointUnavailable, "server stopping: reconnect and sync"));
        var writing = WriteLoopAsync();
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
            await writing;
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

    private async Task WriteLoopAsync()
    {
        try
        {
            // Waiting takes no token, so an idle device holds no enumerator and no cancellation registration: a close
            // or an abort completes the outbox, which ends the wait; an abort also stops the draining.
            while (await _outbox.Reader.WaitToReadAsync())
            {
                while (!_closing.IsCancellationRequested && _outbox.Reader.TryRead(out var frame))
                    await socket.SendAsync(frame, WebSocketMessageType.Text, endOfMessage: true, _closing.Token);
                if (_closing.IsCancellationRequested) return;
            }
            if (!_closing.IsCancellationRequested && socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
                await socket.CloseOutputAsync(_closeStatus, _closeReason, _closing.Token);
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or ObjectDisposedException)
        {
            Abort(WebSocketCloseStatus.EndpointUnavailable, "write failed");
        }
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
