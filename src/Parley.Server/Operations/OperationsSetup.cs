using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http.Features;
using Parley.Server.Http;
using Scalar.AspNetCore;

namespace Parley.Server.Operations;

/// <summary>Marks an endpoint that sets its own request body limit (uploads): <see cref="OperationsSetup.UseBodyLimit"/> leaves it alone.</summary>
public sealed class OwnBodyLimit;

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

        LoggingDefaults.Apply(builder);
        builder.Services.AddHostedService<StartupSummary>();
        Telemetry.Add(builder);

        var maxBody = builder.Configuration.GetValue<long?>("Limits:MaxRequestBodyBytes") ?? 1024 * 1024;
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Limits.MaxRequestBodySize = maxBody);
        builder.Services.Configure<HostOptions>(host => host.ShutdownTimeout = TimeSpan.FromSeconds(
            builder.Configuration.GetValue<int?>("ShutdownTimeoutSeconds") ?? 15));

        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.ConfigureHttpJsonOptions(options => Json.Configure(options.SerializerOptions));
        builder.Services.AddProblemHandling();
        builder.Services.AddForwardedClients(builder.Configuration);
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

    /// <summary>Bodies up to this size that declare a length over the limit are read to their end after the 413 (see below).</summary>
    private const long DrainLimit = 64L * 1024 * 1024;

    /// <summary>
    /// A body whose declared length is over <c>Limits:MaxRequestBodyBytes</c> is answered 413 <c>payload_too_large</c>
    /// at once, and then read to its end and dropped (up to 64 MiB). Without that, Kestrel refuses it by closing
    /// the connection while the client is still sending, and most HTTP clients (.NET's HttpClient among them) then
    /// report a broken pipe instead of the 413. Endpoints with their own limit (uploads) carry
    /// <see cref="OwnBodyLimit"/> and are left alone.
    /// </summary>
    public static WebApplication UseBodyLimit(this WebApplication app)
    {
        var maxBody = app.Configuration.GetValue<long?>("Limits:MaxRequestBodyBytes") ?? 1024 * 1024;
        app.Use(async (http, next) =>
        {
            var length = http.Request.ContentLength;
            var feature = http.Features.Get<IHttpMaxRequestBodySizeFeature>();
            if (length is not { } declared || declared <= maxBody || declared > DrainLimit || feature is not { IsReadOnly: false }
                || http.GetEndpoint()?.Metadata.GetMetadata<OwnBodyLimit>() is not null)
            {
                await next(http);
                return;
            }
            feature.MaxRequestBodySize = null;
            http.Response.StatusCode = StatusCodes.Status413PayloadTooLarge;
            http.Response.Headers.Connection = "close";
            await http.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
            {
                HttpContext = http,
                ProblemDetails = new Microsoft.AspNetCore.Mvc.ProblemDetails
                {
                    Status = StatusCodes.Status413PayloadTooLarge,
                    Title = "Content Too Large",
                    Detail = $"The request body is larger than {maxBody} bytes.",
                },
            });
            await http.Response.CompleteAsync();
            // A client that sent "Expect: 100-continue" got its answer instead of the 100 and sends no body.
            if (http.Request.Headers.Expect.Count > 0) return;
            try
            {
                await http.Request.Body.CopyToAsync(Stream.Null, http.RequestAborted);
            }
            catch (Exception e) when (e is IOException or OperationCanceledException or BadHttpRequestException)
            {
                // The client stopped sending: nothing left to do.
            }
        });
        return app;
    }

    public static WebApplication MapOperations(this WebApplication app)
    {
        app.MapHealthChecks("/healthz", new HealthCheckOptions { Predicate = _ => false }).ExcludeFromDescription();
        app.MapHealthChecks("/readyz", new HealthCheckOptions { Predicate = check => check.Tags.Contains("ready") }).ExcludeFromDescription();
        Telemetry.Map(app);
        app.MapOpenApi("/openapi/{documentName}.json");
        if (app.Environment.IsDevelopment() || app.Configuration.GetValue<bool>("OpenApi:ReferencePage"))
            app.MapScalarApiReference("/docs/api");
        return app;
    }
}
