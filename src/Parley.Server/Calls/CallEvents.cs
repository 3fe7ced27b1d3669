using Parley.Server.Events;

namespace Parley.Server.Calls;

/// <summary>
/// One connected device of a user, as the call signalling knows it: the device that acts (sends an invite, an
/// accept, a signal) or the one an event is for. <paramref name="Node"/> names the node the device is connected to
/// when that is not this node (scaled out: its frames were forwarded here); null for this node.
/// </summary>
public readonly record struct CallDevice(long UserId, long DeviceId, string? Node = null);

/// <summary>Why a call ended (docs/calls.md, "End reasons").</summary>
public enum CallEndReason
{
    /// <summary>Either party was in another call: it never rang, only the caller hears of it.</summary>
    Busy,
    NoAnswer,
    Rejected,
    Cancelled,
    HungUp,
    Dropped,
}

public static class CallEndReasons
{
    /// <summary>The name the API uses (<c>no_answer</c>, <c>hung_up</c>, ...).</summary>
    public static string Name(CallEndReason reason) => reason switch
    {
        CallEndReason.Busy => "busy",
        CallEndReason.NoAnswer => "no_answer",
        CallEndReason.Rejected => "rejected",
        CallEndReason.Cancelled => "cancelled",
        CallEndReason.HungUp => "hung_up",
        CallEndReason.Dropped => "dropped",
        _ => throw new ArgumentOutOfRangeException(nameof(reason)),
    };
}

// The call signalling's events (docs/calls.md). Calls live in memory: an event is raised when the call's state has
// changed there, in the order the changes happened; the ActiveCalls row is only the crash-recovery note, and each
// event that follows a row write (CallRinging) is raised after it. Raised under the call's lock, so handlers must
// be quick (Realtime's only write frames into outboxes).

/// <summary>A call rings: its caller's devices wait, its callee's devices show an incoming call.</summary>
public sealed record CallRinging(long CallId, long CallerId, long CalleeId, string Media, DateTimeOffset InvitedAt) : IDomainEvent;

/// <summary>A device of the callee connected while the call rings: it rings there too.</summary>
public sealed record CallIncoming(long CallId, long CallerId, string Media, CallDevice Device) : IDomainEvent;

/// <summary>The callee accepted on <paramref name="AcceptedOn"/>: the call is connected, and that device is the callee's active device.</summary>
public sealed record CallAccepted(long CallId, long CallerId, long CalleeId, CallDevice AcceptedOn, DateTimeOffset AcceptedAt) : IDomainEvent;

/// <summary>
/// An active device's SDP or ICE candidate, for the other party's active device <paramref name="To"/>. Both are raw
/// JSON, relayed verbatim (at least one is present).
/// </summary>
public sealed record CallSignalled(long CallId, long FromUserId, CallDevice To, string? Sdp, string? Candidate) : IDomainEvent;

/// <summary>
/// A party took the call over on <paramref name="ResumedOn"/>. Once connected, the other party's active device
/// (<paramref name="Peer"/>, when it has one) starts a new peer connection.
/// </summary>
public sealed record CallResumed(long CallId, CallDevice ResumedOn, CallDevice? Peer) : IDomainEvent;

/// <summary>
/// <paramref name="Device"/> connected while its user is in this call: what it needs to take part (its user's role,
/// the state, and whether it is its user's active device, having just come back within the grace).
/// </summary>
public sealed record CallStateRestored(
    long CallId,
    CallDevice Device,
    long PeerId,
    string Media,
    bool IsCaller,
    bool Connected,
    bool Active,
    DateTimeOffset? StartedAt) : IDomainEvent;

/// <summary>
/// A call is over (raised once per call, busy ones included), after its parties are free again on every node. Its
/// record follows as a <c>call</c> message (a <c>MessageStored</c>). <paramref name="StartedAt"/> is the accept (null
/// if never accepted) and <paramref name="DurationMs"/> runs from it to <paramref name="EndedAt"/>.
/// </summary>
public sealed record CallEnded(
    long CallId,
    long ConversationId,
    long CallerId,
    long CalleeId,
    string Media,
    CallEndReason Reason,
    DateTimeOffset InvitedAt,
    DateTimeOffset? StartedAt,
    DateTimeOffset EndedAt,
    long DurationMs) : IDomainEvent
{
    /// <summary>Who heard of the call: a busy call never rang on the callee's devices.</summary>
    public IReadOnlyList<long> Audience => Reason == CallEndReason.Busy ? [CallerId] : [CallerId, CalleeId];
}
