using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.RateLimiting;

namespace Parley.Server.Http;

/// <summary>Per-client-address limits on the endpoints that can be abused (configuration section <c>RateLimits</c>).</summary>
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
}

public static class RateLimits
{
    public const string Register = "register";
    public const string Login = "login";
    public const string VerificationCodes = "verification-codes";
    public const string Uploads = "uploads";

    public static IServiceCollection AddParleyRateLimits(this IServiceCollection services, IConfiguration configuration)
    {
        var limits = configuration.GetSection(RateLimitOptions.Section).Get<RateLimitOptions>() ?? new RateLimitOptions();
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

    private static RateLimitPartition<string> PerClientPerMinute(HttpContext http, string policy, int permits) =>
        RateLimitPartition.GetFixedWindowLimiter(
            $"{policy}:{http.Connection.RemoteIpAddress?.ToString() ?? "unknown"}",
            _ => new FixedWindowRateLimiterOptions { PermitLimit = Math.Max(1, permits), Window = TimeSpan.FromMinutes(1), QueueLimit = 0 });

    /// <summary>Counted per signed-in user (the endpoint requires one), falling back to the address.</summary>
    private static RateLimitPartition<string> PerUserPerMinute(HttpContext http, string policy, int permits) =>
        RateLimitPartition.GetFixedWindowLimiter(
            $"{policy}:user:{http.User.FindFirst("sub")?.Value ?? http.Connection.RemoteIpAddress?.ToString() ?? "unknown"}",
            _ => new FixedWindowRateLimiterOptions { PermitLimit = Math.Max(1, permits), Window = TimeSpan.FromMinutes(1), QueueLimit = 0 });

    public static string RetryAfterHeader(TimeSpan wait) =>
        Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
}
