using Microsoft.Extensions.Diagnostics.HealthChecks;
using StackExchange.Redis;

namespace Parley.Server.ScaleOut;

/// <summary>
/// Several nodes share one user base through Redis when <c>ConnectionStrings:Redis</c> is set. Today that
/// connection is made and checked by /readyz only: routing and presence are still this node's own
/// (LocalConnections); the Redis implementations of IMessageRouter and IPresenceStore are the scale-out work.
/// </summary>
public static class ScaleOutSetup
{
    public static WebApplicationBuilder AddScaleOut(this WebApplicationBuilder builder)
    {
        var redis = builder.Configuration.GetConnectionString("Redis");
        if (string.IsNullOrWhiteSpace(redis)) return builder;

        var options = ConfigurationOptions.Parse(redis);
        // Start even while Redis is down, and keep retrying: readiness reports it, liveness does not.
        options.AbortOnConnectFail = false;
        builder.Services.AddSingleton<IConnectionMultiplexer>(_ => ConnectionMultiplexer.Connect(options));
        builder.Services.AddHealthChecks().AddCheck<RedisHealthCheck>("redis", tags: ["ready"]);
        return builder;
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
