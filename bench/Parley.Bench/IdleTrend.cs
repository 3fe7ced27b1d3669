using System.Globalization;

namespace Parley.Bench;

/// <summary>
/// <c>idle --sizes a,b,c</c>: the figures of each size side by side, and a straight line through the memory growth
/// (RSS growth = fixed + per-connection × connections, least squares) to say what 100,000 connections would hold.
/// </summary>
public static class IdleTrend
{
    public const int ExtrapolateTo = 100_000;

    public static Figures Summarize(IReadOnlyList<Figures> runs)
    {
        var points = runs
            .Where(r => r["rss_per_connection_kib"] is double)
            .Select(r => (X: (double)(int)r["connections"]!, Y: (double)r["rss_per_connection_kib"]! * (int)r["connections"]!))
            .ToList();
        double? slope = null, intercept = null;
        if (points.Count >= 2)
        {
            var meanX = points.Average(p => p.X);
            var meanY = points.Average(p => p.Y);
            var sxx = points.Sum(p => (p.X - meanX) * (p.X - meanX));
            if (sxx > 0)
            {
                slope = points.Sum(p => (p.X - meanX) * (p.Y - meanY)) / sxx;
                intercept = meanY - slope * meanX;
            }
        }
        var projected = slope is null ? (double?)null : intercept!.Value + slope.Value * ExtrapolateTo;
        return new Figures()
            .Add("scenario", "scenario", "idle --sizes")
            .Add("sizes", "sizes", string.Join(",", runs.Select(r => Figures.Format(r["connections"]))))
            .Add("marginal_kib_per_connection", "marginal RSS per connection (slope of the fit)", slope, "KiB")
            .Add("fixed_kib", "fixed part of the growth (intercept)", intercept, "KiB")
            .Add("projected_rss_growth_100k_mib", $"projected RSS growth at {ExtrapolateTo:N0} connections", projected / 1024.0, "MiB")
            .Add("projected_kib_per_connection_100k", $"projected RSS per connection at {ExtrapolateTo:N0}", projected / ExtrapolateTo, "KiB")
            .Add("runs", "runs", runs);
    }

    public static void Print(TextWriter output, IReadOnlyList<Figures> runs, Figures trend)
    {
        output.WriteLine();
        output.WriteLine("idle trend (each size on a fresh server)");
        output.WriteLine("----------------------------------------");
        output.WriteLine($"  {"connections",11} {"users",7} {"open",7} {"KiB/conn",9} {"RSS after MiB",13} {"cold hs/CPU-s",13} {"warm hs/CPU-s",13} {"cold hs/s",10} {"warm hs/s",10} {"idle cores",10}");
        foreach (var r in runs)
        {
            var users = Convert.ToString(r["users"], CultureInfo.InvariantCulture)?.Split(' ')[0];
            output.WriteLine($"  {Figures.Format(r["connections"]),11} {users,7} {Figures.Format(r["open_after_pause"]),7} {Figures.Format(r["rss_per_connection_kib"]),9} "
                + $"{Figures.Format(r["server_rss_after_mib"]),13} {Figures.Format(r["handshakes_per_cpu_s"]),13} {Figures.Format(r["warm_handshakes_per_cpu_s"]),13} "
                + $"{Figures.Format(r["handshakes_per_s"]),10} {Figures.Format(r["warm_handshakes_per_s"]),10} {Figures.Format(r["idle_server_cores"]),10}");
        }
        trend.WriteTable(output, "extrapolation (straight line through RSS growth against connections)");
        output.WriteLine($"  ({ExtrapolateTo:N0} connections also need that many open files in the server and the clients: this box allows 20,000 per process.)");
    }
}
