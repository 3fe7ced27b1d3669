using System.Net.WebSockets;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Parley.Server.Http;
using Parley.Server.ScaleOut;
using Parley.Server.Storage;

namespace Parley.Server.Realtime;

public sealed class GatewayOptions
{
    public const string Section = "Gateway";

    /// <summary>Largest text frame accepted; larger ones get an error frame and are never buffered whole.</summary>
    public int MaxFrameBytes { get; set; } = 64 * 1024;

    /// <summary>Frames waiting to be written to one device before it is cut off as a slow consumer.</summary>
    public int OutboxCapacity { get; set; } = 1024;

    /// <summary>How often the server pings a connection (WebSocket ping), and how long it waits for the pong before closing it.</summary>
    public TimeSpan KeepAliveInterval { get; set; } = TimeSpan.FromSeconds(30);

    public TimeSpan KeepAliveTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Sustained frames per second per connection; bursts up to twice that.</summary>
    public int FramesPerSecond { get; set; } = 100;

    /// <summary>Rate-limited frames tolerated before the connection is closed for abuse.</summary>
    public int MaxRejectedFrames { get; set; } = 200;

    /// <summary>Sockets one user may hold open on this node; a new one past this closes the user's oldest (1008).</summary>
    public int MaxSocketsPerUser { get; set; } = 10;

    /// <summary>
    /// Take plain <c>/ws</c> handshakes straight off the connection, before the HTTP server (<see cref="Handshake.DirectUpgrade"/>):
    /// less memory per socket and cheaper handshakes. Off: every handshake goes through the HTTP pipeline.
    /// </summary>
    public bool DirectUpgrade { get; set; } = true;
}

/// <summary>
/// The WebSocket endpoint <c>/ws</c>: authenticates at the handshake (401 before the upgrade), registers the
/// device, and hands each client frame to the handler its feature mapped for its type (<see cref="FrameRoutes"/>),
/// turning refusals into <c>error</c> frames. Protocol: docs/protocol.md.
/// </summary>
public sealed partial class Gateway(
    LocalConnections connections,
    PresenceTracker presence,
    IPresenceStore presenceStore,
    IdGenerator ids,
    IOptions<GatewayOptions> options,
    IHostApplicationLifetime lifetime,
    FrameRoutes routes,
    TimeProvider time,
    ILogger<Gateway> logger)
{
    private readonly GatewayOptions _options = options.Value;

    public async Task AcceptAsync(HttpContext http)
    {
        if (!http.WebSockets.IsWebSocketRequest)
            throw ApiProblem.BadRequest("websocket_required", "This endpoint speaks WebSocket only.");
        var socket = await http.WebSockets.AcceptWebSocketAsync(new WebSocketAcceptContext
        {
            KeepAliveInterval = _options.KeepAliveInterval,
            KeepAliveTimeout = _options.KeepAliveTimeout,
        });
        Operations.ParleyMetrics.Upgrades.Add(1, new KeyValuePair<string, object?>("path", "http"));
        await RunAsync(socket, http.User.UserId(), http.User.SessionId());
    }

    /// <summary>
    /// Serves an accepted socket until it closes: registers the device, reads and answers its frames, and unregisters
    /// it. Reached from the HTTP endpoint above and from <see cref="Handshake.DirectUpgrade"/>.
    /// </summary>
    public async Task RunAsync(WebSocket socket, long userId, long sessionId)
    {
        var connection = new Connection(ids.Next(), userId, sessionId, socket, _options.OutboxCapacity, _options.MaxFrameBytes);
        var budget = new FrameBudget(_options.FramesPerSecond, _options.FramesPerSecond * 2, time);

        try
        {
            // Awaited before the first frame is read: once the device has had an answer, it is reachable from every node.
            if (await presenceStore.DeviceAddedAsync(connection.UserId, connections.Add(connection))) await AnnounceAsync(connection.UserId, online: true);
            CloseOldestPastCap(connection.UserId);
            var gate = new FrameGate(budget, _options.MaxRejectedFrames);
            await connection.RunAsync((c, frame) => HandleFrameAsync(c, frame, gate), lifetime.ApplicationStopping);
        }
        finally
        {
            if (await presenceStore.DeviceRemovedAsync(connection.UserId, connections.Remove(connection))) await AnnounceAsync(connection.UserId, online: false);
        }
    }

    /// <summary>
    /// The newest socket wins: a client reconnecting while its old socket is not yet known to be dead must not be
    /// refused, so past <see cref="GatewayOptions.MaxSocketsPerUser"/> the user's oldest sockets are closed.
    /// </summary>
    private void CloseOldestPastCap(long userId)
    {
        var devices = connections.DevicesOf(userId);
        for (var i = 0; i < devices.Length - Math.Max(1, _options.MaxSocketsPerUser); i++)
            devices[i].Close(WebSocketCloseStatus.PolicyViolation, TooManySockets);
    }

    /// <summary>The close reason of a socket closed for a newer one of the same user.</summary>
    public const string TooManySockets = "too many sockets: this user's newest connection replaced the oldest";

    /// <summary>Presence is a courtesy: a failure to announce it is logged, and never keeps a socket registered.</summary>
    private async Task AnnounceAsync(long userId, bool online)
    {
        try
        {
            if (online) await presence.CameOnlineAsync(userId);
            else await presence.WentOfflineAsync(userId);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogPresenceFailed(logger, e, userId);
        }
    }

    /// <summary>A connection's frame budget and its count of refusals (see <see cref="GatewayOptions.MaxRejectedFrames"/>).</summary>
    private sealed class FrameGate(FrameBudget budget, int maxRejected)
    {
        private int _rejected;

        /// <summary>Takes a token for the frame; past the refusals allowed, closes the connection (1008).</summary>
        public bool Admit(Connection connection)
        {
            if (budget.TryTake()) return true;
            if (++_rejected > maxRejected) connection.Close(WebSocketCloseStatus.PolicyViolation, "too many frames");
            return false;
        }
    }

    /// <summary>
    /// Every frame is charged to the connection's budget before anything else is done with it, garbage, binary,
    /// empty and oversized frames included, and every one gets its documented answer (docs/protocol.md).
    /// </summary>
    private async Task HandleFrameAsync(Connection connection, ReceivedFrame received, FrameGate gate)
    {
        if (!gate.Admit(connection))
        {
            // The refusal carries the request's id when there is one, so the client can retry that request; finding
            // it reads the frame's top level only, without building anything.
            await connection.SendAsync(Frames.Error(FrameIdReader.TryRead(received.Bytes.Span), "rate_limited", "Too many frames; slow down."));
            return;
        }
        switch (received.Kind)
        {
            case FrameKind.TooLarge:
                await connection.SendAsync(Frames.Error(null, "frame_too_large", $"Frames are limited to {_options.MaxFrameBytes} bytes."));
                return;
            case FrameKind.Binary:
                await connection.SendAsync(Frames.Error(null, "binary_not_supported", "Only text frames holding JSON are understood."));
                return;
        }

        ClientFrame? frame;
        try
        {
            frame = JsonSerializer.Deserialize(received.Bytes.Span, ClientFrameJsonContext.Default.ClientFrame);
        }
        catch (BadTextException)
        {
            // Well-formed, but a string or name somewhere in it is no text (NUL, a lone surrogate): the request's fault,
            // answered with its id like any other validation failure.
            await connection.SendAsync(Frames.Error(FrameIdReader.TryRead(received.Bytes.Span), "validation_failed",
                "A string in the frame is not valid text (NUL or a lone surrogate)."));
            return;
        }
        catch (JsonException)
        {
            await connection.SendAsync(Frames.Error(null, "invalid_frame", "A frame is one JSON object: {\"type\": string, \"id\": string (optional), \"data\": object}."));
            return;
        }
        if (frame?.Type is null)
        {
            await connection.SendAsync(Frames.Error(frame?.Id, "invalid_frame", "A frame needs a \"type\"."));
            return;
        }

        try
        {
            if (frame.Type == "ping") await connection.SendAsync(Frames.Empty("pong", frame.Id));
            else if (routes.Find(frame.Type) is { } handler) await handler(connection, frame);
            else await connection.SendAsync(Frames.Error(frame.Id, "unknown_type", $"Unknown frame type '{Shorten(frame.Type)}'."));
        }
        catch (ApiProblem problem)
        {
            await connection.SendAsync(Frames.Error(frame.Id, problem.Code, problem.Message));
        }
        catch (JsonException)
        {
            await connection.SendAsync(Frames.Error(frame.Id, "validation_failed", $"The data of '{Shorten(frame.Type)}' does not have the expected shape."));
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogFrameFailed(logger, e, frame.Type);
            await connection.SendAsync(Frames.Error(frame.Id, "internal_error", "Something went wrong on the server. It has been logged."));
        }
    }

    private static string Shorten(string text) => text.Length <= 40 ? text : text[..40];

    [LoggerMessage(Level = LogLevel.Warning, Message = "Announcing the presence of user {UserId} failed")]
    private static partial void LogPresenceFailed(ILogger logger, Exception exception, long userId);

    [LoggerMessage(Level = LogLevel.Error, Message = "Handling a {Type} frame failed")]
    private static partial void LogFrameFailed(ILogger logger, Exception exception, string type);
}
