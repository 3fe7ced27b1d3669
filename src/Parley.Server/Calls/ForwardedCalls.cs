using System.Text.Json;
using Parley.Server.Realtime;
using Parley.Server.ScaleOut;

namespace Parley.Server.Calls;

/// <summary>
/// Scaled out: call frames that devices on other nodes sent for this node's calls, handed to
/// <see cref="CallSignalling"/> as if from a device here (<see cref="RelayedDevice"/>), whose answers go back
/// through the relay.
/// </summary>
internal sealed class ForwardedCalls(CallSignalling calls, ICallRelay relay) : IForwardedCallHandler
{
    public Task HandleForwardedAsync(DeviceAddress from, ReadOnlyMemory<byte> rawClientFrame, CancellationToken cancellationToken)
    {
        var frame = JsonSerializer.Deserialize(rawClientFrame.Span, RealtimeJsonContext.Default.ClientFrame);
        return frame is null ? Task.CompletedTask : calls.HandleForwardedAsync(new RelayedDevice(relay, from), frame, cancellationToken);
    }

    public void ForwardedDeviceGone(DeviceAddress device) => calls.ForwardedDeviceGone(device.UserId, device.DeviceId);

    /// <summary>A device connected to another node, acting in one of this node's calls.</summary>
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
}
