namespace Parley.Server.Http;

/// <summary>
/// Browser hardening on every answer (docs/security.md): no content sniffing, no referrer leaving the app, and no
/// caching of API answers (tokens, messages, profiles) unless an endpoint chose its own caching (file downloads).
/// The web client's HTML gets its Content-Security-Policy where it is served (Web/WebClient.cs).
/// </summary>
public static class SecurityHeaders
{
    /// <summary>
    /// The web client's policy: only this server's own scripts, styles and connections (the WebSocket included,
    /// which CSP level 3 counts as 'self'); pictures and media also from blob: and data: (previews, call streams);
    /// no plugins, no framing, no base-URI or form tricks. The built client has no inline script or style element.
    /// </summary>
    public const string WebClientPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' blob: data:; media-src 'self' blob:; " +
        "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

    public static IApplicationBuilder UseSecurityHeaders(this IApplicationBuilder app) =>
        app.Use((http, next) =>
        {
            http.Response.OnStarting(static state =>
            {
                var response = ((HttpContext)state).Response;
                var headers = response.Headers;
                headers.XContentTypeOptions = "nosniff";
                headers["Referrer-Policy"] = "no-referrer";
                if (((HttpContext)state).Request.Path.StartsWithSegments("/api") && headers.CacheControl.Count == 0)
                    headers.CacheControl = "no-store";
                return Task.CompletedTask;
            }, http);
            return next(http);
        });
}
