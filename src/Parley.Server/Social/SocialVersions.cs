using System.Collections.Concurrent;
using Parley.Server.ScaleOut;

namespace Parley.Server.Social;

/// <summary>
/// A counter per user and per group that moves whenever their friendships, blocks or memberships change on
/// this node. Caches of "who may post where" remember the counters they were filled at and are void once a
/// counter moves, so a change made here takes effect at once. With several nodes, each change is also published
/// on the <see cref="IChangeFeed"/> and moves the other nodes' counters before any frame this node publishes after
/// it reaches them (so a device that hears <c>friend.removed</c> already finds the right void on its node); should
/// that be lost (Redis down), a change made elsewhere reaches this node when the cache entry expires.
/// </summary>
public sealed class SocialVersions
{
    /// <summary>Change-feed topics: a user's relationships, a group's membership.</summary>
    public const string UserTopic = "social.user", GroupTopic = "social.group";

    private readonly ConcurrentDictionary<long, long> _users = new();
    private readonly ConcurrentDictionary<long, long> _groups = new();
    private readonly IChangeFeed _feed;

    public SocialVersions(IChangeFeed feed)
    {
        _feed = feed;
        feed.Subscribe(UserTopic, id => ChangedElsewhere(false, id));
        feed.Subscribe(GroupTopic, id => ChangedElsewhere(true, id));
    }

    public long OfUser(long userId) => _users.GetValueOrDefault(userId);
    public long OfGroup(long groupId) => _groups.GetValueOrDefault(groupId);

    public void UserChanged(long userId)
    {
        _users.AddOrUpdate(userId, 1, (_, v) => v + 1);
        _feed.Publish(UserTopic, userId);
    }

    public void GroupChanged(long groupId)
    {
        _groups.AddOrUpdate(groupId, 1, (_, v) => v + 1);
        _feed.Publish(GroupTopic, groupId);
    }

    /// <summary>A change made on another node: moves the counter without publishing it again.</summary>
    private void ChangedElsewhere(bool isGroup, long id) => (isGroup ? _groups : _users).AddOrUpdate(id, 1, (_, v) => v + 1);

    /// <summary>An endpoint filter for a route group: after any change (not a GET), the caller's relationships have moved.</summary>
    public static async ValueTask<object?> AfterUserChange(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        try
        {
            return await next(context);
        }
        finally
        {
            if (!HttpMethods.IsGet(http.Request.Method) && http.User.FindFirst("sub")?.Value is { } sub && long.TryParse(sub, out var userId))
                http.RequestServices.GetRequiredService<SocialVersions>().UserChanged(userId);
        }
    }

    /// <summary>An endpoint filter for <c>/groups/{id}/…</c>: after any change (not a GET), the group's membership may have moved.</summary>
    public static async ValueTask<object?> AfterGroupChange(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        try
        {
            return await next(context);
        }
        finally
        {
            if (!HttpMethods.IsGet(http.Request.Method) && http.Request.RouteValues["id"] is string id && long.TryParse(id, out var groupId))
                http.RequestServices.GetRequiredService<SocialVersions>().GroupChanged(groupId);
        }
    }
}
