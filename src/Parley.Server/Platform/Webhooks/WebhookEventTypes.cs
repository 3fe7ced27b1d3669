namespace Parley.Server.Platform.Webhooks;

/// <summary>The event types a subscription may name (API.md, "Webhooks").</summary>
public static class WebhookEventTypes
{
    public const string MessageCreated = "message.created", MessageEdited = "message.edited", MessageRecalled = "message.recalled",
        MessageDeletedByRetention = "message.deleted_by_retention", UserCreated = "user.created", UserDeleted = "user.deleted",
        UserOnline = "user.online", UserOffline = "user.offline", FriendAdded = "friend.added", FriendRemoved = "friend.removed",
        GroupCreated = "group.created", GroupMemberJoined = "group.member.joined", GroupMemberLeft = "group.member.left",
        GroupDissolved = "group.dissolved", CallEnded = "call.ended", PushRequested = "push.requested",
        MessageBeforeSend = "message.before_send";

    public static readonly IReadOnlySet<string> All = new HashSet<string>(StringComparer.Ordinal)
    {
        MessageCreated, MessageEdited, MessageRecalled, MessageDeletedByRetention, UserCreated, UserDeleted, UserOnline, UserOffline,
        FriendAdded, FriendRemoved, GroupCreated, GroupMemberJoined, GroupMemberLeft, GroupDissolved, CallEnded, PushRequested,
        MessageBeforeSend,
    };
}
