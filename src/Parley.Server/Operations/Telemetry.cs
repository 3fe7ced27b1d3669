using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Parley.Server.Operations;

/// <summary>
/// OpenTelemetry: with <c>Metrics:Enabled</c>, Parley's meter, ASP.NET Core's, HttpClient's and the runtime's are
/// served as Prometheus text at <c>/metrics</c>; with <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> set, traces (and the same
/// metrics) also go out over OTLP. With neither, nothing is registered and the instruments cost nothing.
/// </summary>
internal static class Telemetry
{
    public static bool MetricsEnabled(IConfiguration configuration) => configuration.GetValue<bool>("Metrics:Enabled");

    public static void Add(WebApplicationBuilder builder)
    {
        var metrics = MetricsEnabled(builder.Configuration);
        var otlp = !string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]);
        if (!metrics && !otlp) return;

        var telemetry = builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(
                serviceName: builder.Configuration["OTEL_SERVICE_NAME"] ?? "parley",
                serviceInstanceId: builder.Configuration["Metrics:Instance"] ?? Environment.MachineName))
            .WithMetrics(meters =>
            {
                meters.AddMeter(ParleyMetrics.MeterName)
                    .AddAspNetCoreInstrumentation()
                    .AddHttpClientInstrumentation()
                    .AddRuntimeInstrumentation();
                if (metrics) meters.AddPrometheusExporter();
                if (otlp) meters.AddOtlpExporter();
            });
        if (otlp)
            telemetry.WithTracing(traces => traces
                .AddSource(ParleyMetrics.MeterName)
                // Health probes every few seconds would drown the traces that matter.
                .AddAspNetCoreInstrumentation(o => o.Filter = http => !http.Request.Path.StartsWithSegments("/healthz")
                    && !http.Request.Path.StartsWithSegments("/readyz") && !http.Request.Path.StartsWithSegments("/metrics"))
                .AddHttpClientInstrumentation()
                .AddOtlpExporter());
    }

    public static void Map(WebApplication app)
    {
        // The scrape endpoint is not part of the API document; put it behind the proxy's own rules (docs/configuration.md).
        if (MetricsEnabled(app.Configuration)) app.MapPrometheusScrapingEndpoint("/metrics");
    }
}
