namespace Parley.Server.ScaleOut;

/// <summary>One connected device, wherever it is: <paramref name="Node"/> names the node it is connected to (null: this node).</summary>
public readonly record struct DeviceAddress(string? Node, long UserId, long DeviceId);

/// <summary>
/// What the call signalling needs to span nodes. A call lives on the node that took its invite, which the call's
/// id names (its worker id); a call frame from a device on another node is forwarded there, and that node answers
/// and relays to the device through the node the device is connected to. In memory (one node) nothing is ever
/// forwarded and every party is free across nodes.
/// </summary>
public interface ICallRelay
{
    /// <summary>
    /// Sends a frame to one device (never waits). On this node (<see cref="DeviceAddress.Node"/> null or this node's
    /// name) it is written at once, and false means the device is not connected here; on another node it is sent
    /// there (best effort: lost if that device or node is gone) and the answer is true.
    /// </summary>
    bool SendToDevice(DeviceAddress device, ReadOnlyMemory<byte> frame);

    /// <summary>
    /// Forwards a call frame, exactly as the device sent it, from a device of this node (<paramref name="from"/>,
    /// node null) to the node holding the call; false when the call lives on this node (handle it here).
    /// </summary>
    bool TryForward(long callId, DeviceAddress from, ReadOnlyMemory<byte> rawClientFrame);

    /// <summary>
    /// Takes both parties for the call on every node (the busy check across nodes): false when either is in a call
    /// held by a live node. A claim of a node that died without goodbye counts as free.
    /// </summary>
    Task<bool> TryClaimPartiesAsync(long callId, long callerId, long calleeId);

    /// <summary>
    /// Gives the parties back once the call ended (only claims that are still this call's). Completes when that is
    /// done everywhere, so that <c>call.ended</c> can follow it: whoever hears of the end may call again at once,
    /// on any node. Never throws (a failure is logged; the claim then lapses with the node's heartbeat).
    /// </summary>
    Task ReleasePartiesAsync(long callId, long callerId, long calleeId);

    /// <summary>
    /// Names who handles call frames forwarded to this node (once, at start: the relay holds no reference to the
    /// call signalling otherwise, so neither needs the other to be built first). Until then they are dropped.
    /// </summary>
    void Register(IForwardedCallHandler handler);
}

/// <summary>Receives what other nodes forward to the calls living on this node (see <see cref="ICallRelay.Register"/>).</summary>
public interface IForwardedCallHandler
{
    /// <summary>
    /// A device on another node (<paramref name="from"/>, its node set) sent this call frame for a call of this
    /// node. Forwarded frames are handed over one at a time, in the order they arrived.
    /// </summary>
    Task HandleForwardedAsync(DeviceAddress from, ReadOnlyMemory<byte> rawClientFrame, CancellationToken cancellationToken);

    /// <summary>A device on another node that had forwarded call frames here disconnected.</summary>
    void ForwardedDeviceGone(DeviceAddress device);
}
