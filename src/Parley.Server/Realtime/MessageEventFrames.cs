using Parley.Server.Events;
using Parley.Server.Http;
using Parley.Server.Messaging;
using Parley.Server.ScaleOut;

namespace Parley.Server.Realtime;

/// <summary><c>msg.recalled</c>: to every device of every member of the conversation.</summary>
public sealed record RecallData(string ConversationId, string MessageId, long Seq, string RecalledBy);

/// <summary><c>msg.edited</c>: to every device of every member; <see cref="Content"/> is the new content.</summary>
public sealed record EditData(string ConversationId, string MessageId, long Seq, System.Text.Json.JsonElement Content, DateTimeOffset EditedAt);

/// <summary><c>msg.reaction</c>: to the members who may hear of it (nobody across a block with the reacting user).</summary>
public sealed record ReactionData(string ConversationId, string MessageId, string Emoji, string UserId, bool Added);

/// <summary><c>msg.deleted</c>: to the user's own devices, when they delete a message for themselves.</summary>
public sealed record DeletionData(string ConversationId, string MessageId, long Seq);

/// <summary><c>conversation.cleared</c>: to the user's own devices; everything up to <see cref="ClearedSeq"/> is gone for them.</summary>
public sealed record ClearedData(string ConversationId, long ClearedSeq);

/// <summary>
/// The messaging feature's events as frames: each is encoded once and handed to the router for everyone it concerns
/// (docs/protocol.md). <c>msg.new</c> runs on the committer's publishing loop, so it does no more than encode and publish.
/// </summary>
public sealed class MessageEventFrames(IMessageRouter router) :
    IDomainEventHandler<MessageStored>,
    IDomainEventHandler<MessageRedelivered>,
    IDomainEventHandler<MessageRecalled>,
    IDomainEventHandler<MessageEdited>,
    IDomainEventHandler<ReactionChanged>,
    IDomainEventHandler<MessageDeletedForMe>,
    IDomainEventHandler<ConversationClearedForMe>,
    IDomainEventHandler<ReadPointerMoved>,
    IDomainEventHandler<ConversationSettingsChanged>,
    IDomainEventHandler<ConversationRetentionChanged>,
    IDomainEventHandler<MemberTyping>
{
    public static void Subscribe(IServiceCollection services)
    {
        services.AddEventHandler<MessageStored, MessageEventFrames>();
        services.AddEventHandler<MessageRedelivered, MessageEventFrames>();
        services.AddEventHandler<MessageRecalled, MessageEventFrames>();
        services.AddEventHandler<MessageEdited, MessageEventFrames>();
        services.AddEventHandler<ReactionChanged, MessageEventFrames>();
        services.AddEventHandler<MessageDeletedForMe, MessageEventFrames>();
        services.AddEventHandler<ConversationClearedForMe, MessageEventFrames>();
        services.AddEventHandler<ReadPointerMoved, MessageEventFrames>();
        services.AddEventHandler<ConversationSettingsChanged, MessageEventFrames>();
        services.AddEventHandler<ConversationRetentionChanged, MessageEventFrames>();
        services.AddEventHandler<MemberTyping, MessageEventFrames>();
    }

    public ValueTask HandleAsync(MessageStored e, CancellationToken cancellationToken)
    {
        router.Publish(e.Recipients, Frames.NewMessage(e.Message), e.SenderDeviceId);
        return ValueTask.CompletedTask;
    }

    public ValueTask HandleAsync(MessageRedelivered e, CancellationToken cancellationToken)
    {
        router.Publish(e.Recipients, Frames.NewMessage(e.Message), e.SenderDeviceId);
        return ValueTask.CompletedTask;
    }

    public ValueTask HandleAsync(MessageRecalled e, CancellationToken cancellationToken)
    {
        router.Publish(e.Members, Frames.Encode("msg.recalled", null,
            new RecallData(Ids.Format(e.ConversationId), Ids.Format(e.MessageId), e.Seq, Ids.Format(e.RecalledBy)), RealtimeJsonContext.Default.RecallData));
        return ValueTask.CompletedTask;
    }

    public ValueTask HandleAsync(MessageEdited e, CancellationToken cancellationToken)
    {
        using var content = System.Text.Json.JsonDocument.Parse(e.Content);
        router.Publish(e.Members, Frames.Encode("msg.edited", null,
            new EditData(Ids.Format(e.ConversationId), Ids.Format(e.MessageId), e.Seq, content.RootElement, e.EditedAt), RealtimeJsonContext.Default.EditData));
        return ValueTask.CompletedTask;
    }

    public ValueTask HandleAsync(ReactionChanged e, CancellationToken cancellationToken)
    {
        router.Publish(e.Audience, Frames.Encode("msg.reaction", null,
            new ReactionData(Ids.Format(e.ConversationId), Ids.Format(e.MessageId), e.Emoji, Ids.Format(e.UserId), e.Added), RealtimeJsonContext.Default.ReactionData));
        return ValueTask.CompletedTask;
    }

    public ValueTask HandleAsync(MessageDeletedForMe e, CancellationToken cancellationToken)
    {
        router.Publish([e.UserId], Frames.Encode("msg.deleted", null,
            new DeletionData(Ids.Format(e.ConversationId), Ids.Format(e.MessageId), e.Seq), RealtimeJsonContext.Default.DeletionData));
        return ValueTask.CompletedTask;
    }

    public ValueTask HandleAsync(ConversationClearedForMe e, CancellationToken cancellationToken)
    {
        router.Publish([e.UserId], Frames.Encode("conversation.cleared", null,
            new ClearedData(Ids.Format(e.ConversationId), e.ClearedSeq), RealtimeJsonContext.Default.ClearedData));
        return ValueTask.CompletedTask;
    }

    public ValueTask HandleAsync(ReadPointerMoved e, CancellationToken cancellationToken)
    {
        router.Publish(e.Audience, Frames.Encode("msg.read", null,
            new ReadReceipt(Ids.Format(e.ConversationId), Ids.Format(e.UserId), e.ReadSeq), RealtimeJsonContext.Default.ReadReceipt));
        return ValueTask.CompletedTask;
    }

    public ValueTask HandleAsync(ConversationSettingsChanged e, CancellationToken cancellationToken)
    {
        router.Publish([e.UserId], Frames.Encode("conversation.updated", null, e.Settings, RealtimeJsonContext.Default.ConversationSettings));
        return ValueTask.CompletedTask;
    }

    /// <summary>The shared disappearing-messages setting: to every member's devices (the per-user settings event keeps its own fields).</summary>
    public ValueTask HandleAsync(ConversationRetentionChanged e, CancellationToken cancellationToken)
    {
        router.Publish(e.Members, Frames.Encode("conversation.updated", null,
            new ConversationTtl(Ids.Format(e.ConversationId), e.MessageTtlSeconds), RealtimeJsonContext.Default.ConversationTtl));
        return ValueTask.CompletedTask;
    }

    public ValueTask HandleAsync(MemberTyping e, CancellationToken cancellationToken)
    {
        if (e.Audience.Count > 0)
            router.Publish(e.Audience, Frames.Encode("typing", null,
                new Typing(Ids.Format(e.ConversationId), Ids.Format(e.UserId)), RealtimeJsonContext.Default.Typing));
        return ValueTask.CompletedTask;
    }
}
