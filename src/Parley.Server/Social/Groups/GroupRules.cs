namespace Parley.Server.Social.Groups;

public static class GroupRules
{
    public const int MaxNameLength = 64;
    public const int MaxNoticeLength = 2000;
    public const int MaxRequestMessageLength = 200;
    public const int MaxInviteesPerRequest = 200;

    /// <summary>
    /// A group created without <c>joinApproval</c> needs approval: a stranger who knows or guesses its id (ids are
    /// time-ordered) must not be able to walk in and read its history and files.
    /// </summary>
    public const bool DefaultJoinApproval = true;

    /// <summary>Whether <paramref name="actor"/> may remove, mute or otherwise act on a member of <paramref name="target"/>'s role.</summary>
    public static bool Outranks(GroupRole actor, GroupRole target) => actor > target;

    /// <summary>Owners and admins run the group: details, notice, invitations without approval, join requests, mutes.</summary>
    public static bool Manages(GroupRole role) => role >= GroupRole.Admin;
}

public sealed class GroupsOptions
{
    public const string Section = "Groups";

    /// <summary>The most members a group may have, owner included.</summary>
    public int MaxMembers { get; set; } = 2000;
}
