namespace Parley.Server.Accounts;

/// <summary>
/// Durable notes about new accounts for subscribers above Accounts (the platform's webhook outbox): added to the
/// registration's unit of work, so they are saved in the same transaction as the account, or not at all.
/// </summary>
public interface IAccountOutbox
{
    void Created(Storage.ParleyDb db, User user);
}

/// <summary>Nobody listens (no platform): nothing is written.</summary>
internal sealed class NoAccountOutbox : IAccountOutbox
{
    public void Created(Storage.ParleyDb db, User user)
    {
    }
}
