using System.Text.Json;
using Parley.Server.Http;

namespace Parley.Server.Messaging;

/// <summary>The other person of a direct conversation; <c>name</c> is what to show: my remark for them, else their nickname.</summary>
/// <summary>The other person of a direct conversation; <c>bot: true</c> only for a bot (made through the platform API).</summary>
public sealed record PeerSummary(string Id, string Nickname, string? Avatar, string? Remark, string Name,
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)] bool? Bot = null);

public sealed record GroupSummary(string Id, string Name, string? Icon, int MemberCount);

/// <summary>
/// The newest message I still see: <c>preview</c> in one line (see <see cref="MessagePreview"/>), and the structure a
/// client words it from itself (docs/conversations.md): <c>content</c> for a <c>call</c> or <c>system</c> message
/// (the call record, the group event), <c>file</c> for a message with an attachment; both null otherwise and once
/// the message is recalled.
/// </summary>
public sealed record LastMessagePreview(string Id, long Seq, string SenderId, string Type, string Preview, DateTimeOffset SentAt, bool Recalled,
    JsonElement? Content, JsonElement? File,
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)] DateTimeOffset? EditedAt = null)
{
    internal static LastMessagePreview Of(LastMessageFields m)
    {
        var structured = m.Type is MessageType.Call or MessageType.System;
        return new LastMessagePreview(Ids.Format(m.Id), m.Seq, Ids.Format(m.SenderId), MessageTypes.Name(m.Type),
            MessagePreview.Of(m.Type, m.Content, m.File, m.Recalled), m.SentAt, m.Recalled,
            m.Recalled || !structured ? null : Parse(m.Content),
            m.Recalled || m.File is null ? null : Parse(m.File),
            m.EditedAt);
    }

    private static JsonElement? Parse(string json)
    {
        try
        {
            using var document = JsonDocument.Parse(json);
            return document.RootElement.Clone();
        }
        catch (JsonException)
        {
            return null;
        }
    }
}

/// <summary>One row of the conversation list.</summary>
public sealed record ConversationView(
    string Id,
    string Kind,
    PeerSummary? Peer,
    bool? Online,
    GroupSummary? Group,
    LastMessagePreview? LastMessage,
    DateTimeOffset LastActivityAt,
    long LastSeq,
    long ReadSeq,
    long UnreadCount,
    bool Pinned,
    bool Muted,
    bool Hidden,
    bool Mentioned,
    long? PeerReadSeq,
    int? MessageTtlSeconds);

public sealed record ConversationPage(List<ConversationView> Conversations, string? NextCursor);

/// <summary>
/// Per-user settings, and the shared <c>messageTtlSeconds</c> (<see cref="ConversationRetention"/>); absent fields stay as
/// they are, and <c>messageTtlSeconds: null</c> turns disappearing messages off.
/// </summary>
public sealed record UpdateConversationBody(bool? Pinned, bool? Muted, bool? Hidden, TtlSetting MessageTtlSeconds = default);

/// <summary>The <c>conversation.updated</c> event to the user's own devices.</summary>
public sealed record ConversationSettings(string ConversationId, bool Pinned, bool Muted, bool Hidden);

public sealed record Reader(string UserId, long ReadSeq);

/// <summary>Who has read a message: counts for every member; the lists only for the message's sender.</summary>
public sealed record ReceiptsView(string MessageId, long Seq, int ReadCount, int MemberCount, List<Reader>? ReadBy, List<string>? UnreadBy);
