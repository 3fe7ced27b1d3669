using System.Net.WebSockets;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Parley.Server.Http;
using Parley.Server.Messaging;
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
}

/// <summary>
/// The WebSocket endpoint <c>/ws</c>: authenticates at the handshake (401 before the upgrade), registers the
/// device, and turns client frames into calls on the messaging features. Protocol: docs/protocol.md.
/// </summary>
public sealed partial class Gateway(
    LocalConnections connections,
    PresenceTracker presence,
    IPresenceStore presenceStore,
    IServiceScopeFactory scopes,
    IdGenerator ids,
    IOptions<GatewayOptions> options,
    IHostApplicationLifetime lifetime,
    Calls.CallSignalling calls,
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
        var connection = new Connection(ids.Next(), http.User.UserId(), http.User.SessionId(), socket, _options.OutboxCapacity, _options.MaxFrameBytes);
        var budget = new FrameBudget(_options.FramesPerSecond, _options.FramesPerSecond * 2, time);
        var rejected = 0;

        try
        {
            // Awaited before the first frame is read: once the device has had an answer, it is reachable from every node.
            if (await presenceStore.DeviceAddedAsync(connection.UserId, connections.Add(connection))) await AnnounceAsync(connection.UserId, online: true);
            await connection.RunAsync((c, frame) => HandleFrameAsync(c, frame, () =>
            {
                if (budget.TryTake()) return true;
                if (++rejected > _options.MaxRejectedFrames) c.Close(WebSocketCloseStatus.PolicyViolation, "too many frames");
                return false;
            }), (c, code) => c.SendAsync(Frames.Error(null, code, code == "frame_too_large"
                ? $"Frames are limited to {_options.MaxFrameBytes} bytes."
                : "Only text frames holding JSON are understood.")).AsTask(), lifetime.ApplicationStopping);
        }
        finally
        {
            if (await presenceStore.DeviceRemovedAsync(connection.UserId, connections.Remove(connection))) await AnnounceAsync(connection.UserId, online: false);
        }
    }

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

    private async Task HandleFrameAsync(Connection connection, ReadOnlyMemory<byte> bytes, Func<bool> withinRateLimit)
    {
        ClientFrame? frame;
        try
        {
            frame = JsonSerializer.Deserialize(bytes.Span, RealtimeJsonContext.Default.ClientFrame);
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
        // Counted after parsing, so that the refusal carries the request's id and the client can retry that request.
        if (!withinRateLimit())
        {
            await connection.SendAsync(Frames.Error(frame.Id, "rate_limited", "Too many frames; slow down."));
            return;
        }

        try
        {
            switch (frame.Type)
            {
                case "ping":
                    await connection.SendAsync(Frames.Empty("pong", frame.Id));
                    break;
                case "msg.send":
                    await SendMessageAsync(connection, frame);
                    break;
                case "msg.read":
                    await MarkReadAsync(connection, frame);
                    break;
                case "msg.sync":
                    await SyncAsync(connection, frame);
                    break;
                case "typing":
                    await RelayTypingAsync(connection, frame);
                    break;
                case "call.invite" or "call.accept" or "call.reject" or "call.hangup" or "call.signal" or "call.resume":
                    await calls.HandleAsync(connection, frame, lifetime.ApplicationStopping);
                    break;
                default:
                    await connection.SendAsync(Frames.Error(frame.Id, "unknown_type", $"Unknown frame type '{Shorten(frame.Type)}'."));
                    break;
            }
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

    private async Task SendMessageAsync(Connection connection, ClientFrame frame)
    {
        var body = Data(frame, RealtimeJsonContext.Default.SendMessageBody);
        await using var scope = scopes.CreateAsyncScope();
        // Awaited before the next frame is read: one device's sends keep their order. The ack is written by the
        // committer once the message is stored, so the device may pipeline sends meanwhile.
        var stored = await scope.ServiceProvider.GetRequiredService<MessageSender>()
            .AcceptAsync(connection.UserId, body, connection, frame.Id, lifetime.ApplicationStopping);
        if (stored.IsCompletedSuccessfully)
            await connection.SendAsync(Frames.Encode("msg.ack", frame.Id, stored.Result, RealtimeJsonContext.Default.MessageAck));
    }

    private async Task MarkReadAsync(Connection connection, ClientFrame frame)
    {
        var request = Data(frame, RealtimeJsonContext.Default.ReadRequest);
        var conversationId = Ids.Parse(request.ConversationId, "conversationId");
        var seq = request.Seq ?? throw ApiProblem.Invalid("seq", "seq is required.");
        await using var scope = scopes.CreateAsyncScope();
        var current = await scope.ServiceProvider.GetRequiredService<ReadState>()
            .MarkReadAsync(connection.UserId, conversationId, seq, lifetime.ApplicationStopping);
        await connection.SendAsync(Frames.Encode("ok", frame.Id, new ReadDone(current), RealtimeJsonContext.Default.ReadDone));
    }

    /// <summary>
    /// Everything after each given seq (or, with none given, everything unread), as msg.batch frames in seq order, then
    /// msg.synced. The work a frame causes is bounded: at most <see cref="MessagingOptions.MaxSyncConversations"/>
    /// conversations may be named; they are checked <see cref="History.SyncChunk"/> at a time (two queries a chunk,
    /// none per quiet conversation); only conversations with something new are read, a page of at most
    /// <see cref="MessagingOptions.MaxPage"/> messages at a time, and each page waits for room in the device's
    /// outbox, so a device that reads slowly slows its sync down instead of filling the server's memory.
    /// </summary>
    private async Task SyncAsync(Connection connection, ClientFrame frame)
    {
        var request = frame.Data.ValueKind == JsonValueKind.Object
            ? Data(frame, RealtimeJsonContext.Default.SyncRequest)
            : new SyncRequest(null);
        await using var scope = scopes.CreateAsyncScope();
        var history = scope.ServiceProvider.GetRequiredService<History>();
        var messaging = scope.ServiceProvider.GetRequiredService<IOptions<MessagingOptions>>().Value;
        var pageSize = messaging.MaxPage;
        var cancellationToken = lifetime.ApplicationStopping;

        List<(long ConversationId, long AfterSeq)> pointers;
        if (request.Conversations is { Count: > 0 } asked)
        {
            if (asked.Count > messaging.MaxSyncConversations)
                throw new ApiProblem(StatusCodes.Status400BadRequest, "too_many_conversations",
                    $"A msg.sync names at most {messaging.MaxSyncConversations} conversations; split them over several msg.sync frames.");
            pointers = new List<(long, long)>(asked.Count);
            foreach (var (id, afterSeq) in asked) pointers.Add((Ids.Parse(id, "conversations"), Math.Max(0, afterSeq)));
        }
        else
        {
            pointers = [.. (await history.UnreadPointersAsync(connection.UserId, cancellationToken)).Select(p => (p.Key, p.Value))];
        }

        var total = 0;
        var refused = new List<string>();
        foreach (var chunk in pointers.Chunk(History.SyncChunk))
        {
            var (pending, notReadable) = await history.CheckSyncChunkAsync(connection.UserId, chunk, cancellationToken);
            // A conversation the user may no longer read (left the group, say) does not stop the others.
            refused.AddRange(notReadable.Select(Ids.Format));
            foreach (var (conversationId, from) in pending)
            {
                var after = from;
                while (true)
                {
                    // One more than a frame holds: whether it came says exactly whether more follow.
                    var page = await history.SyncPageAsync(connection.UserId, conversationId, after, pageSize + 1, cancellationToken);
                    if (page.Count == 0) break;
                    var hasMore = page.Count > pageSize;
                    if (hasMore) page.RemoveAt(page.Count - 1);
                    await connection.SendAsync(Frames.Batch(conversationId, page, hasMore));
                    total += page.Count;
                    after = page[^1].Seq;
                    if (!hasMore) break;
                }
            }
        }
        await connection.SendAsync(Frames.Encode("msg.synced", frame.Id, new SyncDone(total, refused), RealtimeJsonContext.Default.SyncDone));
    }

    private async Task RelayTypingAsync(Connection connection, ClientFrame frame)
    {
        var request = Data(frame, RealtimeJsonContext.Default.ConversationRef);
        var conversationId = Ids.Parse(request.ConversationId, "conversationId");
        await using var scope = scopes.CreateAsyncScope();
        var grant = await scope.ServiceProvider.GetRequiredService<ConversationAccess>()
            .ForTypingAsync(connection.UserId, conversationId, lifetime.ApplicationStopping);
        // Presence-like, like read receipts: nobody across a block with the typist (either way) sees it. In a direct
        // conversation ForTypingAsync has refused already; in a group the blocked members are left out.
        var blocked = grant.Kind == ConversationKind.Group
            ? await Social.Relationships.BlockedEitherWayAsync(scope.ServiceProvider.GetRequiredService<ParleyDb>(), connection.UserId, lifetime.ApplicationStopping)
            : [];
        var others = grant.MemberIds.Where(m => m != connection.UserId && !blocked.Contains(m)).ToList();
        scope.ServiceProvider.GetRequiredService<IMessageRouter>().Publish(others,
            Frames.Encode("typing", null, new Typing(Ids.Format(conversationId), Ids.Format(connection.UserId)), RealtimeJsonContext.Default.Typing));
    }

    private static T Data<T>(ClientFrame frame, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> info) =>
        frame.Data.ValueKind == JsonValueKind.Object
            ? frame.Data.Deserialize(info) ?? throw ApiProblem.Invalid("data", "data is required.")
            : throw ApiProblem.Invalid("data", "data must be an object.");

    private static string Shorten(string text) => text.Length <= 40 ? text : text[..40];

    [LoggerMessage(Level = LogLevel.Warning, Message = "Announcing the presence of user {UserId} failed")]
    private static partial void LogPresenceFailed(ILogger logger, Exception exception, long userId);

    [LoggerMessage(Level = LogLevel.Error, Message = "Handling a {Type} frame failed")]
    private static partial void LogFrameFailed(ILogger logger, Exception exception, string type);
}
