using System.Buffers;
using System.Collections.Concurrent;
using System.Text.Json;
using Parley.Server.Calls;
using Parley.Server.Events;
using Parley.Server.Http;
using Parley.Server.ScaleOut;

namespace Parley.Server.Realtime;

/// <summary>
/// The call signalling's events as frames (docs/calls.md, "Frames"): those for users go through the router to every
/// device of theirs on every node; those for one device (a relayed signal, <c>call.resumed</c>, what a connecting
/// device is told) are written into its outbox when it is on this node, or sent to its node through the relay.
/// <para><b>The answer first.</b> API.md promises <c>ok</c>, then the <c>call.*</c> events, for an invite, a reject and
/// a hang-up, but the events are raised while the request is served, before its answer exists. So while a device
/// waits for that answer (<see cref="Hold"/>), the call frames for it wait too, and follow the answer in the order they
/// were raised; its user's other devices get them at once. One device per user is held at a time (two devices of one
/// user answering call requests at the same instant: the second is not held).</para>
/// </summary>
public sealed class CallEventFrames(IMessageRouter router, ICallRelay relay) :
    IDomainEventHandler<CallRinging>,
    IDomainEventHandler<CallIncoming>,
    IDomainEventHandler<CallAccepted>,
    IDomainEventHandler<CallSignalled>,
    IDomainEventHandler<CallResumed>,
    IDomainEventHandler<CallStateRestored>,
    IDomainEventHandler<CallEnded>
{
    /// <summary>By user: the device of theirs waiting for the answer to its call request, and the frames held for it.</summary>
    private readonly ConcurrentDictionary<long, Held> _held = new();

    public static void Subscribe(IServiceCollection services)
    {
        services.AddEventHandler<CallRinging, CallEventFrames>();
        services.AddEventHandler<CallIncoming, CallEventFrames>();
        services.AddEventHandler<CallAccepted, CallEventFrames>();
        services.AddEventHandler<CallSignalled, CallEventFrames>();
        services.AddEventHandler<CallResumed, CallEventFrames>();
        services.AddEventHandler<CallStateRestored, CallEventFrames>();
        services.AddEventHandler<CallEnded, CallEventFrames>();
    }

    public ValueTask HandleAsync(CallRinging e, CancellationToken cancellationToken)
    {
        var callId = Ids.Format(e.CallId);
        Publish(e.CallerId, Frames.Encode("call.ringing", null,
            new CallRingingData(callId, Ids.Format(e.CalleeId), e.Media), RealtimeJsonContext.Default.CallRingingData));
        Publish(e.CalleeId, Incoming(callId, e.CallerId, e.Media));
        return ValueTask.CompletedTask;
    }

    public ValueTask HandleAsync(CallIncoming e, CancellationToken cancellationToken)
    {
        Deliver(e.Device, Incoming(Ids.Format(e.CallId), e.CallerId, e.Media));
        return ValueTask.CompletedTask;
    }

    public ValueTask HandleAsync(CallAccepted e, CancellationToken cancellationToken)
    {
        var frame = Frames.Encode("call.accepted", null, new CallAcceptedData(Ids.Format(e.CallId)), RealtimeJsonContext.Default.CallAcceptedData);
        Publish(e.CallerId, frame);
        Publish(e.CalleeId, frame);
        return ValueTask.CompletedTask;
    }

    public ValueTask HandleAsync(CallSignalled e, CancellationToken cancellationToken)
    {
        Deliver(e.To, SignalFrame(e.CallId, e.Sdp, e.Candidate));
        return ValueTask.CompletedTask;
    }

    public ValueTask HandleAsync(CallResumed e, CancellationToken cancellationToken)
    {
        // Before the resuming device's ok, on the peer's socket before anything that device signals next: the peer
        // sees call.resumed before the fresh offer (or is itself away, and resumes later).
        if (e.Peer is { } peer)
            Deliver(peer, Frames.Encode("call.resumed", null, new CallResumedData(Ids.Format(e.CallId)), RealtimeJsonContext.Default.CallResumedData));
        return ValueTask.CompletedTask;
    }

    public ValueTask HandleAsync(CallStateRestored e, CancellationToken cancellationToken)
    {
        Deliver(e.Device, Frames.Encode("call.state", null, new CallStateData(
            Ids.Format(e.CallId),
            Ids.Format(e.PeerId),
            e.Media,
            e.IsCaller ? "caller" : "callee",
            e.Connected ? "connected" : "ringing",
            e.Active,
            e.StartedAt), RealtimeJsonContext.Default.CallStateData));
        return ValueTask.CompletedTask;
    }

    public ValueTask HandleAsync(CallEnded e, CancellationToken cancellationToken)
    {
        var frame = Frames.Encode("call.ended", null,
            new CallEndedData(Ids.Format(e.CallId), CallEndReasons.Name(e.Reason), e.DurationMs), RealtimeJsonContext.Default.CallEndedData);
        foreach (var user in e.Audience) Publish(user, frame);
        return ValueTask.CompletedTask;
    }

    private static byte[] Incoming(string callId, long callerId, string media) =>
        Frames.Encode("call.incoming", null, new CallIncomingData(callId, Ids.Format(callerId), media), RealtimeJsonContext.Default.CallIncomingData);

    /// <summary>To every device of the user, on every node (a held device gets it after its answer).</summary>
    private void Publish(long userId, byte[] frame)
    {
        if (_held.IsEmpty || !_held.TryGetValue(userId, out var held))
        {
            router.Publish([userId], frame);
            return;
        }
        router.Publish([userId], frame, held.Device.DeviceId);
        if (!held.TryAdd(frame)) Send(held.Device, frame);
    }

    /// <summary>To one device (a held device gets it after its answer).</summary>
    private void Deliver(CallDevice device, byte[] frame)
    {
        if (!_held.IsEmpty && _held.TryGetValue(device.UserId, out var held) && held.Device.DeviceId == device.DeviceId && held.TryAdd(frame)) return;
        Send(device, frame);
    }

    /// <summary>Writes a frame to one device: into its outbox on this node, or through its node (best effort: lost if it is gone).</summary>
    internal void Send(CallDevice device, ReadOnlyMemory<byte> frame) =>
        relay.SendToDevice(new DeviceAddress(device.Node, device.UserId, device.DeviceId), frame);

    /// <summary>
    /// Until the returned hold is released (right after the device's answer is written), call frames for this device
    /// wait; null when another device of the user is held already (then nothing waits).
    /// </summary>
    internal Held? Hold(CallDevice device)
    {
        var held = new Held(this, device);
        return _held.TryAdd(device.UserId, held) ? held : null;
    }

    internal sealed class Held(CallEventFrames owner, CallDevice device)
    {
        private List<byte[]>? _frames = [];

        public CallDevice Device => device;

        public bool TryAdd(byte[] frame)
        {
            lock (this)
            {
                _frames?.Add(frame);
                return _frames is not null;
            }
        }

        /// <summary>Sends what was held, in order, and holds no more.</summary>
        public void Release()
        {
            owner._held.TryRemove(new KeyValuePair<long, Held>(device.UserId, this));
            // Under the lock: a frame raised meanwhile is sent after these, not before.
            lock (this)
            {
                foreach (var frame in _frames!) owner.Send(device, frame);
                _frames = null;
            }
        }
    }

    /// <summary><c>call.signal</c> with the sender's <c>sdp</c> and <c>candidate</c> copied in as they came: no parse, no re-serialisation.</summary>
    private static byte[] SignalFrame(long callId, string? sdp, string? candidate)
    {
        var buffer = new ArrayBufferWriter<byte>(256 + (sdp?.Length ?? 0) + (candidate?.Length ?? 0));
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("type", "call.signal");
            writer.WriteStartObject("data");
            writer.WriteString("callId", Ids.Format(callId));
            if (sdp is not null)
            {
                writer.WritePropertyName("sdp");
                writer.WriteRawValue(sdp, skipInputValidation: true);
            }
            if (candidate is not null)
            {
                writer.WritePropertyName("candidate");
                writer.WriteRawValue(candidate, skipInputValidation: true);
            }
            writer.WriteEndObject();
            writer.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }
}
