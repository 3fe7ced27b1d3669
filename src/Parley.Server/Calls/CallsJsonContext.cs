using System.Text.Json;
using System.Text.Json.Serialization;
using Parley.Server.Http;

namespace Parley.Server.Calls;

public sealed record CallTarget(string? UserId);

public sealed record CallInvite(CallTarget? To, string? Media);

public sealed record CallRef(string? CallId);

public sealed record CallRinging(string CallId, string PeerId, string Media);

public sealed record CallIncoming(string CallId, string From, string Media);

public sealed record CallAccepted(string CallId);

public sealed record CallResumed(string CallId);

/// <summary><c>call.state</c>: the call a device's user is in, sent to the device as it connects.</summary>
public sealed record CallStateEvent(
    string CallId,
    string PeerId,
    string Media,
    string Role,
    string State,
    bool Active,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] DateTimeOffset? StartedAt);

public sealed record CallEnded(string CallId, string EndReason, long DurationMs);

/// <summary>The content of a <c>call</c> message.</summary>
public sealed record CallRecord(
    string Media,
    string InitiatorId,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] DateTimeOffset? StartedAt,
    DateTimeOffset EndedAt,
    long DurationMs,
    string EndReason);

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, Converters = [typeof(Json.UtcMillisecondsConverter)])]
[JsonSerializable(typeof(CallInvite))]
[JsonSerializable(typeof(CallRef))]
[JsonSerializable(typeof(CallRinging))]
[JsonSerializable(typeof(CallIncoming))]
[JsonSerializable(typeof(CallAccepted))]
[JsonSerializable(typeof(CallEnded))]
[JsonSerializable(typeof(CallResumed))]
[JsonSerializable(typeof(CallStateEvent))]
[JsonSerializable(typeof(CallRecord))]
internal sealed partial class CallsJsonContext : JsonSerializerContext;
