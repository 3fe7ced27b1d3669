using System.Text.Json;
using System.Text.Json.Serialization;

namespace Parley.Client;

/// <summary><c>call.ringing</c>: to the caller's devices once the server took the invite.</summary>
public sealed record CallRingingData(string CallId, string PeerId, string Media);

/// <summary><c>call.incoming</c>: to the callee's devices.</summary>
public sealed record CallIncomingData(string CallId, string From, string Media);

/// <summary><c>call.accepted</c>: to both parties' devices; a callee device that did not accept stops ringing.</summary>
public sealed record CallAcceptedData(string CallId);

/// <summary><c>call.signal</c>: an SDP or ICE candidate from the other party's active device, as that device sent it.</summary>
public sealed record CallSignal(string CallId, JsonElement? Sdp, JsonElement? Candidate);

/// <summary><c>call.ended</c>: <c>endReason</c> is no_answer, rejected, cancelled, hung_up, busy or dropped.</summary>
public sealed record CallEndedData(string CallId, string EndReason, long DurationMs);

/// <summary>
/// <c>call.state</c>: to a device as it connects while its user is in a call (a ringing callee gets
/// <c>call.incoming</c> instead). <c>Role</c> is caller or callee, <c>State</c> ringing or connected; <c>Active</c>
/// says whether this device is its user's active device in the call; <c>StartedAt</c> is the accept.
/// </summary>
public sealed record CallStateData(string CallId, string PeerId, string Media, string Role, string State, bool Active, DateTimeOffset? StartedAt);

/// <summary><c>call.resumed</c>: the other party took the call over on a new connection: start a new peer connection (the caller offers).</summary>
public sealed record CallResumedData(string CallId);

/// <summary>The content of a <c>call</c> message.</summary>
public sealed record CallRecord(string Media, string InitiatorId, DateTimeOffset? StartedAt, DateTimeOffset EndedAt, long DurationMs, string EndReason);

public sealed record IceServer(
    List<string> Urls,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Username = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Credential = null);

public sealed record IceServersResponse(List<IceServer> IceServers, long? TtlSeconds);
