using System.Text.Json.Serialization;

namespace Parley.Server.Realtime;

// The data of the call frames (docs/calls.md, "Frames"), both ways. Serialised by RealtimeJsonContext.

public sealed record CallTarget(string? UserId);

/// <summary><c>call.invite</c>.</summary>
public sealed record CallInviteData(CallTarget? To, string? Media);

/// <summary><c>call.accept</c>, <c>call.reject</c>, <c>call.hangup</c>, <c>call.resume</c>; and the invite's <c>ok</c>.</summary>
public sealed record CallRefData(string? CallId);

public sealed record CallRingingData(string CallId, string PeerId, string Media);

public sealed record CallIncomingData(string CallId, string From, string Media);

public sealed record CallAcceptedData(string CallId);

public sealed record CallResumedData(string CallId);

/// <summary><c>call.state</c>: the call a device's user is in, sent to the device as it connects.</summary>
public sealed record CallStateData(
    string CallId,
    string PeerId,
    string Media,
    string Role,
    string State,
    bool Active,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] DateTimeOffset? StartedAt);

public sealed record CallEndedData(string CallId, string EndReason, long DurationMs);
