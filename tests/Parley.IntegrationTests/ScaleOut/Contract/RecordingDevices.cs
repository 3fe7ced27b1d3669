using System.Collections.Concurrent;
using System.Text;
using System.Threading.Channels;
using Parley.Server.ScaleOut;

namespace Parley.IntegrationTests.ScaleOut.Contract;

/// <summary>
/// One node's devices for the contract tests: the <see cref="ILocalDelivery"/> the routers and presence stores
/// deliver through, recording what each device gets (in arrival order) and, in <see cref="Log"/>, everything that
/// happened on the node in order (frames delivered, changes applied).
/// </summary>
internal sealed class RecordingDevices : ILocalDelivery
{
    private static long _nextId = 1000;
    private readonly ConcurrentDictionary<long, Device[]> _byUser = new();

    public ConcurrentQueue<string> Log { get; } = new();

    public event Action<long, long>? DeviceLeft;

    /// <summary>Adds a device of the user; <c>First</c> when it is the user's first here.</summary>
    public (Device Device, bool First) Add(long userId)
    {
        var device = new Device(Interlocked.Increment(ref _nextId), userId);
        var first = false;
        _byUser.AddOrUpdate(userId, _ => { first = true; return [device]; }, (_, devices) => [.. devices, device]);
        return (device, first);
    }

    /// <summary>Removes the device; true when it was the user's last here.</summary>
    public bool Remove(Device device)
    {
        var last = false;
        while (_byUser.TryGetValue(device.UserId, out var devices))
        {
            var rest = devices.Where(d => d != device).ToArray();
            if (rest.Length == 0 ? _byUser.TryRemove(new KeyValuePair<long, Device[]>(device.UserId, devices)) : _byUser.TryUpdate(device.UserId, rest, devices))
            {
                last = rest.Length == 0;
                break;
            }
        }
        DeviceLeft?.Invoke(device.UserId, device.Id);
        return last;
    }

    public void Publish(IReadOnlyList<long> userIds, ReadOnlyMemory<byte> frame, long exceptConnectionId)
    {
        foreach (var user in userIds)
            if (_byUser.TryGetValue(user, out var devices))
                foreach (var device in devices)
                    if (device.Id != exceptConnectionId) Deliver(device, frame);
    }

    public bool TrySend(long userId, long connectionId, ReadOnlyMemory<byte> frame)
    {
        var device = _byUser.GetValueOrDefault(userId)?.FirstOrDefault(d => d.Id == connectionId);
        if (device is null) return false;
        Deliver(device, frame);
        return true;
    }

    private void Deliver(Device device, ReadOnlyMemory<byte> frame)
    {
        var text = Encoding.UTF8.GetString(frame.Span);
        Log.Enqueue($"frame {device.Id} {text}");
        device.Frames.Writer.TryWrite(text);
    }

    public bool HasDevices(long userId) => _byUser.ContainsKey(userId);

    public IEnumerable<long> UserIds => _byUser.Keys;

    public sealed class Device(long id, long userId)
    {
        public long Id { get; } = id;
        public long UserId { get; } = userId;
        public Channel<string> Frames { get; } = Channel.CreateUnbounded<string>();

        /// <summary>The next frame this device gets (the bound only turns a lost frame into a failure, it measures nothing).</summary>
        public async Task<string> NextAsync()
        {
            using var lost = new CancellationTokenSource(TimeSpan.FromSeconds(15));
            return await Frames.Reader.ReadAsync(lost.Token);
        }
    }
}
