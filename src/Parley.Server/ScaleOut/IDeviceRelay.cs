using Parley.Server.Realtime;

namespace Parley.Server.ScaleOut;

/// <summary>
/// Scaled out only (Redis): what the call signalling needs to span nodes. A call lives on the node that took its
/// invite, which is named by the call's id (its worker id); call frames from a device on another node are
/// forwarded there, and that node answers and relays to the device on its node.
/// </summary>
public interface IDeviceRelay
{
    /// <summary>Sends a frame to one device connected to another node (never waits; lost if it is gone).</summary>
    void SendToDevice(string node, long userId, long connectionId, ReadOnlyMemory<byte> frame);

    /// <summary>Forwards a device's call frame to the node holding the call; false when that is this node.</summary>
    bool TryForwardCall(long callId, Connection device, ClientFrame frame);

    /// <summary>
    /// Takes both parties for the call on every node (the busy check across nodes): false when either is in a call
    /// held by a live node. A claim of a node that died without goodbye counts as free.
    /// </summary>
    Task<bool> TryClaimPartiesAsync(long callId, long callerId, long calleeId);

    /// <summary>
    /// Gives the parties back once the call ended (only claims that are still this call's). Completes when Redis
    /// has done it, so that <c>call.ended</c> can follow it: whoever hears of the end may call again at once, on any
    /// node. Never throws (a failure is logged; the claim then lapses with the node's heartbeat).
    /// </summary>
    Task ReleasePartiesAsync(long callId, long callerId, long calleeId);
}
