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

    /// <summary>Most messages written in one transaction (one fsync).</summary>
    public int MaxBatch { get; set; } = 512;

    /// <summary>Sends waiting for the writer before senders are made to wait (back-pressure).</summary>
    public int QueueCapacity { get; set; } = 20_000;

    /// <summary>Most messages in one history page or one sync batch.</summary>
    public int MaxPage { get; set; } = 200;
}
