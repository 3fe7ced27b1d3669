using Npgsql;

namespace Parley.IntegrationTests.Infrastructure;

/// <summary>
/// The database a test server runs on, chosen for the whole run by <c>PARLEY_TEST_DATABASE</c>
/// (<c>sqlite</c>, the default, or <c>postgres</c>). On PostgreSQL each server gets a fresh database on the
/// cluster named by <c>PARLEY_TEST_POSTGRES</c>; if that cluster cannot be reached the tests fail, never skip.
/// </summary>
public sealed class TestDatabase : IAsyncDisposable
{
    private readonly string? _adminConnectionString;
    private readonly string? _databaseName;
    private readonly string? _directory;

    private TestDatabase(string provider, string connectionString, string? adminConnectionString, string? databaseName, string? directory)
    {
        Provider = provider;
        ConnectionString = connectionString;
        _adminConnectionString = adminConnectionString;
        _databaseName = databaseName;
        _directory = directory;
    }

    public static string ProviderForThisRun =>
        (Environment.GetEnvironmentVariable("PARLEY_TEST_DATABASE") ?? "sqlite").Trim().ToLowerInvariant();

    public string Provider { get; }
    public string ConnectionString { get; }

    public static async Task<TestDatabase> CreateAsync(string dataDirectory)
    {
        switch (ProviderForThisRun)
        {
            case "sqlite":
                return new TestDatabase("sqlite", $"Data Source={Path.Combine(dataDirectory, "parley.db")};Default Timeout=30", null, null, null);
            case "postgres":
                return await CreatePostgresAsync();
            default:
                throw new InvalidOperationException($"PARLEY_TEST_DATABASE is '{ProviderForThisRun}': use sqlite or postgres.");
        }
    }

    /// <summary>A fresh PostgreSQL database whatever the run's provider (scaled-out nodes need one; it fails, never skips, without PARLEY_TEST_POSTGRES).</summary>
    public static async Task<TestDatabase> CreatePostgresAsync()
    {
        var admin = Environment.GetEnvironmentVariable("PARLEY_TEST_POSTGRES")
            ?? throw new InvalidOperationException(
                "PARLEY_TEST_POSTGRES (a connection string to a PostgreSQL server) is not set. Run scripts/test.sh, or PARLEY_TEST_SERVICES_ONLY=1 scripts/test.sh for the exports.");
        var name = $"parley_test_{Guid.NewGuid():N}";
        await using (var connection = new NpgsqlConnection(admin))
        {
            await connection.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
            await create.ExecuteNonQueryAsync();
        }
        var connectionString = new NpgsqlConnectionStringBuilder(admin) { Database = name, MaxPoolSize = 30 }.ConnectionString;
        return new TestDatabase("postgres", connectionString, admin, name, null);
    }

    public async ValueTask DisposeAsync()
    {
        if (_adminConnectionString is null || _databaseName is null) return;
        NpgsqlConnection.ClearAllPools();
        await using var connection = new NpgsqlConnection(_adminConnectionString);
        await connection.OpenAsync();
        await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{_databaseName}\" WITH (FORCE)", connection);
        await drop.ExecuteNonQueryAsync();
        _ = _directory;
    }
}
