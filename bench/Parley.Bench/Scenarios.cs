using System.Diagnostics;
using System.Globalization;

namespace Parley.Bench;

public static class Scenarios
{
    private const int HotBufferBytes = 16 * 1024;
    private const int IdleBufferBytes = 1024;

    // Unique per process; the step number is added, so late frames of an earlier step are told apart.
    private static readonly long TagBase = Random.Shared.Next(1, 9_000_000) * 100L;

    /// <summary>N/2 pairs of friends, one socket each; senders → receivers at the fixed total rate (or --find-max).</summary>
    public static async Task<(string Title, Figures Figures)> PairsAsync(ServerHost server, BenchOptions o, CancellationToken ct)
    {
        using var setup = new Setup(server, o);
        var users = await setup.RegisterAsync(o.Pairs * 2, ct);
        var pairs = Enumerable.Range(0, o.Pairs).Select(i => (users[2 * i], users[2 * i + 1])).ToList();
        await setup.MakeFriendsAsync(pairs, ct);
        var started = Stopwatch.GetTimestamp();
        // Senders are the even users; with --cross-node the receivers (odd) are on node 2, so every message crosses Redis.
        var sockets = await setup.ConnectAsync(users, HotBufferBytes, ct, i => o.CrossNode && i % 2 == 1 ? 2 : 1);
        Log.Info($"connected {sockets.Length} sockets in {Stopwatch.GetElapsedTime(started).TotalSeconds:F1} s"
            + (server.Second is null ? "" : o.CrossNode ? " (senders on node 1, receivers on node 2)" : " (all on node 1)"));
        await Task.Delay(1000, ct);

        var step = 0;
        async Task<Figures> RunAt(double rate)
        {
            step++;
            var run = new MessageRun(TagBase + step, rate, Stopwatch.GetTimestamp() + Stopwatch.Frequency / 10, o.WarmupSeconds, o.DurationSeconds, 1);
            var senders = Enumerable.Range(0, o.Pairs)
                .Select(i => new SenderSlot(sockets[2 * i], run, $"{{\"userId\":\"{users[2 * i + 1].Id}\"}}", o.Pad))
                .ToList();
            Log.Info($"pairs: {rate:F0} msgs/s over {o.Pairs} pairs, {o.WarmupSeconds} s warm-up + {o.DurationSeconds} s measured (load {MachineSample.LoadAverage()})");
            // The failover run: the receivers (odd users) are on node 2, which dies during the window.
            var failover = o.KillNode2AfterSeconds is { } kill
                ? new Failover(server, setup, run, [.. users.Where((_, i) => i % 2 == 1)], [.. sockets.Where((_, i) => i % 2 == 1)], HotBufferBytes, kill)
                : null;
            var moving = failover?.RunAsync(ct) ?? Task.CompletedTask;
            var figures = await LoadDriver.RunAsync("pairs", run, senders, sockets, server, o, ct);
            await moving;
            failover?.AddFigures(figures);
            Log.Info($"  -> delivered {Figures.Format(figures["delivered_per_s"])}/s, p50 {Figures.Format(figures["latency_p50_ms"])} ms, "
                + $"p99 {Figures.Format(figures["latency_p99_ms"])} ms, lost {Figures.Format(figures["lost"])}, "
                + $"server {Figures.Format(figures["server_cores"])} cores, {Figures.Format(figures["delivered_per_cpu_s"])} per CPU-s"
                + (figures["generator_behind"] is true ? ", GENERATOR BEHIND" : ""));
            return figures;
        }

        if (!o.FindMax)
        {
            var result = await RunAt(o.Rate ?? 2_000);
            return ($"pairs at {o.Rate ?? 2_000:F0} msgs/s", result);
        }

        bool Passes(Figures f) =>
            f["lost"] is 0L && f["latency_p99_ms"] is double p99 && p99 <= o.MaxP99Ms && f["generator_behind"] is false && f["sockets_closed"] is 0;

        var steps = new List<Figures>();
        double? best = null, failed = null;
        async Task<bool> Try(double rate)
        {
            if (steps.Count > 0) await SettleAsync(server, ct);
            var f = await RunAt(rate);
            var passed = Passes(f);
            f.Add("passed", "passed", passed);
            steps.Add(f);
            if (passed) best = Math.Max(best ?? 0, rate);
            else failed = Math.Min(failed ?? double.MaxValue, rate);
            return passed;
        }

        foreach (var rate in o.Ladder)
            if (!await Try(rate)) break;
        // Not even the first step: walk down until one passes.
        for (var rate = Math.Round(o.Ladder[0] / 2); best is null && rate >= 25; rate = Math.Round(rate / 2))
            await Try(rate);
        // Then narrow the gap between the highest pass and the lowest failure.
        for (var i = 0; i < o.Refine && best is { } low && failed is { } high; i++)
        {
            var grain = low >= 2_000 ? 100 : low >= 200 ? 25 : 5;
            var middle = Math.Round(Math.Sqrt(low * high) / grain) * grain;
            if (middle <= low || middle >= high) break;
            await Try(middle);
        }
        Figures? final = null;
        if (best is { } max)
        {
            await SettleAsync(server, ct);
            final = await RunAt(Math.Round(max * 0.8));
            final.Add("passed", "passed", Passes(final));
        }
        var summary = new Figures()
            .Add("scenario", "scenario", "pairs --find-max")
            .Add("max_passing_rate", $"highest passing rate (p99 <= {o.MaxP99Ms} ms, no loss)", best, "msgs/s")
            .Add("final_rate", "final run at 80% of it", best is null ? null : Math.Round(best.Value * 0.8), "msgs/s")
            .Add("steps", "steps", steps);
        if (final is not null) summary.Add("final", "final", final);
        return ("pairs --find-max", summary);
    }

    /// <summary>One group of --members (the owner, friends with all, included); --senders members post at the fixed total rate.</summary>
    public static async Task<(string Title, Figures Figures)> GroupAsync(ServerHost server, BenchOptions o, CancellationToken ct)
    {
        using var setup = new Setup(server, o);
        var users = await setup.RegisterAsync(o.Members, ct);
        var owner = users[0];
        var group = server.ApiKey is { } apiKey
            ? await setup.CreateGroupThroughPlatformAsync(apiKey, owner, users, ct)
            : await setup.CreateGroupAsOwnerAsync(owner, users, ct);
        group = await owner.Client.GetGroupAsync(group.Id, ct);
        if (group.MemberCount != o.Members)
            throw new InvalidOperationException($"The group has {group.MemberCount} members, not {o.Members}.");
        Log.Info($"group {group.Id} with {group.MemberCount} members");
        var started = Stopwatch.GetTimestamp();
        // With --cross-node the members are spread over both nodes (odd ones on node 2), senders included.
        var sockets = await setup.ConnectAsync(users, HotBufferBytes, ct, i => o.CrossNode && i % 2 == 1 ? 2 : 1);
        Log.Info($"connected {sockets.Length} sockets in {Stopwatch.GetElapsedTime(started).TotalSeconds:F1} s"
            + (server.Second is null ? "" : o.CrossNode ? " (odd members on node 2)" : " (all on node 1)"));
        await Task.Delay(2000, ct);

        var rate = o.Rate ?? 50;
        var run = new MessageRun(TagBase + 1, rate, Stopwatch.GetTimestamp() + Stopwatch.Frequency / 10, o.WarmupSeconds, o.DurationSeconds, o.Members - 1);
        var senders = Enumerable.Range(1, o.Senders)
            .Select(i => new SenderSlot(sockets[i], run, $"{{\"groupId\":\"{group.Id}\"}}", o.Pad))
            .ToList();
        Log.Info($"group: {rate:F0} msgs/s from {o.Senders} senders to {o.Members} members, {o.WarmupSeconds} s warm-up + {o.DurationSeconds} s measured (load {MachineSample.LoadAverage()})");
        var figures = await LoadDriver.RunAsync("group", run, senders, sockets, server, o, ct);
        figures.Add("members", "members", o.Members);
        return ($"group of {o.Members}, {o.Senders} senders, {rate:F0} msgs/s", figures);
    }

    /// <summary>Opens --connections authenticated sockets and measures the handshakes and the memory each idle one holds.</summary>
    public static async Task<(string Title, Figures Figures)> IdleAsync(ServerHost server, BenchOptions o, CancellationToken ct)
    {
        var need = o.Connections + 256L;
        var limit = FileLimit.Raise(need);
        if (limit >= 0 && limit < need)
            throw new InvalidOperationException(
                $"This process may open only {limit} files, and {o.Connections} connections need about {need}: raise it first (ulimit -n {need}, as root or within the hard limit).");
        var serverLimit = server.OpenFileLimit();
        if (serverLimit is not null && long.TryParse(serverLimit, out var serverFiles) && serverFiles < need)
            Log.Info($"WARNING: the server may open only {serverFiles} files; {o.Connections} connections will not all fit");

        using var setup = new Setup(server, o);
        // With --distinct-users every connection is its user's first, as in a reconnect storm after a restart; the
        // warm-up then uses users of its own, so that no measured user has connected before.
        var userCount = o.DistinctUsers ? o.Connections : Math.Min(o.Users, o.Connections);
        var warmCount = Math.Min(64, o.Connections);
        var registered = await setup.RegisterAsync(userCount + (o.DistinctUsers ? warmCount : 0), ct);
        var users = registered[..userCount];
        var warmUsers = o.DistinctUsers ? registered[userCount..] : users;

        // Warm the handshake path (JIT, pools) so that the memory baseline does not count one-off costs.
        var warm = await setup.ConnectAsync(Enumerable.Range(0, warmCount).Select(i => warmUsers[i % warmUsers.Length]).ToList(), IdleBufferBytes, ct);
        await Task.WhenAll(warm.Select(s => s.CloseAsync()));
        await Task.Delay(TimeSpan.FromSeconds(3), ct);

        var loadAverage = MachineSample.LoadAverage();
        var before = server.Sample();
        var machineBefore = MachineSample.Read();
        var started = Stopwatch.GetTimestamp();
        // Device i belongs to user i % users: each user's first device announces presence, the others do not.
        var devices = Enumerable.Range(0, o.Connections).Select(i => users[i % users.Length]).ToList();
        Log.Info($"idle: opening {o.Connections} connections for {users.Length} users, {o.HandshakeConcurrency} at a time (load {loadAverage})");
        var sockets = await setup.ConnectAsync(devices, IdleBufferBytes, ct);
        var elapsed = Stopwatch.GetElapsedTime(started).TotalSeconds;
        var opened = server.Sample();
        var machineOpened = MachineSample.Read();
        Log.Info($"  opened in {elapsed:F2} s; pausing {o.PauseSeconds} s");

        await Task.Delay(TimeSpan.FromSeconds(o.PauseSeconds), ct);
        var after = server.Sample();
        // What the idle connections cost with nothing happening (keep-alive pings, timers), after the pause.
        await Task.Delay(TimeSpan.FromSeconds(o.IdleCpuSeconds), ct);
        var idleEnd = server.Sample();
        var open = sockets.Count(s => !s.Closed);

        var handshakeCpu = ProcSample.CpuBetween(before, opened);
        var idleCpu = ProcSample.CpuBetween(after, idleEnd);
        var rssGrowth = before is { } b && after is { } a ? a.RssKiB - b.RssKiB : (long?)null;
        var figures = new Figures()
            .Add("scenario", "scenario", "idle")
            .Add("connections", "connections", o.Connections)
            .Add("users", "users (devices per user)", $"{users.Length} ({(double)o.Connections / users.Length:F0})")
            .Add("distinct_users", "one user per connection (every first-round handshake is its user's first)", o.DistinctUsers)
            .Add("handshake_concurrency", "handshakes in flight", o.HandshakeConcurrency)
            .Add("open_after_pause", "still open after the pause", open)
            .Add("open_seconds", "time to open them all", elapsed, "s")
            .Add("handshakes_per_s", "first round (cold): handshakes per second", o.Connections / elapsed, "/s")
            .Add("handshake_server_cpu_s", "first round (cold): server CPU while opening", handshakeCpu, "s")
            .Add("handshake_server_system_cpu_s", "  of which in the kernel (stime)", ProcSample.SystemCpuBetween(before, opened), "s")
            .Add("handshakes_per_cpu_s", "first round (cold): handshakes per server CPU-second", handshakeCpu > 0 ? o.Connections / handshakeCpu : null, "/CPU-s")
            .Add("machine_busy_cores", "whole machine busy while opening", (machineOpened.BusySeconds - machineBefore.BusySeconds) / elapsed, "cores")
            .Add("server_rss_before_mib", "server RSS before", before?.RssKiB / 1024.0, "MiB")
            .Add("server_rss_after_mib", $"server RSS after a {o.PauseSeconds:F0} s pause", after?.RssKiB / 1024.0, "MiB")
            .Add("rss_per_connection_kib", "server RSS growth per connection", rssGrowth / (double)o.Connections, "KiB")
            .Add("idle_server_cores", $"server CPU while all sit idle ({o.IdleCpuSeconds} s after the pause)", o.IdleCpuSeconds > 0 ? idleCpu / o.IdleCpuSeconds : null, "cores")
            .Add("server_rss_idle_end_mib", "server RSS at the end of that", idleEnd?.RssKiB / 1024.0, "MiB")
            .Add("load_average_before", "load average before", loadAverage)
            .Add("server_open_file_limit", "server open-file limit", serverLimit)
            .Add("generator_open_file_limit", "generator open-file limit", limit);

        // A second round with everything compiled and the pools warm: the steady-state cost of a handshake.
        // (The first round above also pays for tier-1 JIT compilation of the handshake path.)
        foreach (var socket in sockets) socket.Abort();
        await Task.Delay(TimeSpan.FromSeconds(3), ct);
        var againBefore = server.Sample();
        started = Stopwatch.GetTimestamp();
        var again = await setup.ConnectAsync(devices, IdleBufferBytes, ct);
        var againSeconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        var againCpu = ProcSample.CpuBetween(againBefore, server.Sample());
        Log.Info($"  second round opened in {againSeconds:F2} s");
        foreach (var socket in again) socket.Abort();
        figures
            .Add("warm_handshakes_per_s", "second round (warm): handshakes per second", o.Connections / againSeconds, "/s")
            .Add("warm_handshake_server_cpu_s", "second round (warm): server CPU while opening", againCpu, "s")
            .Add("warm_handshakes_per_cpu_s", "second round (warm): handshakes per server CPU-second", againCpu > 0 ? o.Connections / againCpu : null, "/CPU-s");
        return (string.Create(CultureInfo.InvariantCulture, $"idle, {o.Connections} connections{(o.DistinctUsers ? " of distinct users" : "")}"), figures);
    }

    /// <summary>Between steps: waits (up to 30 s) until the server has worked off what the last step left behind.</summary>
    private static async Task SettleAsync(ServerHost server, CancellationToken ct)
    {
        var deadline = Stopwatch.GetTimestamp() + 30 * Stopwatch.Frequency;
        var previous = server.Sample();
        if (previous is null)
        {
            await Task.Delay(3000, ct);
            return;
        }
        while (Stopwatch.GetTimestamp() < deadline)
        {
            await Task.Delay(1000, ct);
            var now = server.Sample();
            if (now is null || now.Value.CpuSeconds - previous.Value.CpuSeconds < 0.1) return;
            previous = now;
        }
    }
}
