using System.Buffers;
using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Parley.Server.Http;
using Parley.Server.Messaging;
using Parley.Server.Realtime;
using Parley.Server.ScaleOut;
using Parley.Server.Storage;

namespace Parley.Server.Calls;

public enum CallState
{
    Ringing,
    Connected,
    Ended,
}

/// <summary>One call in memory. Every field after construction is read and written under <c>lock (call)</c>.</summary>
internal sealed class LiveCall
{
    public required long Id { get; init; }
    public required long ConversationId { get; init; }
    public required long CallerId { get; init; }
    public required long CalleeId { get; init; }
    public required string Media { get; init; }
    public required DateTimeOffset InvitedAt { get; init; }

    public CallState State { get; set; } = CallState.Ringing;
    public DateTimeOffset? AcceptedAt { get; set; }

    /// <summary>The caller's inviting device; 0 while it is away (reconnect grace).</summary>
    public long CallerDevice { get; set; }

    /// <summary>The callee's accepting device; 0 while ringing, and while it is away.</summary>
    public long CalleeDevice { get; set; }

    /// <summary>Scaled out: the node of the callee's accepting device when it is not this node's (null: this node).</summary>
    public string? CalleeNode { get; set; }

    /// <summary>Scaled out: the node of the caller's active device when it took over from another node (null: this node).</summary>
    public string? CallerNode { get; set; }

    public ITimer? RingTimer { get; set; }
    public ITimer? CallerGrace { get; set; }
    public ITimer? CalleeGrace { get; set; }

    /// <summary>Whether the parties were taken for this call (in Redis when scaled out), so that its end gives them back.</summary>
    public bool Claimed { get; set; }

    /// <summary>Whether the row in <c>ActiveCalls</c> was written (busy calls never get one).</summary>
    public bool Persisted { get; set; }

    public long PeerOf(long userId) => userId == CallerId ? CalleeId : CallerId;

    public long DeviceOf(long userId) => userId == CallerId ? CallerDevice : CalleeDevice;

    public string? NodeOf(long userId) => userId == CallerId ? CallerNode : CalleeNode;

    public void DisposeTimers()
    {
        RingTimer?.Dispose();
        CallerGrace?.Dispose();
        CalleeGrace?.Dispose();
        RingTimer = CallerGrace = CalleeGrace = null;
    }
}

/// <summary>
/// One-to-one call signalling (docs/calls.md): the server owns each call's state (ringing, connected, ended),
/// relays SDP and ICE candidates between the two active devices only, ends calls on timeouts and disconnects,
/// and stores every ended call as a <c>call</c> message through the <see cref="MessageCommitter"/>.
/// <para>State lives in the memory of the node that took the invite. Scaled out (Redis, <see cref="ICallRelay"/>),
/// frames from a party's device on another node are forwarded here and answered through that node, and the busy
/// check is shared (docs/calls.md, "Limits").</para>
/// </summary>
public sealed partial class CallSignalling
{
    private readonly ConcurrentDictionary<long, LiveCall> _calls = new();

    /// <summary>The call each user is in (ringing or connected): at most one, which is what makes a second one busy.</summary>
    private readonly ConcurrentDictionary<long, LiveCall> _byUser = new();

    /// <summary>Taken to add a call's two parties to <see cref="_byUser"/> at once (removal needs no lock: it only removes its own call).</summary>
    private readonly Lock _admission = new();

    private readonly ConcurrentDictionary<long, InviteWindow> _invites = new();
    private readonly ConcurrentDictionary<long, Task> _recording = new();

    /// <summary>Set once the server's stop has ended the live calls (<see cref="EndAllAsync"/>).</summary>
    private bool _stopping;
    private readonly LocalConnections _connections;
    private readonly IMessageRouter _router;
    private readonly IServiceScopeFactory _scopes;
    private readonly MessageCommitter _committer;
    private readonly IdGenerator _ids;
    private readonly TimeProvider _time;
    private readonly CallsOptions _options;
    private readonly ILogger<CallSignalling> _logger;

    /// <summary>Calls across nodes (in memory: nothing to relay); frames forwarded here come through <see cref="ForwardedCalls"/>.</summary>
    private ICallRelay Relay { get; }

    public CallSignalling(LocalConnections connections, IMessageRouter router, IServiceScopeFactory scopes, MessageCommitter committer,
        IdGenerator ids, CallClock clock, IOptions<CallsOptions> options, ICallRelay relay, ILogger<CallSignalling> logger)
    {
        Relay = relay;
        relay.Register(new ForwardedCalls(this, relay));
        _connections = connections;
        _router = router;
        _scopes = scopes;
        _committer = committer;
        _ids = ids;
        _time = clock.Time;
        _options = options.Value;
        _logger = logger;
        connections.DeviceAdded += OnDeviceAdded;
        connections.DeviceRemoved += OnDeviceRemoved;
    }

    /// <summary>Calls ringing or connected on this node.</summary>
    public int LiveCount => _calls.Count;

    /// <summary>Handles a <c>call.*</c> frame from a device; refusals are thrown as <see cref="ApiProblem"/> (the gateway turns them into error frames).</summary>
    public Task HandleAsync(IDevice connection, ClientFrame frame, CancellationToken cancellationToken)
    {
        // Scaled out: a call made on another node is handled there (its answer comes back from there).
        if (frame.Type != "call.invite" && connection is Connection local
            && frame.Data.ValueKind == JsonValueKind.Object && frame.Data.TryGetProperty("callId", out var idValue)
            && idValue.ValueKind == JsonValueKind.String && Ids.TryParse(idValue.GetString(), out var callId)
            && !_calls.ContainsKey(callId)
            && Relay.TryForward(callId, new DeviceAddress(null, local.UserId, local.Id), JsonSerializer.SerializeToUtf8Bytes(frame, RealtimeJsonContext.Default.ClientFrame)))
            return Task.CompletedTask;
        switch (frame.Type)
        {
            case "call.invite":
                return InviteAsync(connection, frame, cancellationToken);
            case "call.accept":
                return AcceptAsync(connection, frame, cancellationToken);
            case "call.reject":
                Reject(connection, frame);
                return Task.CompletedTask;
            case "call.hangup":
                Hangup(connection, frame);
                return Task.CompletedTask;
            case "call.signal":
                Signal(connection, frame);
                return Task.CompletedTask;
            case "call.resume":
                Resume(connection, frame);
                return Task.CompletedTask;
            default:
                throw ApiProblem.BadRequest("unknown_type", "Unknown call frame type.");
        }
    }

    /// <summary>A call frame forwarded from a device on another node: refusals go back to that device as error frames.</summary>
    internal async Task HandleForwardedAsync(IDevice device, ClientFrame frame, CancellationToken cancellationToken)
    {
        try
        {
            await HandleAsync(device, frame, cancellationToken);
        }
        catch (ApiProblem problem)
        {
            device.Enqueue(Frames.Error(frame.Id, problem.Code, problem.Message));
        }
        catch (JsonException)
        {
            device.Enqueue(Frames.Error(frame.Id, "validation_failed", "The data of this call frame does not have the expected shape."));
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogForwardedFailed(_logger, e, frame.Type);
            device.Enqueue(Frames.Error(frame.Id, "internal_error", "Something went wrong on the server. It has been logged."));
        }
    }

    /// <summary>A device on another node that acted in one of this node's calls went away: as if it left here.</summary>
    internal void ForwardedDeviceGone(long userId, long connectionId)
    {
        if (_byUser.TryGetValue(userId, out var call)) DeviceGone(call, userId, connectionId);
    }

    private async Task InviteAsync(IDevice connection, ClientFrame frame, CancellationToken cancellationToken)
    {
        var body = Data(frame, CallsJsonContext.Default.CallInvite);
        var callerId = connection.UserId;
        var calleeId = Ids.Parse(body.To?.UserId, "to.userId");
        if (body.Media is not ("audio" or "video")) throw ApiProblem.Invalid("media", "media is 'audio' or 'video'.");
        if (calleeId == callerId) throw ApiProblem.Invalid("to.userId", "You cannot call yourself.");
        if (!TakeInvite(callerId))
            throw new ApiProblem(StatusCodes.Status429TooManyRequests, "rate_limited", $"At most {_options.InvitesPerMinute} call invites a minute; wait a little.");

        long conversationId;
        await using (var scope = _scopes.CreateAsyncScope())
        {
            try
            {
                // The same rules as a direct message (friends, no block either way); it also finds or makes the
                // conversation the call's record goes to, so a call that ends after an unfriending is still recorded.
                var grant = await scope.ServiceProvider.GetRequiredService<ConversationAccess>()
                    .ForSendingAsync(callerId, new SendTarget(Ids.Format(calleeId), null, null), cancellationToken);
                conversationId = grant.ConversationId;
            }
            catch (ApiProblem problem) when (problem.Code == "not_friends")
            {
                throw ApiProblem.Forbidden("not_friends", "You can only call your friends.");
            }
        }

        var call = new LiveCall
        {
            Id = _ids.Next(),
            ConversationId = conversationId,
            CallerId = callerId,
            CalleeId = calleeId,
            Media = body.Media,
            InvitedAt = _time.GetUtcNow(),
            CallerDevice = connection.Id,
        };
        var reply = Frames.Encode("ok", frame.Id, new CallRef(Ids.Format(call.Id)), CallsJsonContext.Default.CallRef);

        // Both parties are taken together, under one lock: two friends inviting each other at the same moment must
        // not each take themselves and then find the other taken (both busy, nothing rings). Invites are rare.
        bool busy;
        lock (_admission)
        {
            busy = _byUser.ContainsKey(callerId) || _byUser.ContainsKey(calleeId);
            if (!busy)
            {
                _byUser[callerId] = call;
                _byUser[calleeId] = call;
            }
        }
        // Scaled out, the parties may be in a call held by another node: taken there too (nothing to take on one node).
        if (!busy)
        {
            if (await Relay.TryClaimPartiesAsync(call.Id, callerId, calleeId)) call.Claimed = true;
            else busy = true;
        }
        if (busy)
        {
            // Refused by the state of things, not by a rule: the caller gets the call's id, then its end.
            await connection.SendAsync(reply);
            End(call, "busy");
            return;
        }

        _calls[call.Id] = call;
        // Checked after the call is in _calls, as EndAllAsync sets the flag before it ends what is in _calls: either it
        // ends this call, or this sees the flag (both sides are full fences). A call that starts once the stop has
        // ended the others would ring with nobody left to end it.
        if (Volatile.Read(ref _stopping) || cancellationToken.IsCancellationRequested)
        {
            lock (call) call.State = CallState.Ended;
            Forget(call);
            throw new ApiProblem(StatusCodes.Status503ServiceUnavailable, "server_stopping", "The server is shutting down; call again in a moment.");
        }
        try
        {
            // Not cancellable: a write cut short by the stop could be stored without the call ringing, or the reverse.
            // Once started it runs to its end; whatever the stop did meanwhile is settled just below.
            await using var scope = _scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<ParleyDb>();
            db.ActiveCalls.Add(new ActiveCall
            {
                Id = call.Id,
                ConversationId = call.ConversationId,
                CallerId = callerId,
                CalleeId = calleeId,
                Media = call.Media,
                InvitedAt = call.InvitedAt,
            });
            await db.SaveChangesAsync(CancellationToken.None);
        }
        catch
        {
            // Not stored: it never rang (if the stop ended it meanwhile, its record is on its way and that is all).
            lock (call) call.State = CallState.Ended;
            Forget(call);
            throw;
        }

        lock (call)
        {
            if (call.State == CallState.Ringing)
            {
                call.Persisted = true;
                Ring(call, connection, reply);
                return;
            }
        }
        // Ended while its row was being written (the server is stopping): its end was sent and its record is on
        // its way; the row must not outlive it. Should the process die before this delete, the next start finds the
        // row and records the call as dropped again, which stores nothing new (the record's clientMsgId is the call's).
        await DeleteRowAsync(call.Id);
    }

    private void Ring(LiveCall call, IDevice connection, byte[] reply)
    {
        var (callerId, calleeId) = (call.CallerId, call.CalleeId);
        lock (call)
        {
            connection.Enqueue(reply);
            _router.Publish([callerId], Frames.Encode("call.ringing", null,
                new CallRinging(Ids.Format(call.Id), Ids.Format(calleeId), call.Media), CallsJsonContext.Default.CallRinging));
            _router.Publish([calleeId], Frames.Encode("call.incoming", null,
                new CallIncoming(Ids.Format(call.Id), Ids.Format(callerId), call.Media), CallsJsonContext.Default.CallIncoming));
            call.RingTimer = _time.CreateTimer(_ => EndIf(call, CallState.Ringing, "no_answer"), null, _options.RingTimeout, Timeout.InfiniteTimeSpan);
        }
    }

    private async Task AcceptAsync(IDevice connection, ClientFrame frame, CancellationToken cancellationToken)
    {
        var call = Find(frame);
        DateTimeOffset acceptedAt;
        lock (call)
        {
            if (call.State != CallState.Ringing || connection.UserId != call.CalleeId) throw NotFound();
            acceptedAt = _time.GetUtcNow();
            call.State = CallState.Connected;
            call.AcceptedAt = acceptedAt;
            call.CalleeDevice = connection.Id;
            call.CalleeNode = connection.Node;
            call.RingTimer?.Dispose();
            call.RingTimer = null;
            // The callee's other devices stop ringing on this: they did not send the accept.
            _router.Publish([call.CallerId, call.CalleeId],
                Frames.Encode("call.accepted", null, new CallAccepted(Ids.Format(call.Id)), CallsJsonContext.Default.CallAccepted));
        }
        try
        {
            await using var scope = _scopes.CreateAsyncScope();
            // Not cancellable either: a stop must not lose the start of a call that was accepted.
            await scope.ServiceProvider.GetRequiredService<ParleyDb>().ActiveCalls.Where(c => c.Id == call.Id)
                .ExecuteUpdateAsync(set => set.SetProperty(c => c.AcceptedAt, acceptedAt), CancellationToken.None);
        }
        catch (Exception e)
        {
            // Only the duration of a crash-dropped call's record depends on it.
            LogRowFailed(_logger, e, call.Id);
        }
        // After the row: once the accept is acknowledged, a crash records the call with its start.
        await connection.SendAsync(Frames.Empty("ok", frame.Id));
    }

    private void Reject(IDevice connection, ClientFrame frame)
    {
        var call = Find(frame);
        lock (call)
        {
            if (call.State != CallState.Ringing || connection.UserId != call.CalleeId) throw NotFound();
            connection.Enqueue(Frames.Empty("ok", frame.Id));
            End(call, "rejected");
        }
    }

    private void Hangup(IDevice connection, ClientFrame frame)
    {
        var call = Find(frame);
        lock (call)
        {
            var reason = call.State switch
            {
                // While ringing, the caller cancels from any of their devices, and a callee's hang-up is a decline.
                CallState.Ringing when connection.UserId == call.CallerId => "cancelled",
                CallState.Ringing when connection.UserId == call.CalleeId => "rejected",
                CallState.Connected when connection.Id == call.DeviceOf(connection.UserId) => "hung_up",
                _ => throw NotFound(),
            };
            connection.Enqueue(Frames.Empty("ok", frame.Id));
            End(call, reason);
        }
    }

    /// <summary>
    /// A device of a party takes the call over as that party's active device (after a page reload or a reconnect,
    /// when it starts a new peer connection): the grace, if running, stops; the device that was active before (if
    /// still connected) is out of the call; once connected, the other party's active device gets
    /// <c>call.resumed</c> and starts a new peer connection too (the caller sends a fresh offer).
    /// </summary>
    private void Resume(IDevice connection, ClientFrame frame)
    {
        var call = Find(frame);
        lock (call)
        {
            var user = connection.UserId;
            var caller = user == call.CallerId;
            // While ringing only the caller has an active device (the inviting one); the callee answers with call.accept.
            if (call.State == CallState.Ended || (!caller && user != call.CalleeId) || (call.State == CallState.Ringing && !caller)) throw NotFound();
            if (caller)
            {
                call.CallerGrace?.Dispose();
                call.CallerGrace = null;
                call.CallerDevice = connection.Id;
                call.CallerNode = connection.Node;
            }
            else
            {
                call.CalleeGrace?.Dispose();
                call.CalleeGrace = null;
                call.CalleeDevice = connection.Id;
                call.CalleeNode = connection.Node;
            }
            if (call.State == CallState.Connected)
            {
                var peer = call.PeerOf(user);
                var peerDevice = call.DeviceOf(peer);
                // Before the ok, on the peer's socket before anything this device signals next: the peer sees
                // call.resumed before the fresh offer (or is itself away, and resumes later).
                if (peerDevice != 0)
                    SendToDevice(peer, peerDevice, call.NodeOf(peer),
                        Frames.Encode("call.resumed", null, new CallResumed(Ids.Format(call.Id)), CallsJsonContext.Default.CallResumed));
            }
            connection.Enqueue(Frames.Empty("ok", frame.Id));
        }
    }

    private void Signal(IDevice connection, ClientFrame frame)
    {
        if (frame.Data.ValueKind != JsonValueKind.Object) throw ApiProblem.Invalid("data", "data must be an object.");
        var callId = frame.Data.TryGetProperty("callId", out var id) && id.ValueKind == JsonValueKind.String ? id.GetString() : null;
        var sdp = Present(frame.Data, "sdp", _options.MaxSdpBytes);
        var candidate = Present(frame.Data, "candidate", _options.MaxCandidateBytes);
        if (sdp is null && candidate is null) throw ApiProblem.Invalid("sdp", "A signal carries an sdp or a candidate.");

        var call = Find(callId);
        lock (call)
        {
            var user = connection.UserId;
            if (user != call.CallerId && user != call.CalleeId) throw NotFound();
            if (call.State == CallState.Ringing)
            {
                if (user == call.CallerId && connection.Id == call.CallerDevice)
                    throw ApiProblem.Conflict("call_not_connected", "The call has not been accepted yet: send the offer after call.accepted.");
                throw NotFound();
            }
            if (connection.Id != call.DeviceOf(user)) throw NotFound();
            var peer = call.PeerOf(user);
            var peerDevice = call.DeviceOf(peer);
            if (peerDevice == 0 || !SendToDevice(peer, peerDevice, call.NodeOf(peer), RelayFrame(call.Id, sdp, candidate)))
                throw ApiProblem.Conflict("call_not_connected", "The other party is reconnecting; send it again in a moment.");
            connection.Enqueue(Frames.Empty("ok", frame.Id));
        }
    }

    /// <summary>To the party's active device, on this node or (scaled out) another; false when it is not connected here.</summary>
    private bool SendToDevice(long userId, long deviceId, string? node, byte[] frame)
    {
        if (node is null) return _connections.TrySend(userId, deviceId, frame);
        return Relay.SendToDevice(new DeviceAddress(node, userId, deviceId), frame);
    }

    /// <summary>The raw JSON of an optional field (null when absent or null), limited in size.</summary>
    private static string? Present(JsonElement data, string name, int maxBytes)
    {
        if (!data.TryGetProperty(name, out var value) || value.ValueKind is JsonValueKind.Null or JsonValueKind.Undefined) return null;
        var raw = value.GetRawText();
        if (Encoding.UTF8.GetByteCount(raw) > maxBytes) throw ApiProblem.Invalid(name, $"'{name}' is limited to {maxBytes} bytes.");
        return raw;
    }

    private static byte[] RelayFrame(long callId, string? sdp, string? candidate)
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

    private void EndIf(LiveCall call, CallState expected, string reason)
    {
        lock (call)
        {
            if (call.State == expected) End(call, reason);
        }
    }

    /// <summary>Ends the call (once): both parties' devices get <c>call.ended</c>, and its record is stored.</summary>
    private void End(LiveCall call, string reason)
    {
        long durationMs;
        DateTimeOffset endedAt;
        DateTimeOffset? startedAt;
        bool persisted;
        bool claimed;
        lock (call)
        {
            if (call.State == CallState.Ended) return;
            persisted = call.Persisted;
            call.State = CallState.Ended;
            call.DisposeTimers();
            endedAt = _time.GetUtcNow();
            startedAt = call.AcceptedAt;
            durationMs = startedAt is null ? 0 : Math.Max(0, (long)(endedAt - startedAt.Value).TotalMilliseconds);
            claimed = call.Claimed;
            call.Claimed = false;
        }
        // The parties are free, on this node and (scaled out) on every node, before anyone hears of the end: whoever
        // hears it may call again at once. A busy call never rang on the callee's devices: only the caller hears of it.
        Forget(call);
        IReadOnlyList<long> recipients = reason == "busy" ? [call.CallerId] : [call.CallerId, call.CalleeId];
        var ended = Frames.Encode("call.ended", null, new CallEnded(Ids.Format(call.Id), reason, durationMs), CallsJsonContext.Default.CallEnded);
        var record = new CallRecord(call.Media, Ids.Format(call.CallerId), startedAt, endedAt, durationMs, reason);
        if (claimed)
        {
            // The record (a msg.new) follows call.ended, as on one node.
            Track(call.Id, ReleaseThenEndAsync(call, recipients, ended, record, persisted));
            return;
        }
        _router.Publish(recipients, ended);
        Track(call.Id, StoreRecordAsync(call.Id, call.ConversationId, call.CallerId, call.CalleeId, record, deleteRow: persisted));
    }

    private async Task ReleaseThenEndAsync(LiveCall call, IReadOnlyList<long> recipients, byte[] ended, CallRecord record, bool persisted)
    {
        await Relay.ReleasePartiesAsync(call.Id, call.CallerId, call.CalleeId);
        _router.Publish(recipients, ended);
        await StoreRecordAsync(call.Id, call.ConversationId, call.CallerId, call.CalleeId, record, deleteRow: persisted);
    }

    private void Forget(LiveCall call)
    {
        if (call.Claimed)
        {
            call.Claimed = false;
            _ = Relay.ReleasePartiesAsync(call.Id, call.CallerId, call.CalleeId);
        }
        _calls.TryRemove(new KeyValuePair<long, LiveCall>(call.Id, call));
        _byUser.TryRemove(new KeyValuePair<long, LiveCall>(call.CallerId, call));
        _byUser.TryRemove(new KeyValuePair<long, LiveCall>(call.CalleeId, call));
    }

    private void Track(long callId, Task task)
    {
        _recording[callId] = task;
        _ = task.ContinueWith(_ => _recording.TryRemove(new KeyValuePair<long, Task>(callId, task)), CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    /// <summary>Stores the call's record (idempotent: its clientMsgId is <c>call:&lt;callId&gt;</c>), then deletes its <c>ActiveCalls</c> row.</summary>
    private async Task StoreRecordAsync(long callId, long conversationId, long callerId, long calleeId, CallRecord record, bool deleteRow)
    {
        try
        {
            var pending = new PendingMessage(senderDeviceId: 0)
            {
                ConversationId = conversationId,
                SenderId = callerId,
                ClientMsgId = $"call:{Ids.Format(callId)}",
                Type = MessageType.Call,
                Content = JsonSerializer.Serialize(record, CallsJsonContext.Default.CallRecord),
                Recipients = [callerId, calleeId],
            };
            await _committer.EnqueueAsync(pending, CancellationToken.None);
            await pending.Stored.Task;
            if (!deleteRow) return;
            await DeleteRowAsync(callId);
        }
        catch (Exception e)
        {
            // The row (if any) stays, so the next start records the call as dropped.
            LogRecordFailed(_logger, e, callId);
        }
    }

    private async Task DeleteRowAsync(long callId)
    {
        await using var scope = _scopes.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<ParleyDb>().ActiveCalls.Where(c => c.Id == callId).ExecuteDeleteAsync(CancellationToken.None);
    }

    /// <summary>At start-up: a call that was live when the server died ends as <c>dropped</c>.</summary>
    internal Task RecordLeftoverAsync(ActiveCall row)
    {
        var endedAt = _time.GetUtcNow();
        var durationMs = row.AcceptedAt is null ? 0 : Math.Max(0, (long)(endedAt - row.AcceptedAt.Value).TotalMilliseconds);
        var record = new CallRecord(row.Media, Ids.Format(row.CallerId), row.AcceptedAt, endedAt, durationMs, "dropped");
        return StoreRecordAsync(row.Id, row.ConversationId, row.CallerId, row.CalleeId, record, deleteRow: true);
    }

    /// <summary>At shutdown: every live call ends as <c>dropped</c>, and its record is stored before the message writer stops.</summary>
    internal async Task EndAllAsync(CancellationToken cancellationToken)
    {
        // From here on invites are refused (server_stopping): nothing would be left to end a call that rang now.
        Interlocked.Exchange(ref _stopping, true);
        foreach (var call in _calls.Values) End(call, "dropped");
        await Task.WhenAll(_recording.Values).WaitAsync(cancellationToken);
    }

    private void OnDeviceRemoved(Connection connection)
    {
        try
        {
            if (!_byUser.TryGetValue(connection.UserId, out var call)) return;
            DeviceGone(call, connection.UserId, connection.Id);
        }
        catch (Exception e)
        {
            LogDeviceEventFailed(_logger, e, connection.UserId);
        }
    }

    private void DeviceGone(LiveCall call, long userId, long deviceId)
    {
        lock (call)
        {
            if (call.State == CallState.Ended) return;
            if (userId == call.CallerId && call.CallerDevice == deviceId)
            {
                call.CallerDevice = 0;
                call.CallerNode = null;
                call.CallerGrace = StartGrace(call, caller: true);
            }
            else if (userId == call.CalleeId && call.CalleeDevice == deviceId)
            {
                call.CalleeDevice = 0;
                call.CalleeNode = null;
                call.CalleeGrace = StartGrace(call, caller: false);
            }
        }
    }

    private ITimer StartGrace(LiveCall call, bool caller)
    {
        ITimer? timer = null;
        lock (call)
        {
            timer = _time.CreateTimer(_ =>
            {
                lock (call)
                {
                    // A timer that fires just as it is replaced or cancelled must not end the call.
                    if (call.State != CallState.Ended && (caller ? call.CallerGrace : call.CalleeGrace) == timer) End(call, "dropped");
                }
            }, null, _options.ReconnectGrace, Timeout.InfiniteTimeSpan);
            return timer;
        }
    }

    private void OnDeviceAdded(Connection connection)
    {
        try
        {
            if (!_byUser.TryGetValue(connection.UserId, out var call)) return;
            lock (call)
            {
                if (call.State == CallState.Ended) return;
                // A callee device that connects while the call rings (a reloaded page, a phone woken by a push)
                // rings too: otherwise the call could only be answered from devices that were online at the invite.
                if (call.State == CallState.Ringing && call.Persisted && connection.UserId == call.CalleeId)
                {
                    connection.Enqueue(Frames.Encode("call.incoming", null,
                        new CallIncoming(Ids.Format(call.Id), Ids.Format(call.CallerId), call.Media), CallsJsonContext.Default.CallIncoming));
                    return;
                }
                // The first device of the party to come back within the grace takes over as its active device.
                if (connection.UserId == call.CallerId && call.CallerGrace is not null)
                {
                    call.CallerGrace.Dispose();
                    call.CallerGrace = null;
                    call.CallerDevice = connection.Id;
                    call.CallerNode = null;
                }
                else if (connection.UserId == call.CalleeId && call.CalleeGrace is not null)
                {
                    call.CalleeGrace.Dispose();
                    call.CalleeGrace = null;
                    call.CalleeDevice = connection.Id;
                    call.CalleeNode = null;
                }
                // A call still being admitted (its row not yet written) has not rung: nobody has heard of it yet.
                if (!call.Persisted) return;
                // Tell the device about the call its user is in, and whether it is that user's active device: a
                // reloaded page learns it is in a call, and can take it over with call.resume or hang up.
                var caller = connection.UserId == call.CallerId;
                connection.Enqueue(Frames.Encode("call.state", null, new CallStateEvent(
                    Ids.Format(call.Id),
                    Ids.Format(call.PeerOf(connection.UserId)),
                    call.Media,
                    caller ? "caller" : "callee",
                    call.State == CallState.Connected ? "connected" : "ringing",
                    call.DeviceOf(connection.UserId) == connection.Id,
                    call.AcceptedAt), CallsJsonContext.Default.CallStateEvent));
            }
        }
        catch (Exception e)
        {
            LogDeviceEventFailed(_logger, e, connection.UserId);
        }
    }

    private LiveCall Find(ClientFrame frame) => Find(Data(frame, CallsJsonContext.Default.CallRef).CallId);

    private LiveCall Find(string? callId) =>
        _calls.TryGetValue(Ids.Parse(callId, "callId"), out var call) ? call : throw NotFound();

    /// <summary>Calls one is not a party of, ended calls and actions from the wrong device all look the same: nothing to see.</summary>
    private static ApiProblem NotFound() => ApiProblem.NotFound("call_not_found", "There is no such call for you to do that to.");

    private bool TakeInvite(long userId)
    {
        var now = _time.GetUtcNow();
        if (_invites.Count > 10_000)
            foreach (var (user, old) in _invites)
                if (now - old.Start >= TimeSpan.FromMinutes(1)) _invites.TryRemove(new KeyValuePair<long, InviteWindow>(user, old));
        var window = _invites.GetOrAdd(userId, _ => new InviteWindow { Start = now });
        lock (window)
        {
            if (now - window.Start >= TimeSpan.FromMinutes(1))
            {
                window.Start = now;
                window.Count = 0;
            }
            if (window.Count >= _options.InvitesPerMinute) return false;
            window.Count++;
            return true;
        }
    }

    private sealed class InviteWindow
    {
        public DateTimeOffset Start { get; set; }
        public int Count { get; set; }
    }

    private static T Data<T>(ClientFrame frame, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> info) =>
        frame.Data.ValueKind == JsonValueKind.Object
            ? frame.Data.Deserialize(info) ?? throw ApiProblem.Invalid("data", "data is required.")
            : throw ApiProblem.Invalid("data", "data must be an object.");

    [LoggerMessage(Level = LogLevel.Error, Message = "Storing the record of call {CallId} failed; it will be recorded as dropped at the next start")]
    private static partial void LogRecordFailed(ILogger logger, Exception exception, long callId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Updating the row of call {CallId} failed")]
    private static partial void LogRowFailed(ILogger logger, Exception exception, long callId);

    [LoggerMessage(Level = LogLevel.Error, Message = "Handling a {Type} frame forwarded from another node failed")]
    private static partial void LogForwardedFailed(ILogger logger, Exception exception, string? type);

    [LoggerMessage(Level = LogLevel.Error, Message = "Handling a device of user {UserId} coming or going failed for its call")]
    private static partial void LogDeviceEventFailed(ILogger logger, Exception exception, long userId);
}
