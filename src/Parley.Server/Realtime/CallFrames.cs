using System.Text.Json;
using Parley.Server.Calls;
using Parley.Server.Http;
using Parley.Server.ScaleOut;

namespace Parley.Server.Realtime;

/// <summary>
/// The call feature's client frames (<c>call.*</c>, docs/calls.md): each is read, handed to <see cref="CallSignalling"/>
/// as an operation of the device that sent it, and answered (<c>ok</c> or <c>error</c>). What the parties hear
/// besides is the signalling's events, as <see cref="CallEventFrames"/> writes them. It also tells the signalling when
/// a device of this node connects or leaves.
/// <para>Scaled out, a call lives on the node that took its invite: a frame for a call of another node is forwarded
/// there (<see cref="ICallRelay"/>), whose <see cref="CallFrames"/> serves it (<see cref="HandleForwardedAsync"/>) and
/// answers the device through its node.</para>
/// </summary>
public sealed partial class CallFrames : IForwardedCallHandler
{
    private static readonly string[] Types = ["call.invite", "call.accept", "call.reject", "call.hangup", "call.signal", "call.resume"];

    private readonly CallSignalling _calls;
    private readonly CallEventFrames _events;
    private readonly ICallRelay _relay;
    private readonly IHostApplicationLifetime _lifetime;
    private readonly ILogger<CallFrames> _logger;

    public CallFrames(CallSignalling calls, CallEventFrames events, LocalConnections connections, ICallRelay relay,
        IHostApplicationLifetime lifetime, ILogger<CallFrames> logger)
    {
        _calls = calls;
        _events = events;
        _relay = relay;
        _lifetime = lifetime;
        _logger = logger;
        // On the thread that adds the device, before its first frame is read: call.state or call.incoming is the first it gets.
        connections.DeviceAdded += connection => calls.DeviceConnected(new CallDevice(connection.UserId, connection.Id));
        connections.DeviceRemoved += connection => calls.DeviceDisconnected(new CallDevice(connection.UserId, connection.Id));
        // Call frames that devices on other nodes sent for this node's calls come here.
        relay.Register(this);
    }

    public static WebApplication Map(WebApplication app)
    {
        var frames = app.Services.GetRequiredService<CallFrames>();
        foreach (var type in Types) app.MapFrame(type, frames.HandleAsync);
        return app;
    }

    public Task HandleAsync(Connection connection, ClientFrame frame)
    {
        // Scaled out: a call made on another node is served there (its answer comes back from there).
        if (frame.Type != "call.invite" && CallIdOf(frame) is { } callId && !_calls.Holds(callId) 
            && _relay.TryForward(callId, new DeviceAddress(null, connection.UserId, connection.Id),
                JsonSerializer.SerializeToUtf8Bytes(frame, ClientFrameJsonContext.Default.ClientFrame)))
            return Task.CompletedTask;
        return ServeAsync(connection, frame);
    }

    /// <summary>A call frame forwarded from a device on another node (<paramref name="from"/>) for a call of this node.</summary>
    public Task HandleForwardedAsync(DeviceAddress from, ReadOnlyMemory<byte> rawClientFrame, CancellationToken cancellationToken)
    {
        var frame = JsonSerializer.Deserialize(rawClientFrame.Span, ClientFrameJsonContext.Default.ClientFrame);
        return frame?.Type is null ? Task.CompletedTask : ServeAsync(new RelayedDevice(_relay, from), frame);
    }

    /// <summary>A device on another node that acted in one of this node's calls went away: as if it left here.</summary>
    public void ForwardedDeviceGone(DeviceAddress device) => _calls.DeviceDisconnected(new CallDevice(device.UserId, device.DeviceId, device.Node));

    /// <summary>A device connected to another node, acting in one of this node's calls: answered through the relay.</summary>
    private sealed class RelayedDevice(ICallRelay relay, DeviceAddress address) : IDevice
    {
        public long Id => address.DeviceId;
        public long UserId => address.UserId;
        public string? Node => address.Node;

        public void Enqueue(ReadOnlyMemory<byte> frame) => relay.SendToDevice(address, frame);

        public ValueTask SendAsync(ReadOnlyMemory<byte> frame)
        {
            Enqueue(frame);
            return ValueTask.CompletedTask;
        }
    }

    private static long? CallIdOf(ClientFrame frame)
    {
        if (frame.Data.ValueKind != JsonValueKind.Object || !frame.Data.TryGetProperty("callId", out var value) || value.ValueKind != JsonValueKind.String)
            return null;
        try
        {
            return Ids.TryParse(value.GetString(), out var callId) ? callId : null;
        }
        catch (InvalidOperationException)
        {
            // No valid text, so no call to forward to: the handler refuses it (InputText).
            return null;
        }
    }

    /// <summary>Serves the frame and answers the device; refusals become <c>error</c> frames with the request's id.</summary>
    private async Task ServeAsync(IDevice device, ClientFrame frame)
    {
        var by = new CallDevice(device.UserId, device.Id, device.Node);
        // API.md: "ok, then the call.* events" (see CallEventFrames). An accept's call.accepted comes before its ok.
        var hold = frame.Type is "call.invite" or "call.reject" or "call.hangup" ? _events.Hold(by) : null;
        try
        {
            byte[] answer;
            try
            {
                answer = await RunAsync(by, frame);
            }
            catch (ApiProblem problem)
            {
                answer = Frames.Error(frame.Id, problem.Code, problem.Message);
            }
            catch (JsonException)
            {
                answer = Frames.Error(frame.Id, "validation_failed", $"The data of '{frame.Type}' does not have the expected shape.");
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogFrameFailed(_logger, e, frame.Type);
                answer = Frames.Error(frame.Id, "internal_error", "Something went wrong on the server. It has been logged.");
            }
            await device.SendAsync(answer);
        }
        finally
        {
            hold?.Release();
        }
    }

    private async Task<byte[]> RunAsync(CallDevice by, ClientFrame frame)
    {
        switch (frame.Type)
        {
            case "call.invite":
                var invite = frame.ReadData(ClientFrameJsonContext.Default.CallInviteData);
                var calleeId = Ids.Parse(invite.To?.UserId, "to.userId");
                var callId = await _calls.InviteAsync(by, calleeId, invite.Media, _lifetime.ApplicationStopping);
                return Frames.Encode("ok", frame.Id, new CallRefData(Ids.Format(callId)), RealtimeJsonContext.Default.CallRefData);
            case "call.accept":
                await _calls.AcceptAsync(by, CallId(frame));
                break;
            case "call.reject":
                _calls.Reject(by, CallId(frame));
                break;
            case "call.hangup":
                _calls.Hangup(by, CallId(frame));
                break;
            case "call.resume":
                _calls.Resume(by, CallId(frame));
                break;
            case "call.signal":
                Signal(by, frame);
                break;
            default:
                throw ApiProblem.BadRequest("unknown_type", "Unknown call frame type.");
        }
        return Frames.Empty("ok", frame.Id);
    }

    private static long CallId(ClientFrame frame) => Ids.Parse(frame.ReadData(ClientFrameJsonContext.Default.CallRefData).CallId, "callId");

    /// <summary><c>sdp</c> and <c>candidate</c> are any JSON, passed on as the raw text they came as.</summary>
    private void Signal(CallDevice by, ClientFrame frame)
    {
        if (frame.Data.ValueKind != JsonValueKind.Object) throw ApiProblem.Invalid("data", "data must be an object.");
        var sdp = Raw(frame.Data, "sdp");
        var candidate = Raw(frame.Data, "candidate");
        var callId = frame.Data.TryGetProperty("callId", out var id) && id.ValueKind == JsonValueKind.String ? InputText.GetString(id, "callId") : null;
        _calls.Signal(by, Ids.Parse(callId, "callId"), sdp, candidate);
    }

    /// <summary>The raw JSON of an optional field; null when absent or null.</summary>
    private static string? Raw(JsonElement data, string name) =>
        data.TryGetProperty(name, out var value) && value.ValueKind is not (JsonValueKind.Null or JsonValueKind.Undefined) ? value.GetRawText() : null;

    [LoggerMessage(Level = LogLevel.Error, Message = "Handling a {Type} frame failed")]
    private static partial void LogFrameFailed(ILogger logger, Exception exception, string? type);
}
