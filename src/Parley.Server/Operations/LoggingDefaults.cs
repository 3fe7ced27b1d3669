namespace Parley.Server.Operations;

/// <summary>
/// Log settings that hold wherever the server is started from: they are built in (the lowest-priority
/// configuration source), not read from an <c>appsettings.json</c> that happens to sit in the working directory,
/// so any appsettings file, environment variable or argument still overrides them.
/// </summary>
internal static class LoggingDefaults
{
    /// <summary>
    /// Framework chatter stays at Warning: EF Core writes every SQL command of the migrations at Information, and
    /// ASP.NET Core a line per request. The host's lifetime lines (where it listens) and Parley's own stay.
    /// </summary>
    private static readonly Dictionary<string, string?> Quiet = new()
    {
        ["Logging:LogLevel:Default"] = "Information",
        ["Logging:LogLevel:Microsoft"] = "Warning",
        ["Logging:LogLevel:Microsoft.Hosting.Lifetime"] = "Information",
        ["Logging:LogLevel:System.Net.Http"] = "Warning",
        ["Logging:LogLevel:OpenTelemetry"] = "Warning",
    };

    public static void Apply(WebApplicationBuilder builder)
    {
        builder.Configuration.Sources.Insert(0, new Microsoft.Extensions.Configuration.Memory.MemoryConfigurationSource { InitialData = Quiet });

        if (UseJson(builder.Configuration["Logging:Format"], builder.Environment.IsProduction(), Console.IsOutputRedirected))
            builder.Logging.ClearProviders().AddJsonConsole(o =>
            {
                o.UseUtcTimestamp = true;
                o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ";
                o.JsonWriterOptions = new System.Text.Json.JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
            });
        // The per-request "Request starting …" lines print the query string, and browsers must put the access
        // token there (?access_token= on /ws and file downloads): those lines never go out, whatever is configured.
        builder.Logging.AddFilter("Microsoft.AspNetCore.Hosting.Diagnostics", LogLevel.Warning);
    }

    /// <summary>
    /// <c>Logging:Format</c> decides when set (<c>json</c> or <c>plain</c>). Unset: JSON in Production when the
    /// console is not a terminal (a container, systemd, a log shipper read it), plain text for a person watching.
    /// </summary>
    internal static bool UseJson(string? format, bool production, bool outputRedirected) =>
        string.IsNullOrWhiteSpace(format) ? production && outputRedirected : string.Equals(format, "json", StringComparison.OrdinalIgnoreCase);
}
