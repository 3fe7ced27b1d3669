namespace Parley.Client;

/// <summary>A direct conversation's other person; <see cref="Name"/> is my remark for them, else their nickname.</summary>
/// <summary>The other person of a direct conversation; <see cref="Bot"/> true for a bot made through the platform API.</summary>
public sealed record PeerSummary(string Id, string Nickname, string? Avatar, string? Remark, string Name, bool? Bot = null);

public sealed record GroupSummary(string Id, string Name, string? Icon, int MemberCount);

/// <summary>The newest message I still see, in one line: text cut short, or a label such as <c>[image]</c> or <c>[recalled]</c>.</summary>
public sealed record LastMessagePreview(string Id, long Seq, string SenderId, string Type, string Preview, DateTimeOffset SentAt, bool Recalled,
    DateTimeOffset? EditedAt = null);

/// <summary>One row of the conversation list (<c>kind</c> is <c>direct</c> or <c>group</c>).</summary>
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
    int? MessageTtlSeconds = null);

public sealed record ConversationPage(List<ConversationView> Conversations, string? NextCursor);

public sealed record Reader(string UserId, long ReadSeq);

/// <summary>How many other members have read a message; <see cref="ReadBy"/> and <see cref="UnreadBy"/> only for its sender.</summary>
public sealed record ReceiptsView(string MessageId, long Seq, int ReadCount, int MemberCount, List<Reader>? ReadBy, List<string>? UnreadBy);
