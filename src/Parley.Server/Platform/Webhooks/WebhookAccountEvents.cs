using Parley.Server.Accounts;
using Parley.Server.Http;
using Parley.Server.Platform.Admin;
using Parley.Server.Storage;

namespace Parley.Server.Platform.Webhooks;

/// <summary><c>user.deleted</c>: who was erased (the profile itself is gone), with the product's id for them as it was.</summary>
public sealed record UserDeletedEventData(string Id, string? ExternalId, DateTimeOffset DeletedAt);

/// <summary>
/// <c>user.created</c> for a self-registration and <c>user.deleted</c> for an erasure, added to the change's own unit
/// of work (Accounts' <see cref="IAccountOutbox"/> and <see cref="IAccountErasure"/> ports), so each is saved in the
/// same transaction as the account it tells of. An import through the platform API writes its own (AdminUsersApi).
/// </summary>
public sealed class WebhookAccountEvents(WebhookOutbox outbox, TimeProvider time) : IAccountOutbox, IAccountErasure
{
    public void Created(ParleyDb db, User user) =>
        outbox.Add(db, WebhookEventTypes.UserCreated, user.Id, AdminUserView.Of(user, online: false, time.GetUtcNow()));

    public Task<Func<Task>?> EraseAsync(ParleyDb db, long userId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (outbox.Wants(WebhookEventTypes.UserDeleted))
        {
            // The eraser has the account loaded (tracked) and clears it after the parts ran: its externalId is still there.
            var externalId = db.Users.Local.FirstOrDefault(u => u.Id == userId)?.ExternalId;
            outbox.Add(db, WebhookEventTypes.UserDeleted, userId, new UserDeletedEventData(Ids.Format(userId), externalId, now));
        }
        return Task.FromResult<Func<Task>?>(null);
    }
}
