using System.Reflection;
using Microsoft.Extensions.FileProviders;
using Microsoft.Net.Http.Headers;
using Parley.Server.Http;

namespace Parley.Server.Web;

/// <summary>
/// Serves the web client (web/, built by the project's MSBuild target into web/dist) at <c>/</c>: the hashed
/// assets with a year-long immutable cache, index.html uncached, and index.html again for any other GET that is
/// not the API, the socket or an operations path (the client routes in the browser). <c>Web:Root</c> points at
/// another build; when no build is there, <c>/</c> says how to make one instead of answering 404.
/// </summary>
public static class WebClient
{
    public static WebApplication UseWebClient(this WebApplication app)
    {
        var root = ResolveRoot(app.Configuration, app.Environment);
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Parley.Server.Web");
        var built = root is not null && File.Exists(Path.Combine(root, "index.html"));
        if (!built)
        {
            logger.LogWarning("The web client is not built (looked in {Root}); / explains how to build it", root ?? "(nowhere)");
            app.MapGet("/", () => Results.Content(NotBuiltPage, "text/html; charset=utf-8")).ExcludeFromDescription();
            return app;
        }

        logger.LogInformation("Serving the web client from {Root}", root);
        var files = new PhysicalFileProvider(root!);
        app.UseDefaultFiles(new DefaultFilesOptions { FileProvider = files });
        app.UseStaticFiles(new StaticFileOptions
        {
            FileProvider = files,
            OnPrepareResponse = context =>
            {
                var headers = context.Context.Response.Headers;
                // Vite names every file under assets/ by its content hash: it never changes under the same name.
                headers.CacheControl = context.Context.Request.Path.StartsWithSegments("/assets")
                    ? "public, max-age=31536000, immutable"
                    : "no-cache";
                headers.XContentTypeOptions = "nosniff";
                if (context.File.Name.EndsWith(".html", StringComparison.OrdinalIgnoreCase)) NoFraming(headers);
            },
        });

        // The client's own routes get index.html: a middleware rather than a catch-all endpoint, so that it only
        // acts when no endpoint matched (a GET on a POST-only API path stays a 405, an unknown API path a 404).
        var index = new FileInfo(Path.Combine(root!, "index.html"));
        app.Use(async (http, next) =>
        {
            if ((HttpMethods.IsGet(http.Request.Method) || HttpMethods.IsHead(http.Request.Method))
                && http.GetEndpoint() is null && IsClientRoute(http.Request.Path))
            {
                http.Response.Headers.CacheControl = "no-cache";
                http.Response.Headers.XContentTypeOptions = "nosniff";
                NoFraming(http.Response.Headers);
                http.Response.ContentType = "text/html; charset=utf-8";
                await http.Response.SendFileAsync(index.FullName, http.RequestAborted);
                return;
            }
            await next(http);
        });
        return app;
    }

    /// <summary>
    /// The app's page: a strict Content-Security-Policy (only this server's scripts, see <see cref="SecurityHeaders.WebClientPolicy"/>),
    /// and no other site may frame it (clickjacking: an invisible frame could be clicked into accepting a call or a friend).
    /// </summary>
    private static void NoFraming(IHeaderDictionary headers)
    {
        headers.XFrameOptions = "DENY";
        headers.ContentSecurityPolicy = SecurityHeaders.WebClientPolicy;
    }

    /// <summary>Paths the browser-side router owns: not the API, the socket, the API document or health checks, and no file name.</summary>
    internal static bool IsClientRoute(PathString path)
    {
        // The server's own paths: an unknown one of these is a 404, never the web page (/metrics when metrics are off, too).
        foreach (var reserved in (string[])["/api", "/ws", "/openapi", "/docs/api", "/healthz", "/readyz", "/metrics", "/assets"])
            if (path.StartsWithSegments(reserved, StringComparison.OrdinalIgnoreCase))
                return false;
        var last = path.Value?[(path.Value.LastIndexOf('/') + 1)..] ?? "";
        return !last.Contains('.');
    }

    /// <summary><c>Web:Root</c>; else wwwroot next to the server (a published build); else web/dist of the source tree it was built from.</summary>
    internal static string? ResolveRoot(IConfiguration configuration, IWebHostEnvironment environment)
    {
        var configured = configuration["Web:Root"];
        if (!string.IsNullOrWhiteSpace(configured))
            return Path.GetFullPath(configured, environment.ContentRootPath);
        var published = Path.Combine(AppContext.BaseDirectory, "wwwroot");
        if (File.Exists(Path.Combine(published, "index.html")))
            return published;
        return typeof(WebClient).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .FirstOrDefault(a => a.Key == "ParleyWebRoot")?.Value;
    }

    private const string NotBuiltPage = """
        <!doctype html>
        <html lang="en"><head><meta charset="utf-8"><title>Parley</title>
        <meta name="viewport" content="width=device-width, initial-scale=1"></head>
        <body style="font-family: system-ui, sans-serif; max-width: 40rem; margin: 3rem auto; padding: 0 1rem; line-height: 1.5">
        <h1>Parley is running, but its web client is not built</h1>
        <p>The API is at <code>/api/v1</code> and its description at <a href="/openapi/v1.json">/openapi/v1.json</a>.</p>
        <p>The web client is built by the server's normal build, which needs Node.js (20.19 or newer) and npm:
        run <code>dotnet build src/Parley.Server</code> (without <code>-p:SkipWebBuild=true</code>), or by hand
        <code>cd web &amp;&amp; npm ci &amp;&amp; npm run build</code>, then restart the server.
        To serve a build from elsewhere, set <code>Web:Root</code> (<code>Web__Root</code>) to its folder.</p>
        </body></html>
        """;
}
