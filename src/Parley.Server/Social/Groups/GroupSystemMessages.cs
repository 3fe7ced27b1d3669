using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.EntityFrameworkCore;
using Parley.Server.Http;
using Parley.Server.Messaging;
using Parley.Server.Realtime;
using Parley.Server.Storage;

namespace Parley.Server.Social.Groups;

/// <summary>
/// What happened in a group, as the API's callers describe it: an event name (see docs/protocol.md), the
/// acting user, and the fields that event has.
/// </summary>
public sealed record GroupHappening(string Event, long ActorId)
{
    public const string Created = "group.created";
    public const string MembersJoined = "member.joined";
    public const string MemberLeft = "member.left";
    public const string MemberRemoved = "member.removed";
    public const string NameChanged = "name.changed";
    public const string NoticeChanged = "notice.changed";
    public const string OwnerChanged = "owner.changed";
    public const string RoleChanged = "role.changed";
    public const string Muted = "group.muted";
    public const string Unmuted = "group.unmuted";

    public IReadOnlyCollection<long>? UserIds { get; init; }
    public string? Via { get; init; }
    public string? Name { get; init; }
    public string? Notice { get; init; }
    public GroupRole? Role { get; init; }
    public DateTimeOffset? Until { get; init; }
}

/// <summary>
/// The content of a <c>system</c> message: self-describing, with the nicknames the people had at the time, so
/// that a client (and the conversation list's preview) can say "Alice added Bob" without another request.
/// Fields an event does not have are left out.
/// </summary>
public sealed record GroupSystemContent(
    string Event,
    string ActorId,
    string ActorName,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] List<string>? UserIds,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] List<string>? UserNames,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Via,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Name,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Notice,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] GroupRole? Role,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] DateTimeOffset? Until);

/// <summary>
/// Writes a group's <c>system</c> messages (created, joined, left, removed, renamed, notice, roles, mutes) into
/// its history, through the <see cref="MessageCommitter"/> like any message: they get seqs, reach the members
/// as <c>msg.new</c> and come back in history and sync. The sender is the acting user; the clientMsgId is
/// <c>sys:&lt;snowflake&gt;</c>. Called after the group change has committed, and awaited, so that the change's
/// HTTP answer comes after its message is stored (tests and clients see a deterministic order).
/// </summary>
public sealed partial class GroupSystemMessages(MessageCommitter committer, IdGenerator ids, ILogger<GroupSystemMessages> logger)
{
    /// <summary>
    /// Stores the message for <paramref name="audience"/> (the members after the change). A failure to store it
    /// is logged and swallowed: the group change itself has committed and stands.
    /// </summary>
    public async Task PostAsync(ParleyDb db, GroupAudience audience, GroupHappening happening)
    {
        if (audience.UserIds.Count == 0) return;
        try
        {
            var people = happening.UserIds ?? [];
            var wanted = people.Append(happening.ActorId).Distinct().ToList();
            var names = await db.Users.AsNoTracking().Where(u => wanted.Contains(u.Id))
                .ToDictionaryAsync(u => u.Id, u => u.Nickname, CancellationToken.None);
            var content = new GroupSystemContent(
                happening.Event,
                Ids.Format(happening.ActorId),
                names.GetValueOrDefault(happening.ActorId, ""),
                happening.UserIds is null ? null : people.Select(Ids.Format).ToList(),
                happening.UserIds is null ? null : people.Select(id => names.GetValueOrDefault(id, "")).ToList(),
                happening.Via,
                happening.Name,
                happening.Notice,
                happening.Role,
                happening.Until);
            var pending = new PendingMessage(senderDeviceId: 0)
            {
                ConversationId = audience.GroupId,
                SenderId = happening.ActorId,
                ClientMsgId = "sys:" + Ids.Format(ids.Next()),
                Type = MessageType.System,
                Content = JsonSerializer.Serialize(content, RealtimeJsonContext.Default.GroupSystemContent),
                Recipients = audience.UserIds,
            };
            await committer.EnqueueAsync(pending, CancellationToken.None);
            await pending.Stored.Task;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            LogNotStored(logger, e, happening.Event, audience.GroupId);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The system message {Event} of group {GroupId} was not stored; the change itself stands")]
    private static partial void LogNotStored(ILogger logger, Exception exception, string @event, long groupId);
}
