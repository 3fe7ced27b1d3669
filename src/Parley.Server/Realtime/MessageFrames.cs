using System.Text.Json;
using Parley.Server.Http;
using Parley.Server.Messaging;

namespace Parley.Server.Realtime;

/// <summary>
/// The messaging feature's client frames (<c>msg.send</c>, <c>msg.read</c>, <c>msg.sync</c>, <c>msg.edit</c>, <c>typing</c>): each
/// reads its data, calls Messaging, and answers the device. Protocol: docs/protocol.md.
/// </summary>
public sealed class MessageFrames(IServiceScopeFactory scopes, IHostApplicationLifetime lifetime)
{
    private CancellationToken Stopping => lifetime.ApplicationStopping;

    public static WebApplication Map(WebApplication app)
    {
        var frames = app.Services.GetRequiredService<MessageFrames>();
        app.MapFrame("msg.send", frames.SendAsync);
        app.MapFrame("msg.read", frames.MarkReadAsync);
        app.MapFrame("msg.sync", frames.SyncAsync);
        app.MapFrame("msg.edit", frames.EditAsync);
        app.MapFrame("typing", frames.TypingAsync);
        return app;
    }

    public async Task SendAsync(Connection connection, ClientFrame frame)
    {
        var body = frame.ReadData(ClientFrameJsonContext.Default.SendMessageBody);
        await using var scope = scopes.CreateAsyncScope();
        // Awaited before the next frame is read: one device's sends keep their order. The ack is not awaited: the
        // device may pipeline sends meanwhile, and its acks leave in commit order (see PendingMessage.Stored).
        var stored = await scope.ServiceProvider.GetRequiredService<MessageSender>().AcceptAsync(connection.UserId, body, connection.Id, Stopping);
        if (stored.IsCompletedSuccessfully)
        {
            // A retry of a stored message: its first ack, at once.
            await connection.SendAsync(Frames.Encode("msg.ack", frame.Id, stored.Result, RealtimeJsonContext.Default.MessageAck));
            return;
        }
        _ = stored.ContinueWith(static (task, state) => ((AckWriter)state!).Write(task), new AckWriter(connection, frame.Id),
            CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    /// <summary>Writes a send's outcome into the device's outbox, on the committer's publishing loop: never waits.</summary>
    private sealed class AckWriter(Connection connection, string? frameId)
    {
        public void Write(Task<MessageAck> stored)
        {
            if (stored.IsCompletedSuccessfully) connection.Enqueue(Frames.Encode("msg.ack", frameId, stored.Result, RealtimeJsonContext.Default.MessageAck));
            else if (stored.IsFaulted) connection.Enqueue(Frames.Error(frameId, "not_stored", "The message could not be stored; send it again."));
            // Cancelled: the server is stopping; the device gets no ack and resends after reconnecting.
        }
    }

    public async Task MarkReadAsync(Connection connection, ClientFrame frame)
    {
        var request = frame.ReadData(ClientFrameJsonContext.Default.ReadRequest);
        var conversationId = Ids.Parse(request.ConversationId, "conversationId");
        var seq = request.Seq ?? throw ApiProblem.Invalid("seq", "seq is required.");
        await using var scope = scopes.CreateAsyncScope();
        var current = await scope.ServiceProvider.GetRequiredService<ReadState>().MarkReadAsync(connection.UserId, conversationId, seq, Stopping);
        await connection.SendAsync(Frames.Encode("ok", frame.Id, new ReadDone(current), RealtimeJsonContext.Default.ReadDone));
    }

    /// <summary><c>msg.batch</c> frames in seq order, each waiting for room in the device's outbox, then <c>msg.synced</c> (see <see cref="MessageSync"/>).</summary>
    public async Task SyncAsync(Connection connection, ClientFrame frame)
    {
        var request = frame.Data.ValueKind == JsonValueKind.Object ? frame.ReadData(ClientFrameJsonContext.Default.SyncRequest) : new SyncRequest(null);
        await using var scope = scopes.CreateAsyncScope();
        var summary = await scope.ServiceProvider.GetRequiredService<MessageSync>().RunAsync(connection.UserId, request.Conversations,
            page => connection.SendAsync(Frames.Batch(page.ConversationId, page.Messages, page.HasMore)), Stopping);
        await connection.SendAsync(Frames.Encode("msg.synced", frame.Id, new SyncDone(summary.Messages, summary.Refused), RealtimeJsonContext.Default.SyncDone));
    }

    public async Task EditAsync(Connection connection, ClientFrame frame)
    {
        var request = frame.ReadData(ClientFrameJsonContext.Default.EditRequest);
        var conversationId = Ids.Parse(request.ConversationId, "conversationId");
        var messageId = Ids.Parse(request.MessageId, "messageId");
        await using var scope = scopes.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<MessageEdits>().EditAsync(connection.UserId, conversationId, messageId, request.Content, Stopping);
        await connection.SendAsync(Frames.Empty("ok", frame.Id));
    }

    public async Task TypingAsync(Connection connection, ClientFrame frame)
    {
        var request = frame.ReadData(ClientFrameJsonContext.Default.ConversationRef);
        var conversationId = Ids.Parse(request.ConversationId, "conversationId");
        await using var scope = scopes.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<TypingNotices>().NotifyAsync(connection.UserId, conversationId, Stopping);
    }
}
