using System.Net;
using Parley.Client;
using Parley.IntegrationTests.Infrastructure;

namespace Parley.IntegrationTests;

/// <summary>The server binary as a user runs it: no configuration, its own ./data/, signals and restarts.</summary>
public sealed class ServerProcessTests : IDisposable
{
    private readonly string _workingDirectory = Directory.CreateTempSubdirectory("parley-process-").FullName;

    [Fact]
    public async Task WithNoConfigurationItKeepsEverythingUnderDataAndSurvivesARestart()
    {
        var port = ServerProcess.FreePort();
        string phone;
        AuthResponse session;
        await using (var server = await ServerProcess.StartAsync(_workingDirectory, port))
        {
            Assert.True(File.Exists(Path.Combine(_workingDirectory, "data", "parley.db")), "the SQLite database is created under ./data/");
            var keyFile = Path.Combine(_workingDirectory, "data", "jwt-signing.key");
            Assert.True(File.Exists(keyFile), "a signing key is generated under ./data/ when none is configured");
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(keyFile));

            using var client = new ParleyClient(server.BaseAddress);
            phone = $"+8613{Random.Shared.Next(100_000_000, 999_999_999)}";
            session = await client.RegisterAsync(new RegisterRequest { Phone = phone, Password = "survives restarts", Nickname = "durable" });

            Assert.Equal(0, await server.TerminateAsync(TimeSpan.FromSeconds(20)));
            Assert.DoesNotContain("Unhandled exception", server.Output, StringComparison.Ordinal);
        }

        await using (var restarted = await ServerProcess.StartAsync(_workingDirectory, port))
        {
            // The same key signs after a restart, so the access token from before still works; the account is stored.
            using var sameDevice = new ParleyClient(restarted.BaseAddress);
            await sameDevice.RefreshAsync(session.RefreshToken);
            Assert.Equal(session.User.Id, (await sameDevice.GetMeAsync()).Id);
            using var newDevice = new ParleyClient(restarted.BaseAddress);
            Assert.Equal(session.User.Id, (await newDevice.LoginAsync(phone, "survives restarts")).User.Id);
        }
    }

    [Fact]
    public async Task TheFirstStartPrintsAFewJsonLinesSayingWhereItListensAndKeepsItsDataAndNoSql()
    {
        var port = ServerProcess.FreePort();
        await using var server = await ServerProcess.StartAsync(_workingDirectory, port);
        var summary = await server.WaitForOutputAsync("Parley is listening on", TimeSpan.FromSeconds(30));
        Assert.Contains($"http://127.0.0.1:{port}", summary, StringComparison.Ordinal);
        Assert.Contains(Path.Combine(_workingDirectory, "data"), summary, StringComparison.Ordinal);
        Assert.Contains("database SQLite", summary, StringComparison.Ordinal);

        var lines = server.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        // Production with the output redirected (as in a container): one JSON object a line.
        Assert.All(lines, line => System.Text.Json.JsonDocument.Parse(line).Dispose());
        Assert.True(lines.Length <= 8, $"the first start printed {lines.Length} lines:\n{server.Output}");
        Assert.DoesNotContain("CREATE TABLE", server.Output, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("Executed DbCommand", server.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OnSigtermOpenSocketsAreToldToReconnectElsewhereAndTheProcessEndsCleanly()
    {
        var port = ServerProcess.FreePort();
        await using var server = await ServerProcess.StartAsync(_workingDirectory, port);
        using var client = new ParleyClient(server.BaseAddress);
        await client.RegisterAsync(new RegisterRequest { Phone = $"+8613{Random.Shared.Next(100_000_000, 999_999_999)}", Password = "drained 123", Nickname = "d" });
        using var socket = new System.Net.WebSockets.ClientWebSocket();
        await socket.ConnectAsync(new Uri($"ws://127.0.0.1:{port}/ws?access_token={Uri.EscapeDataString(client.AccessToken!)}"), CancellationToken.None);

        var terminated = server.TerminateAsync(TimeSpan.FromSeconds(30));
        var buffer = new byte[64 * 1024];
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        System.Net.WebSockets.WebSocketReceiveResult received;
        do received = await socket.ReceiveAsync(buffer, timeout.Token);
        while (received.MessageType != System.Net.WebSockets.WebSocketMessageType.Close);

        // 1001 going away, with a reason that says what to do (docs/protocol.md#server-shutdown).
        Assert.Equal(System.Net.WebSockets.WebSocketCloseStatus.EndpointUnavailable, received.CloseStatus);
        Assert.Contains("reconnect", received.CloseStatusDescription, StringComparison.Ordinal);
        await socket.CloseOutputAsync(System.Net.WebSockets.WebSocketCloseStatus.NormalClosure, "ok", CancellationToken.None);
        Assert.Equal(0, await terminated);
    }

    [Fact]
    public async Task AValidationProblemIsA400WithItsErrorsNotA500()
    {
        // The built server as a process: in-process test hosts wrote this answer; the real one failed writing the
        // `errors` dictionary with the API's string converter (its keys) and answered 500.
        var port = ServerProcess.FreePort();
        await using var server = await ServerProcess.StartAsync(_workingDirectory, port);
        using var client = new ParleyClient(server.BaseAddress);
        var refusal = await Assert.ThrowsAsync<ParleyApiException>(() => client.RegisterAsync(new RegisterRequest
        {
            Phone = $"+8613{Random.Shared.Next(100_000_000, 999_999_999)}", Password = "long enough 1", Nickname = "n", Avatar = new string('a', 2000),
        }));
        Assert.Equal((HttpStatusCode.BadRequest, "validation_failed"), (refusal.Status, refusal.Code));
    }

    [Fact]
    public async Task TheMigrateCommandCreatesTheDatabaseAndExits()
    {
        var (exitCode, output) = await ServerProcess.RunToExitAsync(_workingDirectory, "migrate");
        Assert.True(exitCode == 0, output);
        Assert.True(File.Exists(Path.Combine(_workingDirectory, "data", "parley.db")));
    }

    [Fact]
    public async Task TheApiReferencePageIsOffInProductionUnlessConfigured()
    {
        var port = ServerProcess.FreePort();
        await using (var server = await ServerProcess.StartAsync(_workingDirectory, port))
        {
            using var http = new HttpClient { BaseAddress = server.BaseAddress };
            Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync("docs/api")).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("openapi/v1.json")).StatusCode);
        }
        await using (var server = await ServerProcess.StartAsync(_workingDirectory, port, "--OpenApi:ReferencePage=true"))
        {
            using var http = new HttpClient { BaseAddress = server.BaseAddress };
            var page = await http.GetAsync("docs/api");
            Assert.Equal(HttpStatusCode.OK, page.StatusCode);
            Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        }
    }

    [Fact]
    public async Task AWeakConfiguredSigningKeyStopsTheServerAtStartup()
    {
        var (exitCode, output) = await ServerProcess.RunToExitAsync(_workingDirectory,
            $"--urls=http://127.0.0.1:{ServerProcess.FreePort()}", "--Jwt:SigningKey=dG9vIHNob3J0");
        Assert.NotEqual(0, exitCode);
        Assert.Contains("Jwt:SigningKey", output, StringComparison.Ordinal);
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_workingDirectory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
