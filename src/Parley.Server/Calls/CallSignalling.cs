using System.Collections.Concurrent;
using System.Text;
using Microsoft.Extensions.Options;
using Parley.Server.Events;
using Parley.Server.Http;
using Parley.Server.Messaging;
using Parley.Server.ScaleOut;
using Parley.Server.Storage;

namespace Parley.Server.Calls;

/// <summary>
/// One-to-one call signalling (docs/calls.md): the server owns each call's state (ringing, connected, ended), lets
/// the two active devices exchange SDP and ICE candidates, ends calls on timeouts and disconnects, and has every
/// ended call recorded (<see cref="CallRecords"/>).
/// <para>It speaks no wire. Each operation takes the acting device and the request's data, and returns its result or
/// throws an <see cref="ApiProblem"/>; what the parties must hear is raised as an event (<see cref="CallRinging"/>,
/// <see cref="CallEnded"/>, ...; see CallEvents.cs), addressed to users or to one device, which Realtime turns into
/// frames. Realtime also says when a device of this node connects or leaves.</para>
/// <para>State lives in the memory of the node that took the invite. Scaled out, Realtime forwards the frames of a
/// party's device on another node here (<see cref="Holds"/> says which calls are here), the acting device then names
/// its node, and the busy check is shared through the relay (docs/calls.md, "Limits").</para>
/// </summary>
public sealed partial class CallSignalling
{
    private readonly ConcurrentDictionary<long, LiveCall> _calls = new();

    /// <summary>The call each user is in (ringing or connected): at most one, which is what makes a second one busy.</summary>
    private readonly ConcurrentDictionary<long, LiveCall> _byUser = new();

    /// <summary>Taken to add a call's two parties to <see cref="_byUser"/> at once (removal needs no lock: it only removes its own call).</summary>
    private readonly Lock _admission = new();

    /// <summary>Ends on their way (giving the parties back, storing the record), awaited by the stop.</summary>
    private readonly ConcurrentDictionary<long, Task> _ending = new();

    /// <summary>Set once the server's stop has ended the live calls (<see cref="EndAllAsync"/>).</summary>
    private bool _stopping;

    private readonly IServiceScopeFactory _scopes;
    private readonly CallRecords _records;
    private readonly InviteLimit _invites;
    private readonly DomainEvents _events;
    private readonly IdGenerator _ids;
    private readonly TimeProvider _time;
    private readonly CallsOptions _options;
    private readonly ICallRelay _relay;
    private readonly ILogger<CallSignalling> _logger;

    public CallSignalling(IServiceScopeFactory scopes, CallRecords records, InviteLimit invites, DomainEvents events, IdGenerator ids,
        CallClock clock, IOptions<CallsOptions> options, ICallRelay relay, ILogger<CallSignalling> logger)
    {
        _scopes = scopes;
        _records = records;
        _invites = invites;
        _events = events;
        _ids = ids;
        _time = clock.Time;
        _options = options.Value;
        // The busy check across nodes (in memory: every party is free there).
        _relay = relay;
        _logger = logger;
    }

    /// <summary>Calls ringing or connected on this node.</summary>
    public int LiveCount => _calls.Count;

    /// <summary>Whether the call lives on this node (scaled out, a call made elsewhere is served by its own node).</summary>
    public bool Holds(long callId) => _calls.ContainsKey(callId);

    /// <summary>
    /// <paramref name="by"/> calls <paramref name="calleeId"/>. Returns the call's id, also when the call is refused
    /// by the state of things (either party busy: it then ends at once as <c>busy</c>, which only the caller hears).
    /// Otherwise the call rings (<see cref="CallRinging"/>) once its row is written.
    /// </summary>
    public async Task<long> InviteAsync(CallDevice by, long calleeId, string? media, CancellationToken cancellationToken)
    {
        var callerId = by.UserId;
        if (media is not ("audio" or "video")) throw ApiProblem.Invalid("media", "media is 'audio' or 'video'.");
        if (calleeId == callerId) throw ApiProblem.Invalid("to.userId", "You cannot call yourself.");
        if (!_invites.TryTake(callerId))
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
            Caller = new Party(callerId),
            Callee = new Party(calleeId),
            Media = media,
            InvitedAt = _time.GetUtcNow(),
        };
        call.Caller.TakeOver(by);

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
            if (await _relay.TryClaimPartiesAsync(call.Id, callerId, calleeId)) call.Claimed = true;
            else busy = true;
        }
        if (busy)
        {
            // Refused by the state of things, not by a rule: the caller gets the call's id, and its end.
            End(call, CallEndReason.Busy);
            return call.Id;
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
            await _records.AddRowAsync(call);
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
                Raise(new CallRinging(call.Id, callerId, calleeId, call.Media, call.InvitedAt));
                call.RingTimer = _time.CreateTimer(_ => EndIf(call, CallState.Ringing, CallEndReason.NoAnswer), null,
                    _options.RingTimeout, Timeout.InfiniteTimeSpan);
                return call.Id;
            }
        }
        // Ended while its row was being written (the server is stopping): its end was raised and its record is on its
        // way; the row must not outlive it. Should the process die before this delete, the next start finds the row
        // and records the call as dropped again, which stores nothing new (the record's clientMsgId is the call's).
        await _records.DeleteRowAsync(call.Id);
        return call.Id;
    }

    /// <summary>
    /// A callee device accepts a ringing call: connected, <see cref="CallAccepted"/> raised, and the device is the
    /// callee's active device. Completes once the row notes the accept, so that a crash after it records the start.
    /// </summary>
    public async Task AcceptAsync(CallDevice by, long callId)
    {
        var call = Find(callId);
        DateTimeOffset acceptedAt;
        lock (call)
        {
            if (call.State != CallState.Ringing || by.UserId != call.CalleeId) throw NotFound();
            acceptedAt = _time.GetUtcNow();
            call.State = CallState.Connected;
            call.AcceptedAt = acceptedAt;
            call.Callee.TakeOver(by);
            call.RingTimer?.Dispose();
            call.RingTimer = null;
            // The callee's other devices stop ringing on this: they did not send the accept.
            Raise(new CallAccepted(call.Id, call.CallerId, call.CalleeId, by, acceptedAt));
        }
        // Not cancellable either: a stop must not lose the start of a call that was accepted.
        await _records.MarkAcceptedAsync(call.Id, acceptedAt);
    }

    /// <summary>A callee device declines a ringing call: it ends as <c>rejected</c>.</summary>
    public void Reject(CallDevice by, long callId)
    {
        var call = Find(callId);
        lock (call)
        {
            if (call.State != CallState.Ringing || by.UserId != call.CalleeId) throw NotFound();
            End(call, CallEndReason.Rejected);
        }
    }

    /// <summary>
    /// Ends the call: while ringing, the caller cancels from any of their devices and a callee's hang-up is a
    /// decline; once connected, only an active device hangs up.
    /// </summary>
    public void Hangup(CallDevice by, long callId)
    {
        var call = Find(callId);
        lock (call)
        {
            var reason = call.State switch
            {
                CallState.Ringing when by.UserId == call.CallerId => CallEndReason.Cancelled,
                CallState.Ringing when by.UserId == call.CalleeId => CallEndReason.Rejected,
                CallState.Connected when call.PartyOf(by.UserId)?.IsActive(by) == true => CallEndReason.HungUp,
                _ => throw NotFound(),
            };
            End(call, reason);
        }
    }

    /// <summary>
    /// A device of a party takes the call over as that party's active device (after a page reload or a reconnect,
    /// when it starts a new peer connection): the grace, if running, stops; the device that was active before (if
    /// still connected) is out of the call; once connected, the other party's active device hears of it
    /// (<see cref="CallResumed"/>) and starts a new peer connection too (the caller sends a fresh offer).
    /// </summary>
    public void Resume(CallDevice by, long callId)
    {
        var call = Find(callId);
        lock (call)
        {
            var party = call.PartyOf(by.UserId);
            // While ringing only the caller has an active device (the inviting one); the callee answers with an accept.
            if (call.State == CallState.Ended || party is null || (call.State == CallState.Ringing && party == call.Callee)) throw NotFound();
            party.TakeOver(by);
            Raise(new CallResumed(call.Id, by, call.State == CallState.Connected ? call.Other(party).ActiveDevice : null));
        }
    }

    /// <summary>
    /// An active device's SDP and/or ICE candidate (raw JSON, relayed verbatim) for the other party's active device
    /// (<see cref="CallSignalled"/>). Refused <c>call_not_connected</c> before the accept, and while the other party
    /// has no active device (reconnect grace).
    /// </summary>
    public void Signal(CallDevice by, long callId, string? sdp, string? candidate)
    {
        CheckSize("sdp", sdp, _options.MaxSdpBytes);
        CheckSize("candidate", candidate, _options.MaxCandidateBytes);
        if (sdp is null && candidate is null) throw ApiProblem.Invalid("sdp", "A signal carries an sdp or a candidate.");

        var call = Find(callId);
        lock (call)
        {
            var party = call.PartyOf(by.UserId) ?? throw NotFound();
            if (call.State == CallState.Ringing)
            {
                if (party == call.Caller && party.IsActive(by))
                    throw ApiProblem.Conflict("call_not_connected", "The call has not been accepted yet: send the offer after call.accepted.");
                throw NotFound();
            }
            if (call.State != CallState.Connected || !party.IsActive(by)) throw NotFound();
            var peer = call.Other(party).ActiveDevice
                ?? throw ApiProblem.Conflict("call_not_connected", "The other party is reconnecting; send it again in a moment.");
            Raise(new CallSignalled(call.Id, by.UserId, peer, sdp, candidate));
        }
    }

    private static void CheckSize(string name, string? json, int maxBytes)
    {
        if (json is not null && Encoding.UTF8.GetByteCount(json) > maxBytes)
            throw ApiProblem.Invalid(name, $"'{name}' is limited to {maxBytes} bytes.");
    }

    /// <summary>
    /// A device of this node connected. While its user's call rings, a callee device rings too (a reloaded page, a
    /// phone woken by a push: otherwise only devices online at the invite could answer); otherwise the device learns
    /// about the call (<see cref="CallStateRestored"/>), and the first device of a party that comes back within the
    /// grace takes over as its active device.
    /// </summary>
    public void DeviceConnected(CallDevice device)
    {
        try
        {
            if (!_byUser.TryGetValue(device.UserId, out var call)) return;
            lock (call)
            {
                if (call.State == CallState.Ended) return;
                if (call.State == CallState.Ringing && call.Persisted && device.UserId == call.CalleeId)
                {
                    Raise(new CallIncoming(call.Id, call.CallerId, call.Media, device));
                    return;
                }
                var party = call.PartyOf(device.UserId)!;
                if (party.Grace is not null) party.TakeOver(device);
                // A call still being admitted (its row not yet written) has not rung: nobody has heard of it yet.
                if (!call.Persisted) return;
                Raise(new CallStateRestored(call.Id, device, call.Other(party).UserId, call.Media, party == call.Caller,
                    call.State == CallState.Connected, party.IsActive(device), call.AcceptedAt));
            }
        }
        catch (Exception e)
        {
            LogDeviceEventFailed(_logger, e, device.UserId);
        }
    }

    /// <summary>
    /// A device left: of this node, or of another node that had sent frames for one of this node's calls. If it was
    /// its party's active device, the reconnect grace starts; when it runs out, the call ends as <c>dropped</c>.
    /// </summary>
    public void DeviceDisconnected(CallDevice device)
    {
        try
        {
            if (!_byUser.TryGetValue(device.UserId, out var call)) return;
            lock (call)
            {
                if (call.State == CallState.Ended) return;
                var party = call.PartyOf(device.UserId);
                if (party is not null && party.IsActive(device)) party.Leave(StartGrace(call, party));
            }
        }
        catch (Exception e)
        {
            LogDeviceEventFailed(_logger, e, device.UserId);
        }
    }

    private ITimer StartGrace(LiveCall call, Party party)
    {
        ITimer? timer = null;
        lock (call)
        {
            timer = _time.CreateTimer(_ =>
            {
                lock (call)
                {
                    // A timer that fires just as it is replaced or cancelled must not end the call.
                    if (call.State != CallState.Ended && party.Grace == timer) End(call, CallEndReason.Dropped);
                }
            }, null, _options.ReconnectGrace, Timeout.InfiniteTimeSpan);
            return timer;
        }
    }

    private void EndIf(LiveCall call, CallState expected, CallEndReason reason)
    {
        lock (call)
        {
            if (call.State == expected) End(call, reason);
        }
    }

    /// <summary>Ends the call (once): <see cref="CallEnded"/> is raised once its parties are free, and its record is stored.</summary>
    private void End(LiveCall call, CallEndReason reason)
    {
        CallEnded ended;
        bool persisted;
        bool claimed;
        lock (call)
        {
            if (call.State == CallState.Ended) return;
            persisted = call.Persisted;
            call.State = CallState.Ended;
            call.DisposeTimers();
            var endedAt = _time.GetUtcNow();
            var startedAt = call.AcceptedAt;
            var durationMs = startedAt is null ? 0 : Math.Max(0, (long)(endedAt - startedAt.Value).TotalMilliseconds);
            ended = new CallEnded(call.Id, call.ConversationId, call.CallerId, call.CalleeId, call.Media, reason,
                call.InvitedAt, startedAt, endedAt, durationMs);
            claimed = call.Claimed;
            call.Claimed = false;
        }
        // The parties are free, on this node and (scaled out) on every node, before anyone hears of the end: whoever
        // hears it may call again at once. The record (a msg.new) follows the end.
        Forget(call);
        if (claimed)
        {
            Track(call.Id, ReleaseThenEndAsync(ended, persisted));
            return;
        }
        Raise(ended);
        Track(call.Id, _records.StoreAsync(ended, deleteRow: persisted));
    }

    private async Task ReleaseThenEndAsync(CallEnded ended, bool persisted)
    {
        await _relay.ReleasePartiesAsync(ended.CallId, ended.CallerId, ended.CalleeId);
        Raise(ended);
        await _records.StoreAsync(ended, deleteRow: persisted);
    }

    private void Forget(LiveCall call)
    {
        if (call.Claimed)
        {
            call.Claimed = false;
            _ = _relay.ReleasePartiesAsync(call.Id, call.CallerId, call.CalleeId);
        }
        _calls.TryRemove(new KeyValuePair<long, LiveCall>(call.Id, call));
        _byUser.TryRemove(new KeyValuePair<long, LiveCall>(call.CallerId, call));
        _byUser.TryRemove(new KeyValuePair<long, LiveCall>(call.CalleeId, call));
    }

    private void Track(long callId, Task task)
    {
        _ending[callId] = task;
        _ = task.ContinueWith(_ => _ending.TryRemove(new KeyValuePair<long, Task>(callId, task)), CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    /// <summary>Handlers run in this flow (often under the call's lock) and are quick; one that is not finishes on its own.</summary>
    private void Raise<TEvent>(TEvent domainEvent) where TEvent : IDomainEvent
    {
        var pending = _events.PublishAsync(domainEvent);
        if (!pending.IsCompletedSuccessfully) _ = pending.AsTask();
    }

    /// <summary>At shutdown: every live call ends as <c>dropped</c>, and its record is stored before the message writer stops.</summary>
    internal async Task EndAllAsync(CancellationToken cancellationToken)
    {
        // From here on invites are refused (server_stopping): nothing would be left to end a call that rang now.
        Interlocked.Exchange(ref _stopping, true);
        foreach (var call in _calls.Values) End(call, CallEndReason.Dropped);
        await Task.WhenAll(_ending.Values).WaitAsync(cancellationToken);
    }

    private LiveCall Find(long callId) => _calls.TryGetValue(callId, out var call) ? call : throw NotFound();

    /// <summary>Calls one is not a party of, ended calls and actions from the wrong device all look the same: nothing to see.</summary>
    private static ApiProblem NotFound() => ApiProblem.NotFound("call_not_found", "There is no such call for you to do that to.");

    [LoggerMessage(Level = LogLevel.Error, Message = "Handling a device of user {UserId} coming or going failed for its call")]
    private static partial void LogDeviceEventFailed(ILogger logger, Exception exception, long userId);
}
