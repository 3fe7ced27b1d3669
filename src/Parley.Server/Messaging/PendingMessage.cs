namespace Parley.Server.Messaging;

/// <summary>A message that passed every check and waits to be stored.</summary>
public sealed class PendingMessage
{
    public required long ConversationId { get; init; }
    public required long SenderId { get; init; }
    public required string ClientMsgId { get; init; }
    public required MessageType Type { get; init; }
    public required string Content { get; init; }
    public string? File { get; init; }

    /// <summary>The uploaded file the message carries (image, voice, video, file).</summary>
    public long? FileId { get; init; }

    /// <summary>The quote of the message replied to, as JSON text (see <see cref="Message.ReplyTo"/>).</summary>
    public string? ReplyTo { get; init; }

    /// <summary>The id of the message replied to, stored beside the quote so that a recall can find and scrub it.</summary>
    public long? ReplyToId { get; init; }

    /// <summary>Mentions as JSON text, as stored; <see cref="MentionedUserIds"/> and <see cref="MentionsAll"/> say the same for the list rows.</summary>
    public string? Mentions { get; init; }

    public IReadOnlyList<long> MentionedUserIds { get; init; } = [];
    public bool MentionsAll { get; init; }

    /// <summary>The plain text to index for search (text messages), or null.</summary>
    public string? SearchText { get; init; }

    /// <summary>A copy of another message (<c>forwardOf</c>).</summary>
    public bool Forwarded { get; init; }

    /// <summary>The files a merged forward's items carry (see <see cref="ForwardedFile"/>); empty otherwise.</summary>
    public IReadOnlyList<long> ForwardedFileIds { get; init; } = [];

    /// <summary>Everyone who gets <c>msg.new</c>: the conversation's members, the sender included.</summary>
    public required IReadOnlyList<long> Recipients { get; init; }

    /// <summary>The sending device, which gets the ack instead of <c>msg.new</c>; 0 over HTTP.</summary>
    public long SenderDeviceId { get; }

    /// <summary>
    /// The ack, once stored. For a device's send (<see cref="SenderDeviceId"/> not 0) it completes on the committer's
    /// publishing loop, in commit order, so that the device's acks leave in the order its messages were stored: continue it only
    /// with a few non-blocking instructions (queue the ack). Otherwise its continuations run on the thread pool.
    /// </summary>
    public TaskCompletionSource<MessageAck> Stored { get; }

    public PendingMessage(long senderDeviceId)
    {
        SenderDeviceId = senderDeviceId;
        Stored = new(senderDeviceId != 0 ? TaskCreationOptions.None : TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
