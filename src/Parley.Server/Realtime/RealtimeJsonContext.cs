using System.Text.Json;
using System.Text.Json.Serialization;
using Parley.Server.Accounts;
using Parley.Server.Http;
using Parley.Server.Messaging;
using Parley.Server.Social.Friends;
using Parley.Server.Social.Groups;

namespace Parley.Server.Realtime;

/// <summary>A frame from a client: <c>{"type", "id"?, "data"?}</c>.</summary>
public sealed record ClientFrame(string? Type, string? Id, JsonElement Data)
{
    /// <summary>The frame's <c>data</c> object as <typeparamref name="T"/>; a missing or non-object <c>data</c> is a validation error.</summary>
    public T ReadData<T>(System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> info) =>
        Data.ValueKind == JsonValueKind.Object
            ? Data.Deserialize(info) ?? throw ApiProblem.Invalid("data", "data is required.")
            : throw ApiProblem.Invalid("data", "data must be an object.");
}

public sealed record SyncRequest(Dictionary<string, long>? Conversations);

public sealed record ConversationRef(string? ConversationId);

public sealed record ReadRequest(string? ConversationId, long? Seq);

public sealed record EditRequest(string? ConversationId, string? MessageId, JsonElement? Content);

public sealed record Presence(string UserId, bool Online);

public sealed record Typing(string ConversationId, string UserId);

/// <summary><c>conversation.updated</c> when the shared disappearing-messages setting changes; <c>messageTtlSeconds</c> null when off.</summary>
public sealed record ConversationTtl(string ConversationId, int? MessageTtlSeconds);

/// <summary>The end of a sync: how many messages it sent, and the conversations it refused (not found, or no longer readable).</summary>
public sealed record SyncDone(int Messages, List<string> Refused);

public sealed record ReadDone(long Seq);

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, UseStringEnumConverter = true,
    Converters = [typeof(Json.UtcMillisecondsConverter), typeof(CamelCaseEnumConverter<GroupRole>),
        typeof(CamelCaseEnumConverter<RequestStatus>), typeof(CamelCaseEnumConverter<Sex>)])]
[JsonSerializable(typeof(MessageAck))]
[JsonSerializable(typeof(ReadReceipt))]
[JsonSerializable(typeof(FrameError))]
[JsonSerializable(typeof(Presence))]
[JsonSerializable(typeof(Typing))]
[JsonSerializable(typeof(ConversationTtl))]
[JsonSerializable(typeof(SyncDone))]
[JsonSerializable(typeof(ReadDone))]
[JsonSerializable(typeof(ConversationSettings))]
[JsonSerializable(typeof(RecallData))]
[JsonSerializable(typeof(EditData))]
[JsonSerializable(typeof(ReactionData))]
[JsonSerializable(typeof(DeletionData))]
[JsonSerializable(typeof(ClearedData))]
[JsonSerializable(typeof(FriendRequestEvent))]
[JsonSerializable(typeof(FriendAddedEvent))]
[JsonSerializable(typeof(FriendRemovedEvent))]
[JsonSerializable(typeof(GroupUpdatedEvent))]
[JsonSerializable(typeof(GroupMembersEvent))]
[JsonSerializable(typeof(GroupMemberLeftEvent))]
[JsonSerializable(typeof(GroupDissolvedEvent))]
[JsonSerializable(typeof(GroupJoinRequestEvent))]
[JsonSerializable(typeof(CallInviteData))]
[JsonSerializable(typeof(CallRefData))]
[JsonSerializable(typeof(CallRingingData))]
[JsonSerializable(typeof(CallIncomingData))]
[JsonSerializable(typeof(CallAcceptedData))]
[JsonSerializable(typeof(CallResumedData))]
[JsonSerializable(typeof(CallStateData))]
[JsonSerializable(typeof(CallEndedData))]
internal sealed partial class RealtimeJsonContext : JsonSerializerContext;

/// <summary>
/// What clients send: every string goes through <see cref="Json.TextConverter"/> (no NUL, valid Unicode), and so does
/// every name and string inside free-form data (<see cref="FreeFormConverter"/>), so no bad
/// text reaches a handler. Kept apart from <see cref="RealtimeJsonContext"/>, whose frames are written on the hot path
/// by the generated fast path, which a custom string converter would switch off.
/// </summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, UseStringEnumConverter = true, Converters = [typeof(Json.TextConverter), typeof(FreeFormConverter)])]
[JsonSerializable(typeof(ClientFrame))]
[JsonSerializable(typeof(SendMessageBody))]
[JsonSerializable(typeof(SyncRequest))]
[JsonSerializable(typeof(ReadRequest))]
[JsonSerializable(typeof(EditRequest))]
[JsonSerializable(typeof(ConversationRef))]
[JsonSerializable(typeof(CallInviteData))]
[JsonSerializable(typeof(CallRefData))]
internal sealed partial class ClientFrameJsonContext : JsonSerializerContext;
