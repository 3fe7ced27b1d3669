using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http.Features;
using Parley.Server.Http;
using Scalar.AspNetCore;

namespace Parley.Server.Operations;

/// <summary>Everything that is about running the server rather than chatting: listening, logs, limits, health, the API document.</summary>
public static class OperationsSetup
{
    public const string DefaultUrl = "http://localhost:8080";

    public static WebApplicationBuilder AddOperations(this WebApplicationBuilder builder)
    {
        // With nothing configured the server listens on localhost:8080; --urls, ASPNETCORE_URLS, ASPNETCORE_HTTP_PORTS
        // (as container images set it) or Kestrel:Endpoints override it.
        if (string.IsNullOrEmpty(builder.Configuration[WebHostDefaults.ServerUrlsKey])
            && string.IsNullOrEmpty(builder.Configuration[WebHostDefaults.HttpPortsKey])
            && string.IsNullOrEmpty(builder.Configuration[WebHostDefaults.HttpsPortsKey])
            && !builder.Configuration.GetSection("Kestrel:Endpoints").Exists())
            builder.WebHost.UseUrls(DefaultUrl);

        if (string.Equals(builder.Configuration["Logging:Format"], "json", StringComparison.OrdinalIgnoreCase))
            builder.Logging.ClearProviders().AddJsonConsole(o => o.UseUtcTimestamp = true);
        // The per-request "Request starting …" lines print the query string, and browsers must put the access
        // token there (?access_token= on /ws and file downloads): those lines never go out, whatever is configured.
        builder.Logging.AddFilter("Microsoft.AspNetCore.Hosting.Diagnostics", LogLevel.Warning);

        var maxBody = builder.Configuration.GetValue<long?>("Limits:MaxRequestBodyBytes") ?? 1024 * 1024;
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Limits.MaxRequestBodySize = maxBody);
        builder.Services.Configure<HostOptions>(host => host.ShutdownTimeout = TimeSpan.FromSeconds(
            builder.Configuration.GetValue<int?>("ShutdownTimeoutSeconds") ?? 15));

        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.ConfigureHttpJsonOptions(options => Json.Configure(options.SerializerOptions));
        builder.Services.AddProblemHandling();
        builder.Services.AddParleyRateLimits(builder.Configuration);
        builder.Services.AddOpenApi(options =>
        {
            options.AddDocumentTransformer((document, _, _) =>
            {
                document.Info.Title = "Parley API";
                document.Info.Description = "Accounts, contacts, groups and messaging. Errors are RFC 9457 problem details with a stable `code` (docs/errors.md).";
                return Task.CompletedTask;
            });
            OpenApiContract.Configure(options);
        });
        return builder;
    }

    public static WebApplication MapOperations(this WebApplication app)
    {
        app.MapHealthChecks("/healthz", new HealthCheckOptions { Predicate = _ => false }).ExcludeFromDescription();
        app.MapHealthChecks("/readyz", new HealthCheckOptions { Predicate = check => check.Tags.Contains("ready") }).ExcludeFromDescription();
        app.MapOpenApi("/openapi/{documentName}.json");
        if (app.Environment.IsDevelopment() || app.Configuration.GetValue<bool>("OpenApi:ReferencePage"))
            app.MapScalarApiReference("/docs/api");
        return app;
    }
}
