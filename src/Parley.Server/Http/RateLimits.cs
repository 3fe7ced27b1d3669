using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.RateLimiting;

namespace Parley.Server.Http;

/// <summary>
/// Limits on what can be abused (configuration section <c>RateLimits</c>), per client address or per user. With Redis
/// they are shared by every node (<see cref="IRateBuckets"/>); see docs/security.md.
/// </summary>
public sealed class RateLimitOptions
{
    public const string Section = "RateLimits";

    /// <summary>Registrations per client address per minute.</summary>
    public int RegisterPerMinute { get; set; } = 60;

    /// <summary>Login and refresh attempts per client address per minute.</summary>
    public int LoginPerMinute { get; set; } = 120;

    /// <summary>Verification-code requests per client address per minute (each address also has its own cooldown).</summary>
    public int VerificationCodesPerMinute { get; set; } = 10;

    /// <summary>File uploads per signed-in user per minute.</summary>
    public int UploadsPerMinute { get; set; } = 30;

    /// <summary>Messages a user may send per second, sustained, over HTTP and all their sockets together.</summary>
    public double MessagesPerSecondPerUser { get; set; } = 20;

    /// <summary>Messages a user may send at once before <see cref="MessagesPerSecondPerUser"/> applies (a client catching up after a reconnect).</summary>
    public int MessageBurstPerUser { get; set; } = 200;

    /// <summary>Friend requests a user may send in a day.</summary>
    public int FriendRequestsPerDay { get; set; } = 100;

    /// <summary>How long after someone rejected a user's friend request the user may not ask them again.</summary>
    public TimeSpan FriendRequestCooldown { get; set; } = TimeSpan.FromDays(7);

    /// <summary>Exact phone or e-mail lookups (<c>GET /users?query=</c>) a user may make in an hour.</summary>
    public int ExactLookupsPerHour { get; set; } = 30;

    /// <summary>The per-user message limit as a bucket: a node leases a tenth of the burst (at most a second's worth) at a time.</summary>
    public BucketRule Messages()
    {
        var burst = Math.Max(1, MessageBurstPerUser);
        var perSecond = Math.Max(0.001, MessagesPerSecondPerUser);
        return new BucketRule("messages", perSecond, burst, (int)Math.Clamp(Math.Min(burst / 10.0, perSecond), 1, burst));
    }
}

public static class RateLimits
{
    public const string Register = "register";
    public const string Login = "login";
    public const string VerificationCodes = "verification-codes";
    public const string Uploads = "uploads";

    public static IServiceCollection AddParleyRateLimits(this IServiceCollection services, IConfiguration configuration)
    {
        services.Configure<RateLimitOptions>(configuration.GetSection(RateLimitOptions.Section));
        var limits = configuration.GetSection(RateLimitOptions.Section).Get<RateLimitOptions>() ?? new RateLimitOptions();
        services.AddSingleton<LocalRateBuckets>();
        // Replaced by the shared buckets of ScaleOut when Redis is configured.
        services.AddSingleton<IRateBuckets>(sp => sp.GetRequiredService<LocalRateBuckets>());
        services.AddRateLimiter(options =>
        {
            options.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            options.AddPolicy(Register, http => PerClientPerMinute(http, Register, limits.RegisterPerMinute));
            options.AddPolicy(Login, http => PerClientPerMinute(http, Login, limits.LoginPerMinute));
            options.AddPolicy(VerificationCodes, http => PerClientPerMinute(http, VerificationCodes, limits.VerificationCodesPerMinute));
            options.AddPolicy(Uploads, http => PerUserPerMinute(http, Uploads, limits.UploadsPerMinute));
            options.OnRejected = async (context, cancellationToken) =>
            {
                var retryAfter = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.FromSeconds(60);
                var http = context.HttpContext;
                http.Response.Headers.RetryAfter = RetryAfterHeader(retryAfter);
                await http.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
                {
                    HttpContext = http,
                    ProblemDetails = new ProblemDetails
                    {
                        Status = StatusCodes.Status429TooManyRequests,
                        Title = "Too Many Requests",
                        Detail = "Too many requests; slow down.",
                        Extensions = { ["code"] = "rate_limited" },
                    },
                });
            };
        });
        return services;
    }

    /// <summary>
    /// Counted per client address: the connection's, or the one a configured proxy forwarded (ForwardedHeaders runs
    /// first). Shared by the nodes through <see cref="IRateBuckets"/>.
    /// </summary>
    private static RateLimitPartition<string> PerClientPerMinute(HttpContext http, string policy, int permits) =>
        Shared(http, BucketRule.PerMinute(policy, permits), $"address:{http.Connection.RemoteIpAddress?.ToString() ?? "unknown"}");

    /// <summary>Counted per signed-in user (the endpoint requires one), falling back to the address.</summary>
    private static RateLimitPartition<string> PerUserPerMinute(HttpContext http, string policy, int permits) =>
        Shared(http, BucketRule.PerMinute(policy, permits),
            http.User.FindFirst("sub")?.Value is { } user ? $"user:{user}" : $"address:{http.Connection.RemoteIpAddress?.ToString() ?? "unknown"}");

    private static RateLimitPartition<string> Shared(HttpContext http, BucketRule rule, string key) =>
        RateLimitPartition.Get($"{rule.Name}:{key}", _ => new BucketLimiter(
            http.RequestServices.GetRequiredService<IRateBuckets>(), rule, key, http.RequestServices.GetRequiredService<TimeProvider>()));

    public static string RetryAfterHeader(TimeSpan wait) =>
        Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
}
