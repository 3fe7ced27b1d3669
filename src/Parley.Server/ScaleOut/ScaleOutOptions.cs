namespace Parley.Server.ScaleOut;

/// <summary>Settings of the Redis scale-out (used only when <c>ConnectionStrings:Redis</c> is set). See docs/configuration.md.</summary>
public sealed class ScaleOutOptions
{
    public const string Section = "ScaleOut";

    /// <summary>How long a node counts as alive after its last heartbeat; a node that dies without goodbye is forgotten (and its users go offline) after this.</summary>
    public TimeSpan NodeTtl { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>How often a node renews its heartbeat, reaps dead nodes and reconciles its routes. Must be well under <see cref="NodeTtl"/>.</summary>
    public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Frames waiting to go to other nodes; past this, publishing to other nodes drops frames (their devices catch up with msg.sync) and the message writer waits.</summary>
    public int OutboxCapacity { get; set; } = 50_000;

    /// <summary>Frames sent to Redis in one round trip at most.</summary>
    public int MaxBatch { get; set; } = 512;

    /// <summary>Prefix of every Redis key and channel, so that several deployments can share one Redis.</summary>
    public string KeyPrefix { get; set; } = "parley:";
}
