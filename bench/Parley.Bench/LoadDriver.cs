using System.Diagnostics;

namespace Parley.Bench;

/// <summary>
/// Runs one open-loop schedule: a dedicated thread offers messages to the senders round-robin at the fixed
/// total rate by wall clock (it never waits for acks), takes the CPU and memory readings at the edges of
/// the measured window, then the driver waits for the stragglers up to the loss deadline and sums up.
/// </summary>
public static class LoadDriver
{
    /// <summary>The generator counts as behind when its sends run this late against the schedule (p99).</summary>
    public const double BehindLagMs = 10;

    private sealed class Edges
    {
        public ProcSample? ServerStart, ServerEnd, SelfStart, SelfEnd, NodesStart, NodesEnd;
        public MachineSample MachineStart, MachineEnd;
        public long Offered, PendingAtEnd;
    }

    public static async Task<Figures> RunAsync(string scenario, MessageRun run, IReadOnlyList<SenderSlot> senders, IReadOnlyList<BenchSocket> sockets,
        ServerHost server, BenchOptions options, CancellationToken cancellationToken)
    {
        var loadAverage = MachineSample.LoadAverage();
        var closedBefore = BenchSocket.ClosedCount;
        foreach (var socket in sockets) socket.Handler = run;

        var edges = new Edges();
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            try
            {
                Schedule(run, senders, server, edges, cancellationToken);
                done.SetResult();
            }
            catch (Exception e)
            {
                done.SetException(e);
            }
        })
        {
            IsBackground = true,
            Name = "schedule",
            Priority = ThreadPriority.AboveNormal,
        };
        thread.Start();
        await done.Task;

        // The loss deadline: every message of the window must be acked and delivered by then.
        var deadline = run.WindowEnd + (long)(options.DrainSeconds * Stopwatch.Frequency);
        while (Stopwatch.GetTimestamp() < deadline && !(run.Settled && senders.All(s => s.Pending == 0)))
            await Task.Delay(20, cancellationToken);
        var drained = Stopwatch.GetElapsedTime(run.WindowEnd).TotalSeconds;

        var (notAcked, notComplete, missing) = run.Losses();
        var seconds = run.DurationSeconds;
        var serverCpu = ProcSample.CpuBetween(edges.ServerStart, edges.ServerEnd);
        var selfCpu = ProcSample.CpuBetween(edges.SelfStart, edges.SelfEnd);
        var machineBusy = edges.MachineEnd.BusySeconds - edges.MachineStart.BusySeconds;
        var lastReceiver = run.LastReceiverLatency();
        var lagP99 = run.Lag.PercentileMs(0.99);
        var behind = lagP99 > BehindLagMs;
        var lost = notAcked + notComplete + run.MeasuredErrored;
        var delivered = run.DeliveredInWindow;

        var figures = new Figures()
            .Add("scenario", "scenario", scenario)
            .Add("deployment", "deployment", Deployment(server, options))
            .Add("rate_offered", "offered rate", run.Rate, "msgs/s")
            .Add("senders", "senders", senders.Count)
            .Add("receivers_per_message", "receivers per message", run.ReceiversPerMessage)
            .Add("warmup_s", "warm-up", options.WarmupSeconds, "s")
            .Add("duration_s", "measured window", seconds, "s")
            .Add("drain_s", "loss deadline after the window", options.DrainSeconds, "s")
            .Add("sent_in_window", "sent in the window", run.MeasuredSent)
            .Add("sent_per_s", "sent rate achieved", run.MeasuredSent / seconds, "msgs/s")
            .Add("delivered_in_window", "msg.new received in the window", delivered)
            .Add("delivered_per_s", "delivered", delivered / seconds, "msgs/s")
            .Add("acked", "acked (of those sent in the window)", run.MeasuredAcked)
            .Add("acked_per_s", "acks received in the window", run.AckedInWindow / seconds, "acks/s")
            .Add("lost", "lost (no ack, or not delivered to all, or error)", lost)
            .Add("lost_not_acked", "  without an ack by the deadline", notAcked)
            .Add("lost_not_delivered", "  not delivered to every receiver by the deadline", notComplete)
            .Add("missing_deliveries", "  deliveries missing", missing)
            .Add("errors", "  answered with an error", run.MeasuredErrored)
            .Add("error_codes", "error codes (whole run)", new SortedDictionary<string, int>(run.ErrorCodes))
            .Add("latency_p50_ms", "latency p50 (send -> msg.new)", run.Latency.PercentileMs(0.50), "ms")
            .Add("latency_p99_ms", "latency p99", run.Latency.PercentileMs(0.99), "ms")
            .Add("latency_p999_ms", "latency p99.9", run.Latency.PercentileMs(0.999), "ms")
            .Add("latency_max_ms", "latency max", run.Latency.MaxMs, "ms");
        if (run.ReceiversPerMessage > 1)
        {
            figures
                .Add("last_member_p50_ms", "latency to the last member p50", lastReceiver.PercentileMs(0.50), "ms")
                .Add("last_member_p99_ms", "latency to the last member p99", lastReceiver.PercentileMs(0.99), "ms")
                .Add("last_member_max_ms", "latency to the last member max", lastReceiver.MaxMs, "ms");
        }
        figures
            .Add("ack_p50_ms", "ack latency p50 (send -> msg.ack)", run.AckLatency.PercentileMs(0.50), "ms")
            .Add("ack_p99_ms", "ack latency p99", run.AckLatency.PercentileMs(0.99), "ms")
            .Add("server_processes", "server processes counted", ServerProcesses(server))
            .Add("server_cpu_s", "server CPU in the window", serverCpu, "s")
            .Add("server_system_cpu_s", "  of which in the kernel (stime)", ProcSample.SystemCpuBetween(edges.ServerStart, edges.ServerEnd), "s")
            .Add("nodes_cpu_s", "  of which the Parley node(s)", ProcSample.CpuBetween(edges.NodesStart, edges.NodesEnd), "s")
            .Add("services_cpu_s", "  of which PostgreSQL and Redis",
                server.Services is null ? 0.0 : ProcSample.CpuBetween(edges.ServerStart, edges.ServerEnd) - ProcSample.CpuBetween(edges.NodesStart, edges.NodesEnd), "s")
            .Add("server_cores", "server CPU / wall time", serverCpu / seconds, "cores")
            .Add("delivered_per_cpu_s", "delivered per server CPU-second", serverCpu > 0 ? delivered / serverCpu : null, "msgs")
            .Add("acked_per_cpu_s", "acked per server CPU-second", serverCpu > 0 ? run.AckedInWindow / serverCpu : null, "msgs")
            .Add("server_rss_start_mib", "server RSS at window start", edges.ServerStart?.RssKiB / 1024.0, "MiB")
            .Add("server_rss_end_mib", "server RSS at window end", edges.ServerEnd?.RssKiB / 1024.0, "MiB")
            .Add("generator_cpu_s", "generator CPU in the window", selfCpu, "s")
            .Add("generator_system_cpu_s", "  of which in the kernel (stime)", ProcSample.SystemCpuBetween(edges.SelfStart, edges.SelfEnd), "s")
            .Add("machine_busy_cores", "whole machine busy", machineBusy / seconds, "cores")
            .Add("other_cores", "other processes (machine - server - generator)",
                serverCpu is null || selfCpu is null ? null : Math.Max(0, machineBusy - serverCpu.Value - selfCpu.Value) / seconds, "cores")
            .Add("load_average_before", "load average before the run", loadAverage)
            .Add("generator_lag_p99_ms", "generator send lag p99 (vs schedule)", lagP99, "ms")
            .Add("generator_lag_max_ms", "generator send lag max", run.Lag.MaxMs, "ms")
            .Add("generator_backlog_at_end", "sends still queued at window end", edges.PendingAtEnd)
            .Add("generator_behind", $"generator fell behind (lag p99 > {BehindLagMs} ms)", behind)
            .Add("sockets_closed", "sockets closed during the run", BenchSocket.ClosedCount - closedBefore)
            .Add("duplicates", "duplicate deliveries", run.Duplicates)
            .Add("drain_used_s", "time waited after the window", drained, "s");
        return figures;
    }

    private static string Deployment(ServerHost server, BenchOptions options) =>
        server.Second is not null ? (options.CrossNode ? "cluster of 2 nodes, cross-node" : "cluster of 2 nodes, all on node 1")
        : server.Services is not null ? "one node on PostgreSQL"
        : server.Started ? "one node on SQLite" : "attached";

    private static string ServerProcesses(ServerHost server) =>
        (server.Second is null ? "the Parley node" : "both Parley nodes")
        + (server.Services is null ? "" : server.Services.Redis is null ? " + PostgreSQL" : " + PostgreSQL + Redis");

    private static void Schedule(MessageRun run, IReadOnlyList<SenderSlot> senders, ServerHost server, Edges edges, CancellationToken cancellationToken)
    {
        var start = run.ScheduleStart;
        var rate = run.Rate;
        var frequency = (double)Stopwatch.Frequency;
        long offered = 0;
        var n = senders.Count;
        var windowStarted = false;
        while (Stopwatch.GetTimestamp() < start) Thread.Sleep(1);
        while (!cancellationToken.IsCancellationRequested)
        {
            var now = Stopwatch.GetTimestamp();
            if (!windowStarted && now >= run.WindowStart)
            {
                windowStarted = true;
                edges.ServerStart = server.Sample();
                edges.NodesStart = server.NodesSample();
                edges.SelfStart = ProcSample.Read(Environment.ProcessId);
                edges.MachineStart = MachineSample.Read();
            }
            if (now >= run.WindowEnd)
            {
                edges.ServerEnd = server.Sample();
                edges.NodesEnd = server.NodesSample();
                edges.SelfEnd = ProcSample.Read(Environment.ProcessId);
                edges.MachineEnd = MachineSample.Read();
                break;
            }
            // Everything due by now, including what a late wake-up missed: the schedule is by the clock.
            var due = (long)((now - start) / frequency * rate) + 1;
            while (offered < due)
            {
                senders[(int)(offered % n)].Offer();
                offered++;
            }
            Thread.Sleep(1);
        }
        edges.Offered = offered;
        edges.PendingAtEnd = senders.Sum(s => (long)s.Pending);
    }
}
