using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Parley.Server.Storage;

namespace Parley.Server.Operations;

/// <summary>
/// One line once the server listens: where, where its data is, which database, where files go and whether it is
/// one node of several. With the host's own lines ("Now listening on …") that is the whole first start.
/// </summary>
internal sealed partial class StartupSummary(
    IHostApplicationLifetime lifetime, IServer server, IConfiguration configuration, DatabaseOptions database, ILogger<StartupSummary> logger)
    : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        lifetime.ApplicationStarted.Register(() =>
        {
            var addresses = server.Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
            Started(logger, string.Join(", ", addresses), StorageSetup.DataDirectory(configuration), DescribeDatabase(),
                Files.FilesSetup.Describe(configuration),
                string.IsNullOrWhiteSpace(configuration.GetConnectionString("Redis")) ? "single node" : "one of several nodes over Redis");
        });
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>The provider and where it is, never the password.</summary>
    private string DescribeDatabase()
    {
        var connectionString = configuration.GetConnectionString("Database");
        if (database.Provider.Equals("sqlite", StringComparison.OrdinalIgnoreCase))
        {
            var file = connectionString is null
                ? Path.Combine(StorageSetup.DataDirectory(configuration), "parley.db")
                : Path.GetFullPath(new Microsoft.Data.Sqlite.SqliteConnectionStringBuilder(connectionString).DataSource);
            return $"SQLite {file}";
        }
        try
        {
            var npgsql = new Npgsql.NpgsqlConnectionStringBuilder(connectionString);
            return $"PostgreSQL {npgsql.Host}:{npgsql.Port}/{npgsql.Database}";
        }
        catch (ArgumentException)
        {
            return "PostgreSQL";
        }
    }

    [LoggerMessage(Level = LogLevel.Information,
        Message = "Parley is listening on {Addresses}; data in {DataPath}; database {Database}; files in {Files}; {ScaleOut}")]
    private static partial void Started(ILogger logger, string addresses, string dataPath, string database, string files, string scaleOut);
}
