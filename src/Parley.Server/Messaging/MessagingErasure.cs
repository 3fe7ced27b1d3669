using Microsoft.EntityFrameworkCore;
using Parley.Server.Accounts;
using Parley.Server.Storage;

namespace Parley.Server.Messaging;

/// <summary>
/// An erased account's own message state: its "deleted for me" marks go. Its messages stay, in the other members'
/// history, sent by the emptied account (<see cref="AccountEraser.DeletedNickname"/>); its row in each direct
/// conversation stays too, so that the other person's list still shows who the conversation was with.
/// </summary>
public sealed class MessagingErasure : IAccountErasure
{
    public async Task<Func<Task>?> EraseAsync(ParleyDb db, long userId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await db.MessageDeletions.Where(d => d.UserId == userId).ExecuteDeleteAsync(cancellationToken);
        return null;
    }
}
