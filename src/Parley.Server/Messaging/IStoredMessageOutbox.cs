namespace Parley.Server.Messaging;

/// <summary>
/// A port for subscribers that must hear of every stored message durably (webhooks): their rows are written in the
/// committer's batch transaction, with one batched statement, so that no message is stored without them and none
/// is written for a batch that rolls back. <see cref="Active"/> is read once per batch, so nothing is paid while no
/// one subscribes. The default (<see cref="NoStoredMessageOutbox"/>) is never active.
/// </summary>
public interface IStoredMessageOutbox
{
    bool Active { get; }

    /// <summary>An INSERT with positional parameters <c>$1…$n</c>, run once per row of <see cref="Rows"/>.</summary>
    string InsertSql { get; }

    /// <param name="messages">The batch, seqs assigned.</param>
    /// <param name="now">The batch's time as the provider stores it (pass it as the rows' time parameters).</param>
    IEnumerable<object?[]> Rows(IReadOnlyList<Message> messages, object now);
}

public sealed class NoStoredMessageOutbox : IStoredMessageOutbox
{
    public bool Active => false;
    public string InsertSql => "";
    public IEnumerable<object?[]> Rows(IReadOnlyList<Message> messages, object now) => [];
}
