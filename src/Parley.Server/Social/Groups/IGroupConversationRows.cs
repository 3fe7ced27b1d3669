using Parley.Server.Storage;

namespace Parley.Server.Social.Groups;

/// <summary>
/// The group's conversation rows (the conversation and one member row per member), written by the messaging
/// feature (Messaging's <c>GroupConversations</c>) but inside the group change's own transaction, on its
/// <see cref="ParleyDb"/>: a member can post and read from the moment they are one, and not a moment longer.
/// <para>A port, not an event: an event is raised after commit, and the rows must commit or roll back with the
/// membership (a joined member without a conversation row, or a removed one who still has theirs, would be seen).
/// Social defines what it needs here and Messaging implements it, so that Social does not depend on Messaging
/// (Messaging depends on Social: who may post where).</para>
/// </summary>
public interface IGroupConversationRows
{
    /// <summary>The conversation of a new group, with its first members (added to the context, not saved).</summary>
    void Created(ParleyDb db, long groupId, IEnumerable<long> memberIds, DateTimeOffset now);

    /// <summary>Newcomers' member rows.</summary>
    Task JoinedAsync(ParleyDb db, long groupId, IReadOnlyCollection<long> userIds, CancellationToken cancellationToken);

    /// <summary>The member's row goes.</summary>
    Task LeftAsync(ParleyDb db, long groupId, long userId, CancellationToken cancellationToken);

    /// <summary>Every member row goes.</summary>
    Task DissolvedAsync(ParleyDb db, long groupId, CancellationToken cancellationToken);
}
