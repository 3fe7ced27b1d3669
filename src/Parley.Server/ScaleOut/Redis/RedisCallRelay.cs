using System.Collections.Concurrent;
using Parley.Server.Storage;

namespace Parley.Server.ScaleOut.Redis;

/// <summary>
/// The call relay across nodes. A call lives on the node whose worker id its id carries; a call frame from a device
/// here for a call of another worker is sent to that worker's channel as an R record, and the frames that node
/// sends back for the device come as D records on this node's channel. When a device that forwarded call frames
/// disconnects, the call's node hears of it (G). The busy check is shared in Redis (<c>busy:{user}</c>).
/// </summary>
public sealed partial class RedisCallRelay : ICallRelay
{
    private readonly RedisNodeBus _bus;
    private readonly ILocalDelivery _local;
    private readonly ILogger<RedisCallRelay> _logger;

    /// <summary>Devices of this node whose call frames went to another node's call: (call id, user) by device id.</summary>
    private readonly ConcurrentDictionary<long, (long CallId, long UserId)> _forwarded = new();

    private IForwardedCallHandler? _handler;

    public RedisCallRelay(RedisNodeBus bus, ILocalDelivery local, ILogger<RedisCallRelay> logger)
    {
        _bus = bus;
        _local = local;
        _logger = logger;
        bus.On<DeviceFrameRecord>(record =>
        {
            local.TrySend(record.UserId, record.DeviceId, record.Frame);
            return ValueTask.CompletedTask;
        });
        bus.On<CallFrameRecord>(OnCallFrameAsync);
        bus.On<DeviceGoneRecord>(record =>
        {
            Handler?.ForwardedDeviceGone(new DeviceAddress(record.Node, record.UserId, record.DeviceId));
            return ValueTask.CompletedTask;
        });
        local.DeviceLeft += OnDeviceLeft;
    }

    private IForwardedCallHandler? Handler
    {
        get
        {
            var handler = Volatile.Read(ref _handler);
            if (handler is null) LogNoHandler(_logger);
            return handler;
        }
    }

    public void Register(IForwardedCallHandler handler)
    {
        if (Interlocked.CompareExchange(ref _handler, handler, null) is not null)
            throw new InvalidOperationException("A handler of forwarded call frames is registered already.");
    }

    public bool SendToDevice(DeviceAddress device, ReadOnlyMemory<byte> frame)
    {
        if (device.Node is null || device.Node == _bus.NodeId) return _local.TrySend(device.UserId, device.DeviceId, frame);
        _bus.SendToNode(device.Node, Envelopes.DeviceFrame(device.UserId, device.DeviceId, frame.Span));
        return true;
    }

    public bool TryForward(long callId, DeviceAddress from, ReadOnlyMemory<byte> rawClientFrame)
    {
        var worker = IdGenerator.WorkerOf(callId);
        if (worker == _bus.WorkerId) return false;
        _forwarded[from.DeviceId] = (callId, from.UserId);
        // Lost if that node is gone: the device gets no answer, as from a call that no longer exists.
        _bus.SendToWorker(worker, Envelopes.CallFrame(_bus.NodeId, from.UserId, from.DeviceId, rawClientFrame.Span));
        return true;
    }

    private async ValueTask OnCallFrameAsync(CallFrameRecord record)
    {
        if (Handler is not { } handler) return;
        await handler.HandleForwardedAsync(new DeviceAddress(record.Node, record.UserId, record.DeviceId), record.Frame, _bus.Stopping);
    }

    private void OnDeviceLeft(long userId, long deviceId)
    {
        if (!_forwarded.TryRemove(deviceId, out var entry)) return;
        _bus.SendToWorker(IdGenerator.WorkerOf(entry.CallId), Envelopes.DeviceGone(_bus.NodeId, userId, deviceId));
    }

    public async Task<bool> TryClaimPartiesAsync(long callId, long callerId, long calleeId)
    {
        try
        {
            return (long)await _bus.Db.ScriptEvaluateAsync(RedisScripts.ClaimParties, [], [_bus.Prefix, _bus.NodeId, callId, callerId, calleeId]) == 1;
        }
        catch (Exception e)
        {
            // Redis away: the busy check is this node's only, rather than no call at all.
            LogClaimFailed(_logger, e, callId);
            return true;
        }
    }

    public async Task ReleasePartiesAsync(long callId, long callerId, long calleeId)
    {
        try
        {
            await _bus.Db.ScriptEvaluateAsync(RedisScripts.ReleaseParties, [], [_bus.Prefix, _bus.NodeId, callId, callerId, calleeId]);
        }
        catch (Exception e)
        {
            LogClaimFailed(_logger, e, callId);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Taking or giving back the parties of call {CallId} in Redis failed")]
    private static partial void LogClaimFailed(ILogger logger, Exception exception, long callId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "A call frame was forwarded to this node before anything registered to handle them; dropped")]
    private static partial void LogNoHandler(ILogger logger);
}
