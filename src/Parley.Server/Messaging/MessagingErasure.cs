using Microsoft.EntityFrameworkCore;
using Parley.Server.Accounts;
using Parley.Server.Storage;

namespace Parley.Server.Messaging;

/// <summary>
/// An erased account's own message state: its "deleted for me" marks go. Its messages stay, in the other members'
/// history, sent by the emptied account (<see cref="AccountEraser.DeletedNickname"/>); its row in each direct
/// conversation stays too, so that the other person's list still shows who the conversation was with. Its system
/// conversation (announcements, which nobody else sees) goes with its messages.
/// </summary>
public sealed class MessagingErasure : IAccountErasure
{
    public async Task<Func<Task>?> EraseAsync(ParleyDb db, long userId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await db.MessageDeletions.Where(d => d.UserId == userId).ExecuteDeleteAsync(cancellationToken);
        var system = Conversation.SystemKeyFor(userId);
        await db.Messages.Where(m => db.Conversations.Any(c => c.Id == m.ConversationId && c.DirectKey == system)).ExecuteDeleteAsync(cancellationToken);
        await db.Conversations.Where(c => c.DirectKey == system).ExecuteDeleteAsync(cancellationToken);
        return null;
    }
}
