using System.Text.Json;
using System.Text.Json.Serialization;
using Parley.Server.Http;

namespace Parley.Server.Calls;

/// <summary>The content of a <c>call</c> message (docs/calls.md, "Records").</summary>
public sealed record CallRecord(
    string Media,
    string InitiatorId,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] DateTimeOffset? StartedAt,
    DateTimeOffset EndedAt,
    long DurationMs,
    string EndReason);

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, Converters = [typeof(Json.UtcMillisecondsConverter)])]
[JsonSerializable(typeof(CallRecord))]
internal sealed partial class CallsJsonContext : JsonSerializerContext;
