using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Parley.Server.ScaleOut;
using Parley.Server.Storage;

namespace Parley.Server.Platform.Admin;

/// <summary><c>GET /api/v1/admin/stats</c>: the figures of an operator's dashboard, over the whole cluster.</summary>
public static class AdminStatsApi
{
    public static RouteGroupBuilder MapAdminStatsApi(this RouteGroupBuilder admin)
    {
        admin.MapGet("/stats", Get).WithTags("Platform").WithSummary("Users, online users, connections, the last day's messages and the nodes")
            .WithDescription("`users` counts every account, bots included (erased ones not); `onlineUsers` those with a device connected to any node; `connections` " +
                "the open WebSockets of every node; `messagesLast24h` the messages stored in the last 24 hours; `nodes` the live nodes " +
                "(1 without Redis). With Redis, each node's count is at most one heartbeat interval (`ScaleOut:HeartbeatInterval`) old.");
        return admin;
    }

    private static async Task<Ok<StatsView>> Get(ParleyDb db, IClusterLoad load, TimeProvider time, CancellationToken cancellationToken)
    {
        var since = time.GetUtcNow().AddHours(-24);
        var users = await db.Users.LongCountAsync(u => u.DeletedAt == null, cancellationToken);
        // Ids are time-ordered and made just before a message is stored: a range of the primary key, not a scan of every message.
        var firstId = IdGenerator.FirstIdAt(since);
        var messages = await db.Messages.LongCountAsync(m => m.Id >= firstId, cancellationToken);
        var cluster = await load.ReadAsync(cancellationToken);
        return TypedResults.Ok(new StatsView(users, cluster.OnlineUsers, cluster.Connections, messages, cluster.Nodes));
    }
}
