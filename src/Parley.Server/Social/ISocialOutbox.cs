using Parley.Server.Social.Friends;
using Parley.Server.Social.Groups;
using Parley.Server.Storage;

namespace Parley.Server.Social;

/// <summary>
/// Durable notes about friend and group changes for subscribers above Social (the platform's webhook outbox). Each
/// call adds rows to the change's own unit of work before it saves, so the note commits with the change or not at
/// all, as Accounts' <c>IAccountOutbox</c> does for accounts. Live frames do not come from here: they follow the
/// domain events raised after commit (<see cref="FriendEvents"/>, <see cref="GroupAnnouncer"/>).
/// </summary>
public interface ISocialOutbox
{
    void FriendAdded(ParleyDb db, long userId, long friendId);

    void FriendRemoved(ParleyDb db, long userId, long friendId);

    void GroupCreated(ParleyDb db, Group group, IReadOnlyList<long> memberIds);

    /// <param name="joined">The new member rows (added to <paramref name="db"/>, not yet saved).</param>
    /// <param name="by">Who added or approved them; null when they joined by themselves.</param>
    Task MembersJoinedAsync(ParleyDb db, IReadOnlyList<GroupMember> joined, long? by, CancellationToken cancellationToken);

    /// <param name="removedBy">Who removed them; null when they left (or their account was erased).</param>
    void MemberLeft(ParleyDb db, long groupId, long userId, long? removedBy);

    void GroupDissolved(ParleyDb db, long groupId, long by);
}

/// <summary>Nobody listens (no platform): nothing is written.</summary>
internal sealed class NoSocialOutbox : ISocialOutbox
{
    public void FriendAdded(ParleyDb db, long userId, long friendId)
    {
    }

    public void FriendRemoved(ParleyDb db, long userId, long friendId)
    {
    }

    public void GroupCreated(ParleyDb db, Group group, IReadOnlyList<long> memberIds)
    {
    }

    public Task MembersJoinedAsync(ParleyDb db, IReadOnlyList<GroupMember> joined, long? by, CancellationToken cancellationToken) => Task.CompletedTask;

    public void MemberLeft(ParleyDb db, long groupId, long userId, long? removedBy)
    {
    }

    public void GroupDissolved(ParleyDb db, long groupId, long by)
    {
    }
}
