using Parley.Server.ScaleOut;

namespace Parley.Server.Realtime;

public static class RealtimeSetup
{
    public static WebApplicationBuilder AddRealtime(this WebApplicationBuilder builder)
    {
        builder.Services.Configure<GatewayOptions>(builder.Configuration.GetSection(GatewayOptions.Section));
        builder.Services.AddSingleton<LocalConnections>();
        // One node: routing and presence are this node's own connections.
        builder.Services.AddSingleton<IMessageRouter>(sp => sp.GetRequiredService<LocalConnections>());
        builder.Services.AddSingleton<IPresenceStore>(sp => sp.GetRequiredService<LocalConnections>());
        builder.Services.AddSingleton<PresenceTracker>();
        builder.Services.AddSingleton<Gateway>();
        return builder;
    }

    public static WebApplication MapGateway(this WebApplication app)
    {
        app.Map("/ws", (HttpContext http, Gateway gateway) => gateway.AcceptAsync(http)).RequireAuthorization().ExcludeFromDescription();
        return app;
    }
}
