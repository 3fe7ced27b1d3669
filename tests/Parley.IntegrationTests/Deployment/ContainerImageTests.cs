using System.Diagnostics;
using System.Net;
using Parley.Client;
using Parley.IntegrationTests.Infrastructure;

namespace Parley.IntegrationTests.Deployment;

/// <summary>
/// The image built from the repository's Dockerfile (scripts/container-test.sh: runtime stage on a Debian base made
/// with debootstrap, the server published on the host), run with podman as this machine allows: it serves /healthz,
/// the web client and a message exchange, runs as a non-root user and its HEALTHCHECK passes. Slow the first time
/// (debootstrap); never skipped: a missing podman is a failure.
/// </summary>
public sealed class ContainerImageTests
{
    private static readonly string Repo = Path.GetDirectoryName(Path.GetDirectoryName(Path.GetDirectoryName(ServerProcess.ServerDll)))!
        is var bin ? Path.GetFullPath(Path.Combine(bin, "..", "..", "..")) : "";

    [Fact]
    public async Task TheImageServesHealthTheWebClientAndAMessageExchangeAsANonRootUser()
    {
        var (built, buildOutput) = await RunAsync("bash", TimeSpan.FromMinutes(20), Path.Combine(Repo, "scripts", "container-test.sh"), "image");
        Assert.True(built == 0, buildOutput);
        var image = buildOutput.Trim().Split('\n')[^1].Trim();

        var port = ServerProcess.FreePort();
        var name = $"parley-test-{Guid.NewGuid():N}"[..24];
        var (started, startOutput) = await RunAsync("podman", TimeSpan.FromMinutes(2), "run", "-d", "--name", name, "--runtime", "runc", "--network", "host",
            "--ulimit", "nofile=10000:10000", "--ulimit", "nproc=4096:4096",
            "-e", $"ASPNETCORE_URLS=http://127.0.0.1:{port}", "-e", "Accounts__BcryptWorkFactor=4", image);
        Assert.True(started == 0, startOutput);
        try
        {
            var address = new Uri($"http://127.0.0.1:{port}/");
            using var http = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(5) };
            await WaitHealthyAsync(http, name);

            var page = await http.GetAsync("");
            Assert.Equal(HttpStatusCode.OK, page.StatusCode);
            Assert.Contains("<!doctype html>", await page.Content.ReadAsStringAsync(), StringComparison.OrdinalIgnoreCase);

            using var alice = new ParleyClient(address);
            using var bob = new ParleyClient(address);
            await alice.RegisterAsync(new RegisterRequest { Phone = $"+8613{Random.Shared.Next(100_000_000, 999_999_999)}", Password = "container 1", Nickname = "alice" });
            await bob.RegisterAsync(new RegisterRequest { Phone = $"+8613{Random.Shared.Next(100_000_000, 999_999_999)}", Password = "container 1", Nickname = "bob" });
            await TestServer.MakeFriendsAsync(alice, bob);
            await using var bobSocket = await ParleyRealtime.ConnectAsync(bob);
            await using var aliceSocket = await ParleyRealtime.ConnectAsync(alice);
            var ack = await aliceSocket.SendMessageAsync(SendTarget.User(bob.UserId), "text", "from inside a container");
            var delivered = await bobSocket.NextEventAsync("msg.new");
            Assert.Equal(ack.MessageId, delivered.Data.GetProperty("id").GetString());

            var (_, user) = await RunAsync("podman", TimeSpan.FromMinutes(1), "exec", name, "id", "-u");
            Assert.Equal("1654", user.Trim());
            // Podman runs HEALTHCHECKs from systemd timers, which this machine lacks: run it once by hand.
            var (health, healthOutput) = await RunAsync("podman", TimeSpan.FromMinutes(1), "healthcheck", "run", name);
            Assert.True(health == 0, healthOutput);
            var (_, volumes) = await RunAsync("podman", TimeSpan.FromMinutes(1), "inspect", "--format", "{{json .Config.Volumes}}", image);
            Assert.Contains("/data", volumes, StringComparison.Ordinal);
        }
        finally
        {
            await RunAsync("podman", TimeSpan.FromMinutes(1), "rm", "-f", "-v", name);
        }
    }

    private static async Task WaitHealthyAsync(HttpClient http, string name)
    {
        var deadline = DateTime.UtcNow.AddSeconds(120);
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                if ((await http.GetAsync("healthz")).IsSuccessStatusCode) return;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
            }
            await Task.Delay(250);
        }
        var (_, logs) = await RunAsync("podman", TimeSpan.FromMinutes(1), "logs", name);
        throw new TimeoutException($"The container did not answer /healthz within 120 s:\n{logs}");
    }

    internal static async Task<(int ExitCode, string Output)> RunAsync(string command, TimeSpan timeout, params string[] args)
    {
        var info = new ProcessStartInfo(command) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = Repo };
        foreach (var arg in args) info.ArgumentList.Add(arg);
        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{command} {string.Join(' ', args)} took longer than {timeout}:\n{await errors}");
        }
        var stdout = await output;
        return (process.ExitCode, process.ExitCode == 0 ? stdout : stdout + await errors);
    }
}
