namespace Parley.Server.Messaging;

public static class MessageRules
{
    public const int MaxClientMsgIdLength = 64;
    public const int MaxTextLength = 4000;
    public const int MaxEmojiLength = 64;
    public const int MaxCaptionLength = 1000;
    public const int MaxFileNameLength = 255;
    public const int MaxUrlLength = 2048;
    public const long MaxFileBytes = 1L << 30;

    /// <summary>Types a client may send; call and system messages are made by the server.</summary>
    public static bool ClientMaySend(MessageType type) => type is >= MessageType.Text and <= MessageType.File;

    public static bool CarriesFile(MessageType type) => type is MessageType.Image or MessageType.Voice or MessageType.Video or MessageType.File;
}

public sealed class MessagingOptions
{
    public const string Section = "Messaging";

    /// <summary>
    /// Most messages written in one transaction (one fsync). Only reached under overload, where a bigger batch
    /// spreads each conversation's index pages and the fsync over more messages: measured, 2,048 delivered about a
    /// fifth more per CPU-second than 512 at 20,000 msgs/s offered (docs/benchmarks.md).
    /// </summary>
    public int MaxBatch { get; set; } = 2048;

    /// <summary>Sends waiting for the writer before senders are made to wait (back-pressure).</summary>
    public int QueueCapacity { get; set; } = 20_000;

    /// <summary>Most messages in one history page or one sync batch.</summary>
    public int MaxPage { get; set; } = 200;

    /// <summary>
    /// Most conversations one <c>msg.sync</c> frame may name (more is refused with <c>too_many_conversations</c>);
    /// <c>{}</c> ("everything unread") is not limited by it, being the user's own conversations.
    /// </summary>
    public int MaxSyncConversations { get; set; } = 1_000;

    /// <summary>How long after sending the sender may recall a message (owners and admins recall others' messages at any time).</summary>
    public TimeSpan RecallWindow { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>How long after sending the sender may edit a text message (<c>Messaging:EditWindow</c>).</summary>
    public TimeSpan EditWindow { get; set; } = TimeSpan.FromHours(24);

    /// <summary>A typist's <c>typing</c> is relayed at most once per this interval and conversation (a big group is not flooded).</summary>
    public TimeSpan TypingInterval { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>
    /// Queries of one or two characters have no trigram to use an index with: within one conversation they
    /// look only at this many newest messages of it (and they are refused across conversations).
    /// </summary>
    public int ShortQueryWindow { get; set; } = 10_000;

    /// <summary>
    /// SQLite only: how long the search indexer lets committed batches gather before it indexes them in one
    /// transaction (<see cref="SearchIndexer"/>). Until then search reads their messages directly, so a longer
    /// delay costs search a little, never a miss.
    /// </summary>
    public TimeSpan SearchIndexDelay { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// SQLite only: about how many messages the search indexer puts into one transaction (whole committed batches, so
    /// it may be a batch more). It holds the write lock meanwhile, which the committer waits for.
    /// </summary>
    public int SearchIndexChunk { get; set; } = 2_000;

    /// <summary>
    /// SQLite only: a search over at most this many messages (one conversation's range, or all of a user's
    /// conversations when they have at most 200) scans them with LIKE instead of walking the full-text index's
    /// hits, which belong to every conversation of the database. 0 always uses the index (for queries of 3+ characters).
    /// </summary>
    public int SearchScanThreshold { get; set; } = 5_000;

    /// <summary>
    /// PostgreSQL only: search within a conversation first walks this many of its newest messages (in the
    /// range asked for) backwards through the covering index, and uses the trigram index only for what lies
    /// beyond. Walking costs about 0.15 µs a message and finds common words at once; the trigram index costs
    /// in proportion to how often the query's trigrams occur in the whole database.
    /// </summary>
    public int ConversationSearchWalk { get; set; } = 50_000;

    /// <summary>
    /// PostgreSQL only: search across conversations tests every message the user can see when they are at most this
    /// many (in at most 500 conversations), in the covering index (about 0.25 µs each), wherever they lie in the
    /// database. Otherwise it walks the newest messages of the database (<see cref="AcrossSearchWalk"/>), then the
    /// trigram index. 0 never scans.
    /// </summary>
    public int AcrossSearchScan { get; set; } = 20_000;

    /// <summary>
    /// PostgreSQL only: search across conversations for a user who sees more than <see cref="AcrossSearchScan"/>
    /// messages first walks this many of the newest messages of the database (about 0.5 µs each), and uses the
    /// trigram index only for older ones.
    /// </summary>
    public int AcrossSearchWalk { get; set; } = 15_000;
}
