namespace Parley.Server.Messaging;

/// <summary>What a gate decided about a message: let it through, refuse it (with a reason), or store other content.</summary>
public readonly record struct GateVerdict(GateAction Action, string? Text)
{
    public static readonly GateVerdict Allow = new(GateAction.Allow, null);
}

public enum GateAction
{
    Allow,
    Deny,
    Replace,
}

/// <summary>
/// A port for a synchronous check of each message before it is stored (the platform's <c>message.before_send</c>
/// webhook). <see cref="Active"/> is read for every send, so a send pays nothing (one field read) while no gate is
/// subscribed. The default (<see cref="NoMessageGate"/>) is never active.
/// </summary>
public interface IMessageGate
{
    bool Active { get; }

    /// <param name="content">The content as stored: JSON text (a string for text and emoji, the caption otherwise).</param>
    ValueTask<GateVerdict> CheckAsync(long senderId, long conversationId, string clientMsgId, MessageType type, string content, CancellationToken cancellationToken);
}

public sealed class NoMessageGate : IMessageGate
{
    public bool Active => false;

    public ValueTask<GateVerdict> CheckAsync(long senderId, long conversationId, string clientMsgId, MessageType type, string content, CancellationToken cancellationToken) =>
        ValueTask.FromResult(GateVerdict.Allow);
}
