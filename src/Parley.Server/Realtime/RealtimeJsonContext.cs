using System.Text.Json;
using System.Text.Json.Serialization;
using Parley.Server.Http;
using Parley.Server.Messaging;

namespace Parley.Server.Realtime;

/// <summary>A frame from a client: <c>{"type", "id"?, "data"?}</c>.</summary>
public sealed record ClientFrame(string? Type, string? Id, JsonElement Data);

public sealed record SyncRequest(Dictionary<string, long>? Conversations);

public sealed record ConversationRef(string? ConversationId);

public sealed record ReadRequest(string? ConversationId, long? Seq);

public sealed record Presence(string UserId, bool Online);

public sealed record Typing(string ConversationId, string UserId);

/// <summary>The end of a sync: how many messages it sent, and the conversations it refused (not found, or no longer readable).</summary>
public sealed record SyncDone(int Messages, List<string> Refused);

public sealed record ReadDone(long Seq);

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, UseStringEnumConverter = true,
    Converters = [typeof(Json.UtcMillisecondsConverter)])]
[JsonSerializable(typeof(ClientFrame))]
[JsonSerializable(typeof(SendMessageBody))]
[JsonSerializable(typeof(SyncRequest))]
[JsonSerializable(typeof(ReadRequest))]
[JsonSerializable(typeof(ConversationRef))]
[JsonSerializable(typeof(MessageAck))]
[JsonSerializable(typeof(ReadReceipt))]
[JsonSerializable(typeof(FrameError))]
[JsonSerializable(typeof(Presence))]
[JsonSerializable(typeof(Typing))]
[JsonSerializable(typeof(SyncDone))]
[JsonSerializable(typeof(ReadDone))]
[JsonSerializable(typeof(MessageRecalled))]
[JsonSerializable(typeof(MessageDeleted))]
[JsonSerializable(typeof(ConversationCleared))]
internal sealed partial class RealtimeJsonContext : JsonSerializerContext;
