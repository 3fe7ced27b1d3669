using System.Diagnostics;
using Parley.Server.Operations;

namespace Parley.Server.Messaging;

/// <summary>
/// The committer's batch time, size and trace span, once per batch. Kept out of <see cref="MessageCommitter"/>
/// so that its loop stays as it was; with metrics and tracing off this is a timestamp and two flag checks.
/// </summary>
internal static class CommitMetrics
{
    public readonly record struct Started(long Timestamp, Activity? Span);

    public static Started Start(int size)
    {
        var span = ParleyMetrics.Tracing.StartActivity("parley.commit.batch");
        span?.SetTag("parley.batch.size", size);
        return new Started(Stopwatch.GetTimestamp(), span);
    }

    public static void Stop(Started started, int size)
    {
        if (ParleyMetrics.CommitBatchDuration.Enabled)
            ParleyMetrics.CommitBatchDuration.Record(Stopwatch.GetElapsedTime(started.Timestamp).TotalSeconds);
        ParleyMetrics.CommitBatchSize.Record(size);
        started.Span?.Dispose();
    }
}
