using System.IO.Pipelines;

namespace Parley.Server.Realtime.Handshake;

/// <summary>
/// A connection's transport as the <see cref="Stream"/> that <c>WebSocket.CreateFromStream</c> reads and writes.
/// A zero-byte read waits for data without taking any bytes (the gateway waits on idle sockets that way, holding no
/// buffer); disposing cancels a pending read, which is how the WebSocket aborts.
/// </summary>
public sealed class DuplexPipeStream(IDuplexPipe transport) : Stream
{
    private volatile bool _disposed;

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var input = transport.Input;
        while (true)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var result = await input.ReadAsync(cancellationToken);
            var received = result.Buffer;
            if (result.IsCanceled)
            {
                input.AdvanceTo(received.Start);
                ObjectDisposedException.ThrowIf(_disposed, this);
                continue;
            }
            if (!received.IsEmpty)
            {
                var count = (int)Math.Min(received.Length, buffer.Length);
                System.Buffers.BuffersExtensions.CopyTo(received.Slice(0, count), buffer.Span);
                input.AdvanceTo(received.GetPosition(count));
                return count;
            }
            input.AdvanceTo(received.End);
            if (result.IsCompleted) return 0;
        }
    }

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var flushed = await transport.Output.WriteAsync(buffer, cancellationToken);
        ObjectDisposedException.ThrowIf(flushed.IsCanceled, this);
        if (flushed.IsCompleted) throw new IOException("The connection is closed.");
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask; // every write flushes

    protected override void Dispose(bool disposing)
    {
        if (!_disposed)
        {
            _disposed = true;
            transport.Input.CancelPendingRead();
            transport.Output.CancelPendingFlush();
        }
        base.Dispose(disposing);
    }

    public override bool CanRead => true;
    public override bool CanWrite => true;
    public override bool CanSeek => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    public override void Flush() { }
    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException("Asynchronous only.");
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException("Asynchronous only.");
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
}
