using Microsoft.Extensions.Diagnostics.HealthChecks;
using Parley.Server.Http;
using Parley.Server.ScaleOut.Redis;
using Parley.Server.Storage;
using StackExchange.Redis;

namespace Parley.Server.ScaleOut;

/// <summary>
/// Routing, presence, the call relay and the change feed. One node (no <c>ConnectionStrings:Redis</c>): the
/// in-memory ones, over this node's devices. Several nodes (the same binary, started more times behind a load
/// balancer) share one user base through Redis when <c>ConnectionStrings:Redis</c> is set: the Redis ones, and
/// /readyz checks Redis. The nodes share one PostgreSQL database. The feature that owns the devices registers
/// <see cref="ILocalDelivery"/> and <see cref="IPresenceAnnouncer"/> (Realtime).
/// </summary>
public static partial class ScaleOutSetup
{
    public static WebApplicationBuilder AddScaleOut(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        var redis = builder.Configuration.GetConnectionString("Redis");
        if (string.IsNullOrWhiteSpace(redis))
        {
            services.AddSingleton<IMessageRouter, InMemoryMessageRouter>();
            services.AddSingleton<IPresenceStore, InMemoryPresenceStore>();
            services.AddSingleton<ICallRelay, InMemoryCallRelay>();
            services.AddSingleton<IChangeFeed, InMemoryChangeFeed>();
            services.AddSingleton<IClusterLoad, InMemoryClusterLoad>();
            return builder;
        }

        var database = builder.Configuration.GetSection(DatabaseOptions.Section).Get<DatabaseOptions>() ?? new DatabaseOptions();
        if (database.Provider.Equals("sqlite", StringComparison.OrdinalIgnoreCase))
            throw new InvalidOperationException(
                "ConnectionStrings:Redis is set, which runs this server as one of several nodes, but Database:Provider is 'sqlite'. " +
                "Nodes must share one database: set Database:Provider=postgres and ConnectionStrings:Database to the shared PostgreSQL, " +
                "or remove ConnectionStrings:Redis to run a single node on SQLite.");

        var options = ConfigurationOptions.Parse(redis);
        // Start even while Redis is down, and keep retrying: readiness reports it, liveness does not.
        options.AbortOnConnectFail = false;
        services.AddSingleton<IConnectionMultiplexer>(_ => ConnectionMultiplexer.Connect(options));
        services.AddHealthChecks().AddCheck<RedisHealthCheck>("redis", tags: ["ready"]);

        services.Configure<ScaleOutOptions>(builder.Configuration.GetSection(ScaleOutOptions.Section));
        services.AddSingleton<RedisNodeBus>();
        services.AddSingleton<RedisMessageRouter>();
        services.AddSingleton<RedisPresenceStore>();
        services.AddSingleton<RedisCallRelay>();
        services.AddSingleton<RedisChangeFeed>();
        services.AddSingleton<IMessageRouter>(sp => sp.GetRequiredService<RedisMessageRouter>());
        services.AddSingleton<IPresenceStore>(sp => sp.GetRequiredService<RedisPresenceStore>());
        services.AddSingleton<ICallRelay>(sp => sp.GetRequiredService<RedisCallRelay>());
        services.AddSingleton<IChangeFeed>(sp => sp.GetRequiredService<RedisChangeFeed>());
        // The dashboard's counts (GET /admin/stats): each node's socket count under a key that expires with it.
        services.AddSingleton<RedisClusterLoad>();
        services.AddSingleton<IClusterLoad>(sp => sp.GetRequiredService<RedisClusterLoad>());
        services.AddHostedService(sp => sp.GetRequiredService<RedisClusterLoad>());
        // The rate limits (per user, address and account) shared by the nodes, each node's own while Redis is away.
        services.AddSingleton<RedisRateBuckets>();
        services.AddSingleton<IRateBuckets>(sp => sp.GetRequiredService<RedisRateBuckets>());
        // First of the hosted services: it joins before the node serves anyone, and leaves (goodbye) after
        // everything else stopped, once the devices' disconnections and the last messages went out.
        services.Insert(0, ServiceDescriptor.Singleton<IHostedService, RedisScaleOutService>());
        if (builder.Configuration.GetValue<int?>("Ids:WorkerId") is null)
            services.AddSingleton<IStartupFilter, WorkerIdWarning>();
        return builder;
    }

    /// <summary>Two nodes with the same worker id can make the same id: say so at start.</summary>
    private sealed partial class WorkerIdWarning(ILogger<WorkerIdWarning> logger, IdGenerator ids) : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next)
        {
            LogRandomWorkerId(logger, ids.WorkerId);
            return next;
        }

        [LoggerMessage(Level = LogLevel.Warning, Message = "Ids:WorkerId is not set on a scaled-out node: it picked {WorkerId} at random, and another node may pick the same. Give every node its own Ids:WorkerId (0-1023).")]
        private static partial void LogRandomWorkerId(ILogger logger, int workerId);
    }

    private sealed class RedisHealthCheck(IConnectionMultiplexer redis) : IHealthCheck
    {
        public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            try
            {
                var latency = await redis.GetDatabase().PingAsync().WaitAsync(TimeSpan.FromSeconds(2), cancellationToken);
                return HealthCheckResult.Healthy($"Redis answered in {latency.TotalMilliseconds:F1} ms.");
            }
            catch (Exception e) when (e is RedisException or TimeoutException)
            {
                return HealthCheckResult.Unhealthy("Redis cannot be reached.");
            }
        }
    }
}
