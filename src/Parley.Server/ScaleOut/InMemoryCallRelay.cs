namespace Parley.Server.ScaleOut;

/// <summary>One node: every call and every device is here; nothing is forwarded, and the busy check is the call signalling's own.</summary>
public sealed class InMemoryCallRelay(ILocalDelivery local) : ICallRelay
{
    public bool SendToDevice(DeviceAddress device, ReadOnlyMemory<byte> frame) =>
        device.Node is null && local.TrySend(device.UserId, device.DeviceId, frame);

    public bool TryForward(long callId, DeviceAddress from, ReadOnlyMemory<byte> rawClientFrame) => false;

    public Task<bool> TryClaimPartiesAsync(long callId, long callerId, long calleeId) => Task.FromResult(true);

    public Task ReleasePartiesAsync(long callId, long callerId, long calleeId) => Task.CompletedTask;

    // Nothing is ever forwarded to a single node.
    public void Register(IForwardedCallHandler handler)
    {
    }
}
