using System.Net;
using Microsoft.AspNetCore.HttpOverrides;

namespace Parley.Server.Http;

/// <summary>
/// Behind a reverse proxy every connection comes from the proxy. With <c>ForwardedHeaders:KnownProxies:N</c>
/// (addresses) or <c>ForwardedHeaders:KnownNetworks:N</c> (CIDR) set, the client address is taken from
/// <c>X-Forwarded-For</c> (and the scheme from <c>X-Forwarded-Proto</c>) of connections from those proxies only, so
/// the per-address rate limits and the logs see the real client. A header from anyone else is ignored, and with
/// nothing configured the middleware is not used at all (ASP.NET Core would otherwise trust loopback).
/// </summary>
public static class ForwardedClients
{
    public const string Section = "ForwardedHeaders";

    public static IServiceCollection AddForwardedClients(this IServiceCollection services, IConfiguration configuration)
    {
        var section = configuration.GetSection(Section);
        var proxies = section.GetSection("KnownProxies").GetChildren().Select(c => c.Value).Where(v => !string.IsNullOrWhiteSpace(v)).ToList();
        var networks = section.GetSection("KnownNetworks").GetChildren().Select(c => c.Value).Where(v => !string.IsNullOrWhiteSpace(v)).ToList();
        if (proxies.Count == 0 && networks.Count == 0) return services;

        var options = new ForwardedHeadersOptions
        {
            ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto,
            // Walks X-Forwarded-For from the right while the hop is a known proxy, so a chain of them works; the
            // first address that is not one of them is the client. What a client wrote further left is never read.
            ForwardLimit = null,
        };
        options.KnownProxies.Clear();
        options.KnownIPNetworks.Clear();
        foreach (var proxy in proxies)
            options.KnownProxies.Add(IPAddress.TryParse(proxy!.Trim(), out var address) ? address
                : throw new InvalidOperationException($"ForwardedHeaders:KnownProxies has '{proxy}', which is not an IP address."));
        foreach (var network in networks)
            options.KnownIPNetworks.Add(System.Net.IPNetwork.TryParse(network!.Trim(), out var parsed) ? parsed
                : throw new InvalidOperationException($"ForwardedHeaders:KnownNetworks has '{network}', which is not a CIDR network such as 10.0.0.0/8."));
        services.AddSingleton(new ForwardedClientsOptions(options));
        return services;
    }

    /// <summary>First of the pipeline, when configured: everything after it sees the client's address.</summary>
    public static IApplicationBuilder UseForwardedClients(this IApplicationBuilder app)
    {
        if (app.ApplicationServices.GetService<ForwardedClientsOptions>() is { } configured) app.UseForwardedHeaders(configured.Options);
        return app;
    }

    private sealed record ForwardedClientsOptions(ForwardedHeadersOptions Options);
}
