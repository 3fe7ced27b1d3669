using System.Diagnostics;
using System.Text.Json;
using Parley.IntegrationTests.Infrastructure;

namespace Parley.IntegrationTests.Benchmarks;

/// <summary>
/// Keeps the load generator (bench/Parley.Bench) working: a few seconds of one mode at a tiny scale, on the run's
/// database (SQLite: idle with distinct users; PostgreSQL: pairs on a fresh database, its CPU counted), and a tiny
/// history run with the export on SQLite. No timing is asserted: only that the run completes and reports its figures.
/// </summary>
public sealed class LoadGeneratorSmokeTests
{
    [Fact]
    public async Task ATinyRunOfTheLoadGeneratorCompletesAndReportsItsFigures()
    {
        string[] args = TestDatabase.ProviderForThisRun == "postgres"
            ? ["pairs", "--postgres", "--pairs", "5", "--rate", "50", "--warmup", "1", "--duration", "2", "--drain", "3"]
            : ["idle", "--distinct-users", "--connections", "50", "--concurrency", "16", "--pause", "1", "--idle-cpu", "0"];
        var (exitCode, output, errors) = await RunBenchAsync([.. args, "--json", "--timeout", "120", "--server-dll", ServerProcess.ServerDll]);

        Assert.True(exitCode == 0, $"the generator exited with {exitCode}:\n{output}\n{errors}");
        var json = output.Split('\n').Last(l => l.StartsWith('{'));
        using var figures = JsonDocument.Parse(json);
        var root = figures.RootElement;
        if (args[0] == "pairs")
        {
            Assert.Equal(0, root.GetProperty("lost").GetInt64());
            Assert.True(root.GetProperty("delivered_in_window").GetInt64() > 0, output);
            Assert.Equal("the Parley node + PostgreSQL", root.GetProperty("server_processes").GetString());
            Assert.True(root.GetProperty("delivered_per_cpu_s").ValueKind == JsonValueKind.Number, output);
        }
        else
        {
            Assert.Equal(50, root.GetProperty("open_after_pause").GetInt32());
            Assert.True(root.GetProperty("distinct_users").GetBoolean());
            Assert.True(root.GetProperty("handshakes_per_cpu_s").ValueKind == JsonValueKind.Number, output);
            Assert.True(root.GetProperty("warm_handshakes_per_cpu_s").ValueKind == JsonValueKind.Number, output);
        }
    }

    [Fact]
    public async Task ATinyHistoryRunWithTheExportDownloadsTheWholeDocumentAndReportsTheServersMemory()
    {
        // The generator's own server on SQLite whatever the run's database: what is kept working is the measurement.
        var (exitCode, output, errors) = await RunBenchAsync(["history", "--conversations", "4", "--friends", "2", "--messages", "200",
            "--samples", "10", "--export", "--json", "--timeout", "120", "--server-dll", ServerProcess.ServerDll]);

        Assert.True(exitCode == 0, $"the generator exited with {exitCode}:\n{output}\n{errors}");
        using var figures = JsonDocument.Parse(output.Split('\n').Last(l => l.StartsWith('{')));
        var root = figures.RootElement;
        Assert.Equal(200, root.GetProperty("messages").GetInt64());
        // 200 messages of a few words each, with their envelopes: well over 10 KB however the text falls.
        Assert.True(root.GetProperty("export_bytes").GetInt64() > 10_000, output);
        Assert.True(root.GetProperty("export_seconds").GetDouble() > 0, output);
        Assert.True(root.GetProperty("export_rss_peak_mib").GetDouble() >= root.GetProperty("export_rss_before_mib").GetDouble(), output);
    }

    /// <summary>
    /// The failover run at a tiny scale: two nodes on a fresh PostgreSQL database and Redis, the receivers on node 2,
    /// which is SIGKILLed a second into the window; the receivers reconnect to node 1 and read what they missed from
    /// the history. Nothing acknowledged may be lost (the generator's own PostgreSQL and Redis: the test services').
    /// </summary>
    [Fact]
    public async Task ATinyFailoverRunMovesTheKilledNodesReceiversAndLosesNothingAcknowledged()
    {
        var (exitCode, output, errors) = await RunBenchAsync(["pairs", "--cluster", "--cross-node", "--kill-node2", "1",
            "--pairs", "5", "--rate", "100", "--warmup", "1", "--duration", "4", "--drain", "30",
            "--json", "--timeout", "150", "--server-dll", ServerProcess.ServerDll]);

        Assert.True(exitCode == 0, $"the generator exited with {exitCode}:\n{output}\n{errors}");
        using var figures = JsonDocument.Parse(output.Split('\n').Last(l => l.StartsWith('{')));
        var root = figures.RootElement;
        Assert.Equal(5, root.GetProperty("failover_reconnected").GetInt32());
        Assert.True(root.GetProperty("failover_caught_up_s").ValueKind == JsonValueKind.Number, output);
        Assert.True(root.GetProperty("acked").GetInt64() > 0, output);
        Assert.Equal(0, root.GetProperty("lost").GetInt64());
        Assert.Equal(0, root.GetProperty("duplicates").GetInt64());
    }

    private static async Task<(int ExitCode, string Output, string Errors)> RunBenchAsync(string[] args)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(BenchDll);
        foreach (var arg in args) info.ArgumentList.Add(arg);
        info.Environment.Remove("PARLEY_TEST_DATABASE");
        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(180));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }
        return (process.ExitCode, await output, await errors);
    }

    /// <summary>The generator's dll, built beside the server in the same configuration (the test project references it).</summary>
    private static string BenchDll
    {
        get
        {
            var server = ServerProcess.ServerDll;
            var root = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(server)!, "..", "..", "..", "..", ".."));
            var configuration = new DirectoryInfo(Path.GetDirectoryName(server)!).Parent!.Name;
            var dll = Path.Combine(root, "bench", "Parley.Bench", "bin", configuration, "net10.0", "Parley.Bench.dll");
            return File.Exists(dll) ? dll : throw new InvalidOperationException($"The load generator is not built: {dll}");
        }
    }
}
