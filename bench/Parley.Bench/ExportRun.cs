using System.Diagnostics;
using System.Net.Http.Headers;

namespace Parley.Bench;

/// <summary>
/// <c>history --export</c>: the seeded user downloads <c>GET /api/v1/users/me/export</c> (every message they can see)
/// as a client would save it, read to the end and thrown away, while the server's resident memory is sampled. The
/// export is written as it is read, so its memory should stay flat whatever the size: the figure is the peak RSS
/// during the download against the RSS just before it.
/// </summary>
public static class ExportRun
{
    /// <summary>How often VmRSS is read while the document streams: often enough to catch a short peak.</summary>
    private static readonly TimeSpan SampleEvery = TimeSpan.FromMilliseconds(25);

    public static async Task MeasureAsync(Figures figures, ServerHost server, string token, CancellationToken ct)
    {
        // Its own client: the document of a million messages may take longer than HttpClient's default 100 s.
        using var http = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { BaseAddress = server.BaseAddress, Timeout = Timeout.InfiniteTimeSpan };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);

        var before = server.NodesSample();
        using var sampling = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var peak = before?.RssKiB ?? 0L;
        var samples = 0;
        var sampler = Task.Run(async () =>
        {
            using var timer = new PeriodicTimer(SampleEvery);
            try
            {
                while (await timer.WaitForNextTickAsync(sampling.Token))
                {
                    if (server.NodesSample() is not { } now) continue;
                    samples++;
                    if (now.RssKiB > peak) peak = now.RssKiB;
                }
            }
            catch (OperationCanceledException)
            {
            }
        }, CancellationToken.None);

        var started = Stopwatch.GetTimestamp();
        double? firstByteMs = null;
        var bytes = 0L;
        byte last = 0;
        try
        {
            using var response = await http.GetAsync("api/v1/users/me/export", HttpCompletionOption.ResponseHeadersRead, ct);
            if (!response.IsSuccessStatusCode)
                throw new InvalidOperationException($"GET /users/me/export: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(ct)}");
            await using var body = await response.Content.ReadAsStreamAsync(ct);
            var buffer = new byte[64 * 1024];
            int read;
            while ((read = await body.ReadAsync(buffer, ct)) > 0)
            {
                firstByteMs ??= Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                bytes += read;
                last = buffer[read - 1];
            }
        }
        finally
        {
            await sampling.CancelAsync();
            await sampler;
        }
        var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        var after = server.NodesSample();
        if (after is { } end && end.RssKiB > peak) peak = end.RssKiB;
        // A document cut short (the server failed mid-stream after sending 200) does not end its top-level object.
        if (last != (byte)'}') throw new InvalidOperationException($"The export ended after {bytes:N0} bytes without closing its document.");

        var mb = bytes / 1_000_000.0;
        figures.Add("export_bytes", "export: size in bytes", bytes, "bytes");
        figures.Add("export_mb", "export: size", mb, "MB");
        figures.Add("export_seconds", "export: time to stream it all", seconds, "s");
        figures.Add("export_first_byte_ms", "export: time to the first byte", firstByteMs, "ms");
        figures.Add("export_mb_per_s", "export: rate", mb / seconds, "MB/s");
        figures.Add("export_server_cpu_s", "export: server CPU", ProcSample.CpuBetween(before, after), "s");
        figures.Add("export_rss_before_mib", "export: server RSS before", before is { } b ? b.RssKiB / 1024.0 : null, "MiB");
        figures.Add("export_rss_peak_mib", "export: server RSS, peak during", before is null ? null : peak / 1024.0, "MiB");
        figures.Add("export_rss_growth_mib", "export: server RSS, peak minus before", before is { } b2 ? (peak - b2.RssKiB) / 1024.0 : null, "MiB");
        figures.Add("export_rss_samples", "export: RSS samples taken", samples);
        Log.Info($"export: {mb:N1} MB in {seconds:F1} s ({mb / seconds:N1} MB/s), server RSS {Figures.Format(before?.RssKiB / 1024.0)} MiB before, "
            + $"peak {Figures.Format(before is null ? null : peak / 1024.0)} MiB during ({samples} samples)");
    }
}
