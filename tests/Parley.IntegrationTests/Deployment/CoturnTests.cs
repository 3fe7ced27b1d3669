using System.Diagnostics;
using Parley.IntegrationTests.Infrastructure;

namespace Parley.IntegrationTests.Deployment;

/// <summary>
/// deploy/compose.yaml's coturn, from apt, with the compose file's authentication (a static shared secret, TURN REST
/// credentials): the credentials the server hands out from <c>GET /api/v1/calls/ice-servers</c> allocate relays on
/// it, checked with coturn's own test client, and credentials that are not the server's are refused.
/// </summary>
public sealed class CoturnTests : IAsyncLifetime
{
    private const string Secret = "parley coturn test secret";
    private readonly int _port = ServerProcess.FreePort();
    private Process? _coturn;

    public async Task InitializeAsync()
    {
        const string turnserver = "/usr/bin/turnserver";
        if (!File.Exists(turnserver)) throw new InvalidOperationException("coturn is not installed (apt-get install coturn; scripts/test.sh does)");
        var relayPorts = 20000 + Random.Shared.Next(0, 400) * 100;
        var info = new ProcessStartInfo(turnserver) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[]
        {
            "-n", $"--listening-port={_port}", "--listening-ip=127.0.0.1", "--relay-ip=127.0.0.1", "--use-auth-secret",
            $"--static-auth-secret={Secret}", "--realm=parley.local", $"--min-port={relayPorts}", $"--max-port={relayPorts + 99}",
            "--no-cli", "--no-tls", "--no-dtls", "--fingerprint", "--log-file=stdout",
            // Only for this test: its relays and peers are all on loopback, which a real deployment refuses.
            "--allow-loopback-peers",
        }) info.ArgumentList.Add(arg);
        _coturn = Process.Start(info)!;
        var ready = new TaskCompletionSource();
        _coturn.OutputDataReceived += (_, e) => { if (e.Data?.Contains("Total General servers", StringComparison.Ordinal) == true) ready.TrySetResult(); };
        _coturn.BeginOutputReadLine();
        _coturn.BeginErrorReadLine();
        await ready.Task.WaitAsync(TimeSpan.FromSeconds(60));
    }

    [Fact]
    public async Task TheTurnCredentialsTheServerHandsOutAllocateRelaysOnCoturnAndOthersAreRefused()
    {
        await using var server = await TestServer.StartAsync(new Dictionary<string, string?>
        {
            ["Calls:TurnUrls:0"] = $"turn:127.0.0.1:{_port}?transport=udp",
            ["Calls:TurnSecret"] = Secret,
        });
        using var alice = await server.NewUserAsync();
        var turn = Assert.Single((await alice.GetIceServersAsync()).IceServers);

        var (allocated, output) = await RelayAsync(turn.Username!, turn.Credential!);
        Assert.True(allocated, output);

        // The same user name with another password, as a client that forged it would send.
        var (forged, forgedOutput) = await RelayAsync(turn.Username!, Convert.ToBase64String(new byte[20]));
        Assert.False(forged, forgedOutput);
    }

    /// <summary>Two clients that allocate relays and send each other messages through them (coturn's turnutils_uclient).</summary>
    private async Task<(bool Relayed, string Output)> RelayAsync(string username, string password)
    {
        var info = new ProcessStartInfo("/usr/bin/turnutils_uclient") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[] { "-y", "-n", "5", "-p", _port.ToString(System.Globalization.CultureInfo.InvariantCulture), "-u", username, "-w", password, "127.0.0.1" })
            info.ArgumentList.Add(arg);
        using var client = Process.Start(info)!;
        var stdout = client.StandardOutput.ReadToEndAsync();
        var stderr = client.StandardError.ReadToEndAsync();
        await client.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(120));
        var output = await stdout + await stderr;
        // A relay that carried the messages both ways reports them received, none lost.
        return (client.ExitCode == 0 && output.Contains("Total lost packets 0", StringComparison.Ordinal), output);
    }

    public Task DisposeAsync()
    {
        if (_coturn is { HasExited: false }) _coturn.Kill();
        _coturn?.Dispose();
        return Task.CompletedTask;
    }
}
