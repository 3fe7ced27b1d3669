using System.Net.WebSockets;
using System.Text;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Options;

namespace Parley.Server.Realtime.Handshake;

/// <summary>
/// Kestrel connection middleware that takes a plain WebSocket handshake for <c>/ws</c> straight off a new connection,
/// before the HTTP server reads it: the socket then keeps only what it needs (its ids, the transport, the WebSocket),
/// not an upgraded HTTP request with its headers, features, principal and token. That is most of the memory of an
/// idle connection and much of the CPU of a handshake (docs/benchmarks.md). It looks at the connection's first read
/// only and consumes nothing unless it takes the connection: anything it does not recognise whole, or whose token does
/// not validate, goes on to the HTTP server unchanged, which answers it as before (<see cref="Gateway.AcceptAsync"/>).
/// Behind TLS terminated by Kestrel itself it sees ciphertext, so every handshake goes the HTTP way.
/// </summary>
public sealed partial class DirectUpgrade(Gateway gateway, HandshakeTokens tokens, IOptions<GatewayOptions> options, ILogger<DirectUpgrade> logger)
{
    private readonly GatewayOptions _options = options.Value;

    /// <summary>How long a new connection may stay silent before it is handed to the HTTP server and its timeouts.</summary>
    public static readonly TimeSpan FirstReadWait = TimeSpan.FromSeconds(10);

    public ConnectionDelegate Wrap(ConnectionDelegate next) => connection => HandleAsync(connection, next);

    private async Task HandleAsync(ConnectionContext connection, ConnectionDelegate next)
    {
        (long UserId, long SessionId)? handshake;
        try
        {
            handshake = await TryHandshakeAsync(connection);
        }
        catch (Exception e) when (e is IOException or ConnectionResetException or ConnectionAbortedException or OperationCanceledException)
        {
            return; // the client went away during its handshake
        }
        if (handshake is not { } taken)
        {
            await next(connection);
            return;
        }

        try
        {
            var socket = WebSocket.CreateFromStream(new DuplexPipeStream(connection.Transport), new WebSocketCreationOptions
            {
                IsServer = true,
                KeepAliveInterval = _options.KeepAliveInterval,
                KeepAliveTimeout = _options.KeepAliveTimeout,
            });
            Operations.ParleyMetrics.Upgrades.Add(1, new KeyValuePair<string, object?>("path", "direct"));
            await gateway.RunAsync(socket, taken.UserId, taken.SessionId);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogConnectionFailed(logger, e);
        }
    }

    /// <summary>
    /// Answers the handshake with 101 and returns its user and session; or null, having consumed nothing, when the
    /// connection is for the HTTP server.
    /// </summary>
    private async ValueTask<(long UserId, long SessionId)?> TryHandshakeAsync(ConnectionContext connection)
    {
        var input = connection.Transport.Input;
        UpgradeRequest? request;
        // A connection that sends nothing is handed on after a while, so that Kestrel's own timeouts close it: waiting
        // here for ever would let idle connections pile up past every limit.
        using (var firstBytes = CancellationTokenSource.CreateLinkedTokenSource(connection.ConnectionClosed))
        {
            firstBytes.CancelAfter(FirstReadWait);
            try
            {
                var first = await input.ReadAsync(firstBytes.Token);
                request = UpgradeRequest.TryParse(first.Buffer);
                input.AdvanceTo(first.Buffer.Start); // nothing examined: the next read returns the same bytes at once
            }
            catch (OperationCanceledException)
            {
                return null;
            }
        }
        if (request is null) return null;

        (long, long)? who;
        try
        {
            who = await tokens.ValidateAsync(request.Token, connection.ConnectionClosed);
        }
        catch (Exception)
        {
            who = null; // a session check that failed (the database)
        }
        if (who is null) return null; // the HTTP way answers it in the documented shape (401, or 500 when the check failed)

        var again = await input.ReadAsync();
        input.AdvanceTo(again.Buffer.GetPosition(request.HeadLength));
        var response = Encoding.ASCII.GetBytes(
            $"HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Accept: {request.AcceptValue()}\r\n\r\n");
        // Taken now, whatever happens: a client gone meanwhile ends the socket at its first read.
        await connection.Transport.Output.WriteAsync(response);
        return who;
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "A directly upgraded WebSocket failed")]
    private static partial void LogConnectionFailed(ILogger logger, Exception exception);
}
