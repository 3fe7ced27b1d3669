using Microsoft.EntityFrameworkCore;
using Parley.Server.Storage;

namespace Parley.Server.Messaging;

/// <summary>
/// Whether some stored message may have passed its <see cref="Message.ExpiresAt"/> (and not be swept yet), for the
/// conversation list's unread counts, mostly without a query. A probe reads the earliest <c>ExpiresAt</c> stored (one step
/// on its index); until that time no stored message has expired, and no message stored after the probe can expire
/// before the probe's time plus <see cref="MessageRetention.MinTtlSeconds"/>. The answer from a probe is kept for half
/// that (the other half covers a sender whose clock or commit was behind the probe's), so a node probes at most once
/// every 2.5 seconds instead of on every list page: measured, each statement of a page cost about 0.9 ms on this
/// machine (docs/benchmarks.md, twelfth session).
/// </summary>
public sealed class ExpiryHorizon(TimeProvider time)
{
    private static readonly TimeSpan Kept = TimeSpan.FromSeconds(MessageRetention.MinTtlSeconds / 2.0);

    /// <summary>The last probe: when it ran, and the earliest expiry then stored (null: none).</summary>
    private volatile Probe? _last;

    /// <summary>Whether a stored message has <c>ExpiresAt</c> at or before <paramref name="now"/>; exact.</summary>
    public async Task<bool> AnyExpiredAsync(ParleyDb db, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var probe = _last;
        if (probe is null || now < probe.At || now >= probe.At + Kept)
        {
            var at = time.GetUtcNow();
            var earliest = await db.Messages.Where(m => m.ExpiresAt != null).MinAsync(m => m.ExpiresAt, cancellationToken);
            _last = probe = new Probe(at, earliest);
        }
        return probe.Earliest is { } earliestExpiry && earliestExpiry <= now;
    }

    private sealed record Probe(DateTimeOffset At, DateTimeOffset? Earliest);
}
