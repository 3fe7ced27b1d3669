using System.Text.Json;
using Parley.Client;

namespace Parley.IntegrationTests.SocialEvents;

/// <summary>
/// One connected device that remembers every frame it got. <see cref="SoFarAsync"/> answers "what has this
/// device got until now" without sleeping: the server publishes an HTTP change's events before it answers,
/// into the device's outbox, so a ping sent afterwards comes back behind them.
/// </summary>
internal sealed class Device : IAsyncDisposable
{
    private Device(ParleyRealtime socket, string userId)
    {
        Socket = socket;
        UserId = userId;
    }

    public ParleyRealtime Socket { get; }
    public string UserId { get; }
    public List<ServerFrame> Seen { get; } = [];

    /// <summary>Connects and waits until the server has registered the device (a ping round trip).</summary>
    public static async Task<Device> ConnectAsync(ParleyClient client)
    {
        var socket = await ParleyRealtime.ConnectAsync(client);
        await socket.RequestAsync("ping", null);
        return new Device(socket, client.UserId);
    }

    /// <summary>Every frame received until now.</summary>
    public async Task<List<ServerFrame>> SoFarAsync()
    {
        await Socket.RequestAsync("ping", null);
        while (Socket.Events.TryRead(out var frame)) Seen.Add(frame);
        return Seen;
    }

    /// <summary>The events of one type received until now.</summary>
    public async Task<List<ServerFrame>> OfTypeAsync(string type) => (await SoFarAsync()).Where(f => f.Type == type).ToList();

    /// <summary>The first frame (seen already, or arriving within the timeout) of the type that matches.</summary>
    public async Task<ServerFrame> WaitAsync(string type, Func<ServerFrame, bool>? match = null, TimeSpan? timeout = null)
    {
        bool Matches(ServerFrame f) => f.Type == type && (match is null || match(f));
        if (Seen.FirstOrDefault(Matches) is { } seen) return seen;
        using var cancel = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(10));
        while (true)
        {
            var frame = await Socket.Events.ReadAsync(cancel.Token);
            Seen.Add(frame);
            if (Matches(frame)) return frame;
        }
    }

    /// <summary>The <c>msg.new</c> of a system message with this event name in this conversation.</summary>
    public Task<ServerFrame> WaitForSystemMessageAsync(string conversationId, string @event) =>
        WaitAsync("msg.new", f => f.Data.GetProperty("conversationId").GetString() == conversationId
            && f.Data.GetProperty("type").GetString() == "system"
            && f.Data.GetProperty("content").GetProperty("event").GetString() == @event);

    public static List<ServerFrame> SystemMessages(IEnumerable<ServerFrame> frames, string conversationId) =>
        frames.Where(f => f.Type == "msg.new" && f.Data.GetProperty("type").GetString() == "system"
            && f.Data.GetProperty("conversationId").GetString() == conversationId).ToList();

    public static string? Str(JsonElement element, string property) =>
        element.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    public ValueTask DisposeAsync() => Socket.DisposeAsync();
}
