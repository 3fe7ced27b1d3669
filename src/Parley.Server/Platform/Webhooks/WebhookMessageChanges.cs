using Parley.Server.Messaging;
using Parley.Server.Storage;

namespace Parley.Server.Platform.Webhooks;

/// <summary>
/// <c>message.edited</c> and <c>message.recalled</c> (the message as it now is), added to the edit's or recall's unit of
/// work through Messaging's <see cref="IMessageChangeOutbox"/> port: saved in its transaction, ordered per conversation.
/// </summary>
public sealed class WebhookMessageChanges(WebhookOutbox outbox) : IMessageChangeOutbox
{
    public void Add(ParleyDb db, MessageChange change, Message after) =>
        outbox.Add(db, change == MessageChange.Edited ? WebhookEventTypes.MessageEdited : WebhookEventTypes.MessageRecalled,
            after.ConversationId, MessageView.From(after));
}
