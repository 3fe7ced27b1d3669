using Parley.Server.Storage;

namespace Parley.Server.Messaging;

public enum MessageChange
{
    Edited,
    Recalled,
}

/// <summary>
/// A port for subscribers that must hear durably of every edit and recall (the platform's webhooks): their rows are
/// added to the change's unit of work and saved inside its transaction, so that no change commits without them and
/// none is written for a change that rolls back. The default (<see cref="NoMessageChangeOutbox"/>) adds nothing.
/// </summary>
public interface IMessageChangeOutbox
{
    /// <param name="after">The message as it is once the change commits (not tracked by <paramref name="db"/>).</param>
    void Add(ParleyDb db, MessageChange change, Message after);
}

public sealed class NoMessageChangeOutbox : IMessageChangeOutbox
{
    public void Add(ParleyDb db, MessageChange change, Message after)
    {
    }
}
