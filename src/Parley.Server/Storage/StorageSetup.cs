using System.Data.Common;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Parley.Server.Storage;

public sealed class DatabaseOptions
{
    public const string Section = "Database";

    /// <summary><c>sqlite</c> (the default: a file under <c>./data/</c>) or <c>postgres</c>.</summary>
    public string Provider { get; set; } = "sqlite";

    /// <summary>Apply pending migrations when the server starts.</summary>
    public bool MigrateOnStartup { get; set; } = true;

    /// <summary>SQLite's <c>synchronous</c> pragma: FULL syncs the WAL on every commit, so an acknowledged write survives power loss.</summary>
    public string SqliteSynchronous { get; set; } = "FULL";
}

public static class StorageSetup
{
    public static string DataDirectory(IConfiguration configuration) =>
        Path.GetFullPath(configuration["DataPath"] ?? "data", Directory.GetCurrentDirectory());

    public static WebApplicationBuilder AddStorage(this WebApplicationBuilder builder)
    {
        var options = builder.Configuration.GetSection(DatabaseOptions.Section).Get<DatabaseOptions>() ?? new DatabaseOptions();
        builder.Services.AddSingleton(options);
        var connectionString = builder.Configuration.GetConnectionString("Database");

        switch (options.Provider.ToLowerInvariant())
        {
            case "sqlite":
                connectionString ??= DefaultSqliteConnectionString(builder.Configuration);
                EnsureSqliteDirectory(connectionString);
                builder.Services.AddDbContextPool<ParleyDb, SqliteParleyDb>(db => db
                    .UseSqlite(connectionString)
                    .AddInterceptors(new SqlitePragmas(options.SqliteSynchronous)));
                break;
            case "postgres" or "postgresql":
                if (string.IsNullOrWhiteSpace(connectionString))
                    throw new InvalidOperationException("Database:Provider is 'postgres' but ConnectionStrings:Database is not set.");
                connectionString = WithPostgresDefaults(connectionString);
                builder.Services.AddDbContextPool<ParleyDb, PostgresParleyDb>(db => db.UseNpgsql(connectionString));
                break;
            default:
                throw new InvalidOperationException($"Database:Provider '{options.Provider}' is not supported: use 'sqlite' or 'postgres'.");
        }

        builder.Services.AddSingleton<SqliteWriteGate>();
        builder.Services.AddSingleton(services => new IdGenerator(
            builder.Configuration.GetValue<int?>("Ids:WorkerId") ?? Random.Shared.Next(0, 1024),
            services.GetRequiredService<TimeProvider>()));
        if (options.MigrateOnStartup) builder.Services.AddHostedService<DatabaseMigrator>();
        builder.Services.AddHealthChecks().AddCheck<DatabaseHealthCheck>("database", tags: ["ready"]);
        return builder;
    }

    /// <summary>
    /// Npgsql settings that the connection string may override. Every request runs the same few statements:
    /// prepared once per connection (<c>Max Auto Prepare</c>), they skip PostgreSQL's parse and plan, about
    /// 0.3 ms a statement; and no session state is ever set, so a connection going back to the pool need not be
    /// reset with a <c>DISCARD ALL</c> round trip (<c>No Reset On Close</c>).
    /// <para>At most <see cref="DefaultMaxPoolSize"/> connections per node (<c>Maximum Pool Size</c>; Npgsql's own default
    /// is 100): a burst past it waits for a free connection instead of opening more. With Npgsql's default, two nodes
    /// on a PostgreSQL with its default <c>max_connections</c> (100) were refused ("too many clients") under load.</para>
    /// </summary>
    internal const int DefaultMaxPoolSize = 30;

    internal static string WithPostgresDefaults(string connectionString)
    {
        var given = new System.Data.Common.DbConnectionStringBuilder { ConnectionString = connectionString };
        var builder = new Npgsql.NpgsqlConnectionStringBuilder(connectionString);
        if (!given.ContainsKey("Max Auto Prepare") && !given.ContainsKey("MaxAutoPrepare")) builder.MaxAutoPrepare = 64;
        if (!given.ContainsKey("No Reset On Close") && !given.ContainsKey("NoResetOnClose")) builder.NoResetOnClose = true;
        if (!new[] { "Maximum Pool Size", "MaxPoolSize" }.Any(given.ContainsKey)) builder.MaxPoolSize = DefaultMaxPoolSize;
        return builder.ConnectionString;
    }

    /// <summary>Creates the database if needed and applies every pending migration.</summary>
    public static async Task MigrateDatabaseAsync(this IServiceProvider services, CancellationToken cancellationToken = default)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ParleyDb>();
        await db.Database.MigrateAsync(cancellationToken);
        if (db is SqliteParleyDb)
        {
            // WAL lets readers run beside the writer; the mode is stored in the file, so once is enough.
            await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", cancellationToken);
        }
    }

    private static string DefaultSqliteConnectionString(IConfiguration configuration) =>
        new SqliteConnectionStringBuilder
        {
            DataSource = Path.Combine(DataDirectory(configuration), "parley.db"),
            Cache = SqliteCacheMode.Private,
            DefaultTimeout = 30,
        }.ToString();

    private static void EnsureSqliteDirectory(string connectionString)
    {
        var dataSource = new SqliteConnectionStringBuilder(connectionString).DataSource;
        var directory = Path.GetDirectoryName(Path.GetFullPath(dataSource));
        if (!string.IsNullOrEmpty(directory)) Directory.CreateDirectory(directory);
    }

    /// <summary>Hosted services start before Kestrel listens, so no request meets an unmigrated database.</summary>
    private sealed class DatabaseMigrator(IServiceProvider services) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken) => services.MigrateDatabaseAsync(cancellationToken);
        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }

    private sealed class DatabaseHealthCheck(ParleyDb db) : Microsoft.Extensions.Diagnostics.HealthChecks.IHealthCheck
    {
        public async Task<Microsoft.Extensions.Diagnostics.HealthChecks.HealthCheckResult> CheckHealthAsync(
            Microsoft.Extensions.Diagnostics.HealthChecks.HealthCheckContext context, CancellationToken cancellationToken = default) =>
            await db.Database.CanConnectAsync(cancellationToken)
                ? Microsoft.Extensions.Diagnostics.HealthChecks.HealthCheckResult.Healthy()
                : Microsoft.Extensions.Diagnostics.HealthChecks.HealthCheckResult.Unhealthy("The database cannot be reached.");
    }

    /// <summary>
    /// Per-connection SQLite settings that the connection string cannot express. <c>busy_timeout</c>: a writer that
    /// finds the write lock taken waits inside SQLite, which retries after 1, 2, 5, 10 ms and so on, rather than
    /// surfacing SQLITE_BUSY to Microsoft.Data.Sqlite, whose own retry sleeps 150 ms at a time: with two writers (the
    /// message committer and the webhook outbox, a broadcast, a sweep) those sleeps were most of the 1:1 p99.
    /// </summary>
    private sealed class SqlitePragmas(string synchronous) : DbConnectionInterceptor
    {
        private readonly string _pragmas = $"PRAGMA synchronous={synchronous}; PRAGMA foreign_keys=ON; PRAGMA busy_timeout=30000;";

        public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData) => Apply(connection);

        public override Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
        {
            Apply(connection);
            return Task.CompletedTask;
        }

        private void Apply(DbConnection connection)
        {
            using var command = connection.CreateCommand();
            command.CommandText = _pragmas;
            command.ExecuteNonQuery();
        }
    }
}
