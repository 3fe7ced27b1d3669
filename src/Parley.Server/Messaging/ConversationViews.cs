namespace Parley.Server.Messaging;

/// <summary>The other person of a direct conversation; <c>name</c> is what to show: my remark for them, else their nickname.</summary>
public sealed record PeerSummary(string Id, string Nickname, string? Avatar, string? Remark, string Name);

public sealed record GroupSummary(string Id, string Name, string? Icon, int MemberCount);

/// <summary>The newest message I still see, in one line (see <see cref="MessagePreview"/>).</summary>
public sealed record LastMessagePreview(string Id, long Seq, string SenderId, string Type, string Preview, DateTimeOffset SentAt, bool Recalled);

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
    long? PeerReadSeq);

public sealed record ConversationPage(List<ConversationView> Conversations, string? NextCursor);

/// <summary>Per-user settings; absent fields stay as they are.</summary>
public sealed record UpdateConversationBody(bool? Pinned, bool? Muted, bool? Hidden);

/// <summary>The <c>conversation.updated</c> event to the user's own devices.</summary>
public sealed record ConversationSettings(string ConversationId, bool Pinned, bool Muted, bool Hidden);

public sealed record Reader(string UserId, long ReadSeq);

/// <summary>Who has read a message: counts for every member; the lists only for the message's sender.</summary>
public sealed record ReceiptsView(string MessageId, long Seq, int ReadCount, int MemberCount, List<Reader>? ReadBy, List<string>? UnreadBy);
