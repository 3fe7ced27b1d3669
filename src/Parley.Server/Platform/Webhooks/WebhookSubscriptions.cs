using System.Collections.Frozen;
using Microsoft.EntityFrameworkCore;
using Parley.Server.ScaleOut;
using Parley.Server.Storage;

namespace Parley.Server.Platform.Webhooks;

/// <summary>
/// The subscriptions, in memory, by event type: the hot paths (the committer's batch, a send's before_send check)
/// ask "does anyone want this type?" with a dictionary read. Reloaded after every change made here, and on the other
/// nodes through the <see cref="IChangeFeed"/>; should that publish be lost, within <see cref="RefreshInterval"/>.
/// </summary>
public sealed class WebhookSubscriptions
{
    public const string Topic = "platform.webhooks";
    public static readonly TimeSpan RefreshInterval = TimeSpan.FromSeconds(30);

    private readonly IServiceScopeFactory _scopes;
    private readonly IChangeFeed _feed;
    private readonly ILogger<WebhookSubscriptions> _logger;
    private volatile FrozenDictionary<string, WebhookSubscription[]> _byType = FrozenDictionary<string, WebhookSubscription[]>.Empty;
    private volatile FrozenDictionary<long, WebhookSubscription> _byId = FrozenDictionary<long, WebhookSubscription>.Empty;

    public WebhookSubscriptions(IServiceScopeFactory scopes, IChangeFeed feed, ILogger<WebhookSubscriptions> logger)
    {
        _scopes = scopes;
        _feed = feed;
        _logger = logger;
        feed.Subscribe(Topic, _ => ReloadQuietlyAsync().ContinueWith(static _ => { }, TaskScheduler.Default));
    }

    /// <summary>The subscriptions to <paramref name="type"/>; empty (no allocation) when there are none.</summary>
    public WebhookSubscription[] For(string type) => _byType.TryGetValue(type, out var subscriptions) ? subscriptions : [];

    public WebhookSubscription? Find(long id) => _byId.GetValueOrDefault(id);

    /// <summary>Whether any subscription exists (outbox rows go with their subscription, so none are waiting when not).</summary>
    public bool Any => _byId.Count > 0;

    public async Task ReloadAsync(CancellationToken cancellationToken)
    {
        await using var scope = _scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ParleyDb>();
        var all = await db.WebhookSubscriptions.AsNoTracking().OrderBy(s => s.Id).ToListAsync(cancellationToken);
        _byId = all.ToFrozenDictionary(s => s.Id);
        _byType = all.SelectMany(s => s.EventList.Select(type => (type, s)))
            .GroupBy(p => p.type).ToFrozenDictionary(g => g.Key, g => g.Select(p => p.s).ToArray());
    }

    /// <summary>After a change made on this node: reload here, then tell the others.</summary>
    public async Task ChangedAsync(CancellationToken cancellationToken)
    {
        await ReloadAsync(cancellationToken);
        _feed.Publish(Topic, 0);
    }

    internal async Task ReloadQuietlyAsync()
    {
        try
        {
            await ReloadAsync(CancellationToken.None);
        }
        catch (Exception e)
        {
            _logger.LogWarning(e, "Reloading the webhook subscriptions failed; the last list stays in use");
        }
    }
}
