namespace Parley.Client;

/// <summary>A direct conversation's other person; <see cref="Name"/> is my remark for them, else their nickname.</summary>
public sealed record ConversationPeer(string Id, string Nickname, string? Avatar, string? Remark, string Name);

public sealed record ConversationGroup(string Id, string Name, string? Icon, int MemberCount);

/// <summary>The newest message I still see, in one line: text cut short, or a label such as <c>[image]</c> or <c>[recalled]</c>.</summary>
public sealed record LastMessagePreview(string Id, long Seq, string SenderId, string Type, string Preview, DateTimeOffset SentAt, bool Recalled);

/// <summary>One row of the conversation list (<c>kind</c> is <c>direct</c> or <c>group</c>).</summary>
public sealed record ConversationSummary(
    string Id,
    string Kind,
    ConversationPeer? Peer,
    bool? Online,
    ConversationGroup? Group,
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

public sealed record ConversationPage(List<ConversationSummary> Conversations, string? NextCursor);

public sealed record MessageReader(string UserId, long ReadSeq);

/// <summary>How many other members have read a message; <see cref="ReadBy"/> and <see cref="UnreadBy"/> only for its sender.</summary>
public sealed record MessageReceipts(string MessageId, long Seq, int ReadCount, int MemberCount, List<MessageReader>? ReadBy, List<string>? UnreadBy);
