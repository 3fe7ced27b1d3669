using Parley.Client;

namespace Parley.IntegrationTests.Infrastructure;

/// <summary>
/// A server process that a crash test kills and starts again on the same port, data folder and database (the
/// run's: SQLite or PostgreSQL). Its per-connection frame limit is raised: crash tests burst hundreds of sends
/// on one socket on purpose.
/// </summary>
public sealed class RestartableServer : IAsyncLifetime
{
    private readonly string _workingDirectory = Directory.CreateTempSubdirectory("parley-restartable-").FullName;
    private readonly int _port = ServerProcess.FreePort();
    private TestDatabase _database = null!;

    public async Task InitializeAsync() => _database = await TestDatabase.CreateAsync(Path.Combine(_workingDirectory, "data"));

    public async Task DisposeAsync()
    {
        await _database.DisposeAsync();
        try
        {
            Directory.Delete(_workingDirectory, recursive: true);
        }
        catch (IOException)
        {
            // A file still held for a moment; the temp folder is cleaned by the OS.
        }
    }

    public Task<ServerProcess> StartAsync() => ServerProcess.StartAsync(_workingDirectory, _port,
        $"--Database:Provider={_database.Provider}", $"--ConnectionStrings:Database={_database.ConnectionString}",
        "--Gateway:FramesPerSecond=100000", "--RateLimits:MessagesPerSecondPerUser=100000", "--RateLimits:MessageBurstPerUser=100000");

    /// <summary>Registers alice and bob (by phone, with <paramref name="password"/>) and makes them friends.</summary>
    public static async Task<(ParleyClient Alice, ParleyClient Bob)> FriendsAsync(Uri server, string password)
    {
        var alice = new ParleyClient(server);
        var bob = new ParleyClient(server);
        await alice.RegisterAsync(new RegisterRequest { Phone = $"+8613{Random.Shared.Next(100_000_000, 999_999_999)}", Password = password, Nickname = "alice" });
        await bob.RegisterAsync(new RegisterRequest { Phone = $"+8613{Random.Shared.Next(100_000_000, 999_999_999)}", Password = password, Nickname = "bob" });
        await TestServer.MakeFriendsAsync(alice, bob);
        return (alice, bob);
    }
}
