using System.Buffers.Text;
using System.Diagnostics;
using System.Net;
using System.Net.WebSockets;
using System.Text.Json;

namespace Parley.Bench;

/// <summary>Gets every whole text frame a socket receives, on the socket's receive loop. Must not block.</summary>
public interface IFrameHandler
{
    void OnFrame(BenchSocket socket, ReadOnlySpan<byte> frame, long receivedAt);
}

/// <summary>
/// One device: a raw <see cref="ClientWebSocket"/> with one receive loop that reuses its buffer and hands
/// each frame to the current <see cref="IFrameHandler"/>. Sending is left to the caller (one send at a time).
/// </summary>
public sealed class BenchSocket
{
    private static readonly IFrameHandler Ignore = new NullHandler();
    private volatile IFrameHandler _handler = Ignore;
    private Task _receiving = Task.CompletedTask;
    private int _closed;

    private BenchSocket(ClientWebSocket socket, int index)
    {
        Socket = socket;
        Index = index;
    }

    public ClientWebSocket Socket { get; }

    /// <summary>The scenario's number for this device (a user index, say).</summary>
    public int Index { get; }

    public bool Closed => Volatile.Read(ref _closed) != 0;
    public string? CloseDescription { get; private set; }

    public IFrameHandler Handler
    {
        get => _handler;
        set => _handler = value;
    }

    private static int _closedCount;

    /// <summary>Sockets that closed while the run was going (the server cut them off, or a send failed).</summary>
    public static int ClosedCount => Volatile.Read(ref _closedCount);

    /// <summary>One invoker for every handshake, with no proxy: the upgrade goes straight to 127.0.0.1.</summary>
    public static HttpMessageInvoker CreateInvoker() => new(new SocketsHttpHandler
    {
        UseProxy = false,
        AutomaticDecompression = DecompressionMethods.None,
        MaxConnectionsPerServer = int.MaxValue,
        ConnectTimeout = TimeSpan.FromSeconds(30),
    });

    public static async Task<BenchSocket> ConnectAsync(Uri address, string accessToken, HttpMessageInvoker invoker, int index,
        CancellationToken cancellationToken)
    {
        var socket = new ClientWebSocket();
        socket.Options.SetRequestHeader("Authorization", "Bearer " + accessToken);
        // No client pings: the server's own keep-alive is part of what is measured, ours would only add load.
        socket.Options.KeepAliveInterval = TimeSpan.Zero;
        try
        {
            await socket.ConnectAsync(address, invoker, cancellationToken);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
        return new BenchSocket(socket, index);
    }

    public void StartReceiving(int bufferSize) => _receiving = ReceiveLoopAsync(bufferSize);

    public Task Receiving => _receiving;

    private async Task ReceiveLoopAsync(int bufferSize)
    {
        var buffer = new byte[bufferSize];
        var length = 0;
        try
        {
            while (true)
            {
                var result = await Socket.ReceiveAsync(buffer.AsMemory(length), CancellationToken.None);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    MarkClosed($"closed by the server: {Socket.CloseStatus} {Socket.CloseStatusDescription}");
                    return;
                }
                length += result.Count;
                if (!result.EndOfMessage)
                {
                    // A frame larger than the buffer (a rare big one): grow once and keep it.
                    if (length == buffer.Length) Array.Resize(ref buffer, buffer.Length * 2);
                    continue;
                }
                _handler.OnFrame(this, buffer.AsSpan(0, length), Stopwatch.GetTimestamp());
                length = 0;
            }
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or ObjectDisposedException)
        {
            MarkClosed(e.Message);
        }
    }

    public void MarkClosed(string description)
    {
        if (Interlocked.Exchange(ref _closed, 1) != 0) return;
        CloseDescription = description;
        Interlocked.Increment(ref _closedCount);
    }

    /// <summary>Drops the connection at once (no closing handshake): for tearing down thousands quickly.</summary>
    public void Abort()
    {
        Interlocked.Exchange(ref _closed, 1);
        Socket.Abort();
        Socket.Dispose();
    }

    public async Task CloseAsync()
    {
        Interlocked.Exchange(ref _closed, 1);
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            if (Socket.State == WebSocketState.Open)
                await Socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "bench done", timeout.Token);
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or ObjectDisposedException)
        {
        }
        Socket.Abort();
        Socket.Dispose();
    }

    private sealed class NullHandler : IFrameHandler
    {
        public void OnFrame(BenchSocket socket, ReadOnlySpan<byte> frame, long receivedAt)
        {
        }
    }
}

/// <summary>What the generator needs from a server frame, read with <see cref="Utf8JsonReader"/> and nothing kept.</summary>
public enum FrameKind
{
    Other,
    MessageNew,
    Ack,
    Error,
}

internal ref struct ParsedFrame
{
    public FrameKind Kind;

    /// <summary>The request id (our sequence number) of an ack or error, or -1.</summary>
    public long Id;

    /// <summary>For msg.new: the content string's bytes (our "tag:seq:ticks").</summary>
    public ReadOnlySpan<byte> Content;

    /// <summary>For error: the code.</summary>
    public ReadOnlySpan<byte> Code;

    /// <summary>
    /// Reads only what is needed: the top-level type and id, and (msg.new) data.content or (error) data.code.
    /// The server writes type, id, data in that order, so an ack is done after two properties.
    /// </summary>
    public static ParsedFrame Parse(ReadOnlySpan<byte> json)
    {
        var frame = new ParsedFrame { Id = -1 };
        var reader = new Utf8JsonReader(json);
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject) return frame;
            while (reader.Read())
            {
                if (reader.TokenType == JsonTokenType.EndObject && reader.CurrentDepth == 0) break;
                if (reader.TokenType != JsonTokenType.PropertyName || reader.CurrentDepth != 1) continue;
                if (reader.ValueTextEquals("type"u8))
                {
                    reader.Read();
                    frame.Kind = reader.ValueTextEquals("msg.new"u8) ? FrameKind.MessageNew
                        : reader.ValueTextEquals("msg.ack"u8) ? FrameKind.Ack
                        : reader.ValueTextEquals("error"u8) ? FrameKind.Error
                        : FrameKind.Other;
                    if (frame.Kind == FrameKind.Other) return frame;
                }
                else if (reader.ValueTextEquals("id"u8))
                {
                    reader.Read();
                    if (reader.TokenType == JsonTokenType.String && Utf8Parser.TryParse(reader.ValueSpan, out long id, out var used)
                        && used == reader.ValueSpan.Length)
                        frame.Id = id;
                    if (frame.Kind == FrameKind.Ack) return frame;
                }
                else if (reader.ValueTextEquals("data"u8))
                {
                    if (frame.Kind == FrameKind.MessageNew) frame.Content = FindString(ref reader, "content"u8);
                    else if (frame.Kind == FrameKind.Error) frame.Code = FindString(ref reader, "code"u8);
                    else reader.Skip();
                    return frame;
                }
                else
                {
                    reader.Skip();
                }
            }
        }
        catch (JsonException)
        {
            frame.Kind = FrameKind.Other;
        }
        return frame;
    }

    private static ReadOnlySpan<byte> FindString(scoped ref Utf8JsonReader reader, ReadOnlySpan<byte> name)
    {
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject) return default;
        while (reader.Read())
        {
            if (reader.TokenType == JsonTokenType.EndObject && reader.CurrentDepth == 1) return default;
            if (reader.TokenType != JsonTokenType.PropertyName || reader.CurrentDepth != 2) continue;
            var match = reader.ValueTextEquals(name);
            reader.Read();
            if (match && reader.TokenType == JsonTokenType.String && !reader.ValueIsEscaped) return reader.ValueSpan;
            if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray) reader.Skip();
        }
        return default;
    }

    /// <summary>Our content is "&lt;tag&gt;:&lt;seq&gt;:&lt;ticks&gt;[ padding]"; false for anything else (another run's, another client's).</summary>
    public static bool TryParseContent(ReadOnlySpan<byte> content, long tag, out long seq, out long ticks)
    {
        seq = ticks = 0;
        if (!Utf8Parser.TryParse(content, out long t, out var used) || t != tag || used >= content.Length || content[used] != (byte)':') return false;
        content = content[(used + 1)..];
        if (!Utf8Parser.TryParse(content, out seq, out used) || used >= content.Length || content[used] != (byte)':') return false;
        content = content[(used + 1)..];
        return Utf8Parser.TryParse(content, out ticks, out _);
    }
}
