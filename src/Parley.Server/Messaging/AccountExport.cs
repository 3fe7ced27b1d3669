using System.IO.Pipelines;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Parley.Server.Accounts;
using Parley.Server.Http;
using Parley.Server.Social.Friends;
using Parley.Server.Storage;

namespace Parley.Server.Messaging;

/// <summary>
/// "Take my data" (<c>GET /api/v1/users/me/export</c>): everything the server holds about the user as one JSON
/// document, written straight to the response as it is read (docs/accounts.md, "Export"). Memory stays flat however
/// many messages there are: the document is never built, messages are read a page at a time on an index (by seq
/// within each conversation, by clientMsgId among the user's own), each page written and flushed before the next is
/// read, and nothing is tracked by the context.
/// </summary>
public sealed class AccountExport(ParleyDb db, MessageRetention retention, IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions> json, TimeProvider time)
{
    /// <summary>Messages read and written per page.</summary>
    public const int Page = 500;

    /// <param name="body">The response's pipe: the writer fills its buffer (no blocking write), and each page is sent with an async flush.</param>
    public async Task WriteAsync(long me, PipeWriter body, CancellationToken cancellationToken)
    {
        var options = json.Value.SerializerOptions;
        await using var writer = new Utf8JsonWriter(body);
        var user = await db.Users.AsNoTracking().FirstOrDefaultAsync(u => u.Id == me, cancellationToken)
            ?? throw ApiProblem.NotFound("user_not_found", "This account no longer exists.");

        writer.WriteStartObject();
        writer.WriteString("format", "parley-export/1");
        writer.WritePropertyName("exportedAt");
        JsonSerializer.Serialize(writer, time.GetUtcNow(), options);
        writer.WritePropertyName("profile");
        JsonSerializer.Serialize(writer, UserViews.Own(user), options);

        writer.WriteStartArray("friends");
        foreach (var f in await (from f in db.Friendships.AsNoTracking()
                                 join u in db.Users.AsNoTracking() on f.FriendId equals u.Id
                                 where f.UserId == me
                                 orderby f.FriendId
                                 select new { f.FriendId, u.Nickname, f.Remark, f.CreatedAt }).ToListAsync(cancellationToken))
        {
            writer.WriteStartObject();
            writer.WriteString("userId", Ids.Format(f.FriendId));
            writer.WriteString("nickname", f.Nickname);
            writer.WriteString("remark", f.Remark);
            Time(writer, "since", f.CreatedAt, options);
            writer.WriteEndObject();
        }
        writer.WriteEndArray();

        writer.WriteStartArray("friendRequests");
        foreach (var r in await db.FriendRequests.AsNoTracking().Where(r => r.FromUserId == me || r.ToUserId == me)
                     .OrderBy(r => r.Id).ToListAsync(cancellationToken))
        {
            writer.WriteStartObject();
            writer.WriteString("id", Ids.Format(r.Id));
            writer.WriteString("direction", r.FromUserId == me ? "outgoing" : "incoming");
            writer.WriteString("fromUserId", Ids.Format(r.FromUserId));
            writer.WriteString("toUserId", Ids.Format(r.ToUserId));
            writer.WriteString("message", r.Message);
            writer.WriteString("status", r.Status.ToString().ToLowerInvariant());
            Time(writer, "createdAt", r.CreatedAt, options);
            Time(writer, "handledAt", r.HandledAt, options);
            writer.WriteEndObject();
        }
        writer.WriteEndArray();

        writer.WriteStartArray("blocks");
        foreach (var b in await db.Blocks.AsNoTracking().Where(b => b.UserId == me).OrderBy(b => b.BlockedUserId).ToListAsync(cancellationToken))
        {
            writer.WriteStartObject();
            writer.WriteString("userId", Ids.Format(b.BlockedUserId));
            Time(writer, "createdAt", b.CreatedAt, options);
            writer.WriteEndObject();
        }
        writer.WriteEndArray();

        writer.WriteStartArray("groups");
        foreach (var g in await (from m in db.GroupMembers.AsNoTracking()
                                 join g in db.Groups.AsNoTracking() on m.GroupId equals g.Id
                                 where m.UserId == me
                                 orderby g.Id
                                 select new { g.Id, g.Name, g.Icon, g.Notice, m.Role, m.JoinedAt }).ToListAsync(cancellationToken))
        {
            writer.WriteStartObject();
            writer.WriteString("id", Ids.Format(g.Id));
            writer.WriteString("name", g.Name);
            writer.WriteString("icon", g.Icon);
            writer.WriteString("notice", g.Notice);
            writer.WriteString("role", g.Role.ToString().ToLowerInvariant());
            Time(writer, "joinedAt", g.JoinedAt, options);
            writer.WriteEndObject();
        }
        writer.WriteEndArray();
        await FlushAsync(writer, body, cancellationToken);

        // Every conversation I am in: what I can see of it, as history shows it.
        var conversations = await (from m in db.ConversationMembers.AsNoTracking()
                                   join c in db.Conversations.AsNoTracking() on m.ConversationId equals c.Id
                                   where m.UserId == me
                                   orderby c.Id
                                   select new { c.Id, c.Kind }).ToListAsync(cancellationToken);
        writer.WriteStartArray("conversations");
        foreach (var conversation in conversations)
        {
            writer.WriteStartObject();
            writer.WriteString("id", Ids.Format(conversation.Id));
            writer.WriteString("kind", ConversationKinds.Name(conversation.Kind));
            writer.WriteStartArray("messages");
            var after = 0L;
            while (true)
            {
                var page = await retention.Live(History.Visible(db, me, conversation.Id))
                    .Where(m => m.Seq > after).OrderBy(m => m.Seq).Take(Page).ToListAsync(cancellationToken);
                foreach (var message in page) JsonSerializer.Serialize(writer, MessageView.From(message), options);
                await FlushAsync(writer, body, cancellationToken);
                if (page.Count < Page) break;
                after = page[^1].Seq;
            }
            writer.WriteEndArray();
            writer.WriteEndObject();
        }
        writer.WriteEndArray();

        // What I sent where I no longer am (groups I left): mine all the same. Walked on the (SenderId, ClientMsgId) index.
        writer.WriteStartArray("sentElsewhere");
        var mine = conversations.Select(c => c.Id).ToList();
        var afterClientMsgId = "";
        while (true)
        {
            var from = afterClientMsgId;
            var page = await retention.Live(db.Messages.AsNoTracking())
                .Where(m => m.SenderId == me && string.Compare(m.ClientMsgId, from) > 0)
                .OrderBy(m => m.ClientMsgId).Take(Page).ToListAsync(cancellationToken);
            // System messages name me as the one who acted (joined, left), but the group wrote them, not I.
            foreach (var message in page.Where(m => !mine.Contains(m.ConversationId) && m.Type != MessageType.System))
                JsonSerializer.Serialize(writer, MessageView.From(message), options);
            await FlushAsync(writer, body, cancellationToken);
            if (page.Count < Page) break;
            afterClientMsgId = page[^1].ClientMsgId;
        }
        writer.WriteEndArray();
        writer.WriteEndObject();
        await FlushAsync(writer, body, cancellationToken);
    }

    private static async Task FlushAsync(Utf8JsonWriter writer, PipeWriter body, CancellationToken cancellationToken)
    {
        writer.Flush();
        await body.FlushAsync(cancellationToken);
    }

    private static void Time(Utf8JsonWriter writer, string name, DateTimeOffset? value, JsonSerializerOptions options)
    {
        writer.WritePropertyName(name);
        if (value is { } time) JsonSerializer.Serialize(writer, time, options);
        else writer.WriteNullValue();
    }
}

public static class AccountExportApi
{
    public static RouteGroupBuilder MapAccountExportApi(this RouteGroupBuilder api)
    {
        api.MapGet("/users/me/export", ExportAsync).WithTags("Accounts").RequireAuthorization()
            .WithSummary("Everything the server holds about me, as one JSON document, streamed")
            .WithDescription("Profile, friends, friend requests, blocks, groups, and every message I can see in each of my conversations (as history " +
                "shows it, with file descriptors), then the messages I sent in conversations I am no longer in (sentElsewhere). Written as it is " +
                "read: memory stays flat whatever its size. docs/accounts.md, \"Export\".")
            .Produces(StatusCodes.Status200OK, contentType: "application/json");
        return api;
    }

    private static async Task ExportAsync(HttpContext http, AccountExport export, CancellationToken cancellationToken)
    {
        http.Response.ContentType = "application/json; charset=utf-8";
        http.Response.Headers.ContentDisposition = "attachment; filename=\"parley-export.json\"";
        http.Response.Headers.CacheControl = "no-store";
        await export.WriteAsync(http.User.UserId(), http.Response.BodyWriter, cancellationToken);
    }
}
