using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Parley.Server.Operations;

/// <summary>
/// Parley's own meter, "Parley". Static, so that the hot path reaches its instruments without a lookup; an
/// instrument nobody listens to (metrics off) costs a check of one flag. Counters are added to once per batch or
/// per fan-out call, not per message or per device. Prometheus names (at <c>/metrics</c>): dots become
/// underscores, the unit <c>s</c> adds <c>_seconds</c> and counters get <c>_total</c> (docs/configuration.md).
/// </summary>
public static class ParleyMetrics
{
    public const string MeterName = "Parley";

    /// <summary>Spans of Parley's own work (a commit batch), beside ASP.NET Core's and HttpClient's.</summary>
    public static readonly ActivitySource Tracing = new(MeterName);

    private static readonly Meter Meter = new(MeterName);

    /// <summary><c>parley_connections</c>: WebSockets open on this node.</summary>
    public static readonly UpDownCounter<long> Connections =
        Meter.CreateUpDownCounter<long>("parley.connections", "{connection}", "WebSockets open on this node");

    /// <summary>
    /// <c>parley_gateway_upgrades_total</c>: WebSocket handshakes accepted, by <c>path</c>: <c>direct</c> (taken off the
    /// connection before the HTTP server, see Realtime/Handshake) or <c>http</c> (through the HTTP pipeline).
    /// </summary>
    public static readonly Counter<long> Upgrades =
        Meter.CreateCounter<long>("parley.gateway.upgrades", "{connection}", "WebSocket handshakes accepted, by path");

    /// <summary><c>parley_messages_stored_total</c>: messages committed by this node (retries that stored nothing are not counted).</summary>
    public static readonly Counter<long> MessagesStored =
        Meter.CreateCounter<long>("parley.messages.stored", "{message}", "Messages committed by this node");

    /// <summary><c>parley_messages_delivered_total</c>: msg.new frames handed to devices connected to this node (from any node).</summary>
    public static readonly Counter<long> MessagesDelivered =
        Meter.CreateCounter<long>("parley.messages.delivered", "{message}", "msg.new frames handed to devices on this node");

    /// <summary><c>parley_commit_batch_duration_seconds</c>: one committer batch, from the first read until it is stored (its acks and fan-out follow on the publishing loop).</summary>
    public static readonly Histogram<double> CommitBatchDuration = Meter.CreateHistogram<double>(
        "parley.commit.batch.duration", "s", "Time to store one batch of messages",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5] });

    /// <summary><c>parley_commit_batch_size</c>: messages in one committer batch.</summary>
    public static readonly Histogram<int> CommitBatchSize = Meter.CreateHistogram<int>(
        "parley.commit.batch.size", "{message}", "Messages in one commit batch",
        advice: new InstrumentAdvice<int> { HistogramBucketBoundaries = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512] });

    /// <summary><c>parley_device_cutoffs_total</c>: devices cut off because their outbox was full (slow readers; they sync).</summary>
    public static readonly Counter<long> DeviceCutoffs =
        Meter.CreateCounter<long>("parley.device.cutoffs", "{device}", "Devices cut off for reading too slowly");

    /// <summary><c>parley_outbox_dropped_total</c>: frames for other nodes dropped because the Redis outbox was full.</summary>
    public static readonly Counter<long> OutboxDropped =
        Meter.CreateCounter<long>("parley.outbox.dropped", "{frame}", "Frames for other nodes dropped on a full outbox");

    /// <summary><c>parley_redis_publish_batches_total</c>: round trips of the outbox pump to Redis (one script call each).</summary>
    public static readonly Counter<long> RedisPublishBatches =
        Meter.CreateCounter<long>("parley.redis.publish.batches", "{call}", "Round trips of the outbox to Redis");

    /// <summary><c>parley_redis_published_frames_total</c>: frames and changes sent to other nodes through Redis.</summary>
    public static readonly Counter<long> RedisPublishedFrames =
        Meter.CreateCounter<long>("parley.redis.published.frames", "{frame}", "Frames and changes sent to other nodes");

    private static Func<int> _pushBacklog = () => 0;
    private static Func<int> _webhookQueuesDue = () => 0;
    private static Func<long> _searchBacklog = () => 0;

    /// <summary><c>parley_push_backlog</c>: stored messages and ringing calls waiting for the push loop on this node.</summary>
    public static readonly ObservableGauge<int> PushBacklog = Meter.CreateObservableGauge(
        "parley.push.backlog", () => _pushBacklog(), "{trigger}", "Messages and calls waiting for the push loop");

    /// <summary><c>parley_push_dropped_total</c>: push triggers dropped because the push queue was full.</summary>
    public static readonly Counter<long> PushDropped =
        Meter.CreateCounter<long>("parley.push.dropped", "{trigger}", "Push triggers dropped on a full queue");

    /// <summary><c>parley_webhook_queues_due</c>: webhook queues (one per subscription and conversation) with an event due, at the dispatcher's last look (at most 500).</summary>
    public static readonly ObservableGauge<int> WebhookQueuesDue = Meter.CreateObservableGauge(
        "parley.webhook.queues.due", () => _webhookQueuesDue(), "{queue}", "Webhook queues with an event due");

    /// <summary><c>parley_search_indexed_total</c>: messages the SQLite search indexer has put into the full-text index after their commit.</summary>
    public static readonly Counter<long> SearchIndexed =
        Meter.CreateCounter<long>("parley.search.indexed", "{message}", "Messages indexed for search after their commit (SQLite)");

    /// <summary><c>parley_search_backlog</c>: committed messages waiting for the SQLite search indexer, at the start of its last round.</summary>
    public static readonly ObservableGauge<long> SearchBacklog = Meter.CreateObservableGauge(
        "parley.search.backlog", () => _searchBacklog(), "{message}", "Committed messages waiting for the search indexer (SQLite)");

    /// <summary>Where <see cref="SearchBacklog"/> reads its value (the search indexer, on SQLite).</summary>
    public static void ObserveSearchBacklog(Func<long> backlog) => _searchBacklog = backlog;

    /// <summary>Where <see cref="PushBacklog"/> reads its value (the push queue, once it exists).</summary>
    public static void ObservePushBacklog(Func<int> backlog) => _pushBacklog = backlog;

    /// <summary>Where <see cref="WebhookQueuesDue"/> reads its value (the webhook dispatcher, once it exists).</summary>
    public static void ObserveWebhookQueuesDue(Func<int> due) => _webhookQueuesDue = due;
}
