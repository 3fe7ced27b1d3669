using Microsoft.EntityFrameworkCore;
using Parley.Server.Accounts;
using Parley.Server.Storage;

namespace Parley.Server.Push;

/// <summary>An erased account's push addresses go with it, in the erasure's transaction (nothing is pushed to its devices again).</summary>
public sealed class PushErasure : IAccountErasure
{
    public async Task<Func<Task>?> EraseAsync(ParleyDb db, long userId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await db.PushSubscriptions.Where(s => s.UserId == userId).ExecuteDeleteAsync(cancellationToken);
        return null;
    }
}
