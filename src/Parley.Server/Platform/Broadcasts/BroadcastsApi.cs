using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Parley.Server.Http;
using Parley.Server.Messaging;
using Parley.Server.Storage;

namespace Parley.Server.Platform.Broadcasts;

/// <summary><c>userIds</c> absent: every user.</summary>
public sealed record BroadcastBody(string? Content, List<string>? UserIds);

public sealed record BroadcastAccepted(string BroadcastId, int Recipients);

/// <summary><c>POST /api/v1/admin/broadcasts</c>: an announcement into each recipient's system conversation, sent in the background.</summary>
public static class BroadcastsApi
{
    public static RouteGroupBuilder MapBroadcastsApi(this RouteGroupBuilder admin)
    {
        admin.MapPost("/broadcasts", Post).WithTags("Platform").WithSummary("Broadcast an announcement to every user or a list")
            .WithDescription("Stored as a `system` message in each recipient's system conversation (kind `system`, read-only: sending to it is " +
                "`403 conversation_read_only`), delivered at once as `msg.new` to connected devices and to the others when they sync. " +
                "Answers `202` with the number of recipients; the messages are written in the background at a steady rate " +
                "(`Broadcasts:RecipientsPerSecond`), and a restart resumes where it stopped without a second copy for anyone.");
        return admin;
    }

    private static async Task<Accepted<BroadcastAccepted>> Post(
        BroadcastBody body, ParleyDb db, IdGenerator ids, TimeProvider time, IOptions<BroadcastOptions> options, BroadcastRunner runner,
        CancellationToken cancellationToken)
    {
        var text = body.Content;
        if (string.IsNullOrWhiteSpace(text)) throw ApiProblem.Invalid("content", "content is the announcement's text and cannot be empty.");
        if (text.Length > MessageRules.MaxTextLength)
            throw ApiProblem.Invalid("content", $"content has at most {MessageRules.MaxTextLength} characters.");

        var broadcast = new Broadcast { Id = ids.Next(), Content = JsonSerializer.Serialize(text, BroadcastJsonContext.Default.String), CreatedAt = time.GetUtcNow() };
        if (body.UserIds is { } listed)
        {
            if (listed.Count == 0) throw ApiProblem.Invalid("userIds", "userIds names at least one user; leave it out to reach every user.");
            if (listed.Count > options.Value.MaxUserIds)
                throw ApiProblem.Invalid("userIds", $"userIds names at most {options.Value.MaxUserIds} users; leave it out to reach every user.");
            var userIds = listed.Select((id, i) => Ids.Parse(id, $"userIds[{i}]")).Distinct().Order().ToList();
            var found = 0;
            foreach (var chunk in userIds.Chunk(1000))
                found += await db.Users.CountAsync(u => chunk.Contains(u.Id) && u.DeletedAt == null, cancellationToken);
            if (found != userIds.Count) throw ApiProblem.NotFound("user_not_found", "userIds names a user who does not exist.");
            broadcast.UserIds = JsonSerializer.Serialize(userIds, BroadcastJsonContext.Default.ListInt64);
            broadcast.UpToUserId = userIds[^1];
            broadcast.Recipients = userIds.Count;
        }
        else
        {
            broadcast.UpToUserId = await db.Users.Where(u => u.DeletedAt == null).MaxAsync(u => (long?)u.Id, cancellationToken) ?? 0;
            broadcast.Recipients = await db.Users.CountAsync(u => u.Id <= broadcast.UpToUserId && u.DeletedAt == null, cancellationToken);
        }
        if (broadcast.Recipients == 0) broadcast.CompletedAt = broadcast.CreatedAt;
        db.Broadcasts.Add(broadcast);
        await db.SaveChangesAsync(cancellationToken);
        runner.Wake();
        return TypedResults.Accepted((string?)null, new BroadcastAccepted(Ids.Format(broadcast.Id), broadcast.Recipients));
    }
}

[System.Text.Json.Serialization.JsonSerializable(typeof(string))]
[System.Text.Json.Serialization.JsonSerializable(typeof(List<long>))]
internal sealed partial class BroadcastJsonContext : System.Text.Json.Serialization.JsonSerializerContext;
