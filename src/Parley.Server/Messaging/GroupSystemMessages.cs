using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.EntityFrameworkCore;
using Parley.Server.Events;
using Parley.Server.Http;
using Parley.Server.Social.Groups;
using Parley.Server.Storage;

namespace Parley.Server.Messaging;

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

/// <summary>The stored content of messages the server writes itself; enums and times as the API writes them.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web,
    Converters = [typeof(Json.UtcMillisecondsConverter), typeof(CamelCaseEnumConverter<GroupRole>)])]
[JsonSerializable(typeof(GroupSystemContent))]
internal sealed partial class MessagingJsonContext : JsonSerializerContext;

/// <summary>
/// Writes a group's <c>system</c> messages (created, joined, left, removed, renamed, notice, roles, mutes) into
/// its history when the group feature raises <see cref="GroupChanged"/>, through the <see cref="MessageCommitter"/>
/// like any message: they get seqs, reach the members as <c>msg.new</c> and come back in history and sync. The
/// sender is the acting user; the clientMsgId is <c>sys:&lt;snowflake&gt;</c>.
/// <para>A subscriber, so that the group feature (Social) needs nothing of Messaging. The handler waits until the
/// message is stored, and the publisher awaits its handlers, so the group change's HTTP answer still comes after
/// its message is stored (tests and clients see a deterministic order).</para>
/// </summary>
public sealed partial class GroupSystemMessages(
    MessageCommitter committer, IdGenerator ids, IServiceScopeFactory scopes, ILogger<GroupSystemMessages> logger) : IDomainEventHandler<GroupChanged>
{
    /// <summary>
    /// Stores the message for the members after the change. A failure to store it is logged and swallowed: the
    /// group change itself has committed and stands.
    /// </summary>
    public async ValueTask HandleAsync(GroupChanged changed, CancellationToken cancellationToken)
    {
        if (changed.Members.Count == 0) return;
        var happening = changed.What;
        try
        {
            var people = happening.UserIds ?? [];
            var wanted = people.Append(happening.ActorId).Distinct().ToList();
            Dictionary<long, string> names;
            await using (var scope = scopes.CreateAsyncScope())
            {
                var db = scope.ServiceProvider.GetRequiredService<ParleyDb>();
                names = await db.Users.AsNoTracking().Where(u => wanted.Contains(u.Id))
                    .ToDictionaryAsync(u => u.Id, u => u.Nickname, CancellationToken.None);
            }
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
                ConversationId = changed.GroupId,
                SenderId = happening.ActorId,
                ClientMsgId = "sys:" + Ids.Format(ids.Next()),
                Type = MessageType.System,
                Content = JsonSerializer.Serialize(content, MessagingJsonContext.Default.GroupSystemContent),
                Recipients = changed.Members,
            };
            await committer.EnqueueAsync(pending, CancellationToken.None);
            await pending.Stored.Task;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            LogNotStored(logger, e, happening.Event, changed.GroupId);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The system message {Event} of group {GroupId} was not stored; the change itself stands")]
    private static partial void LogNotStored(ILogger logger, Exception exception, string @event, long groupId);
}
