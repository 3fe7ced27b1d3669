using Parley.Server.ScaleOut;

namespace Parley.Server.Realtime;

public static class RealtimeSetup
{
    public static WebApplicationBuilder AddRealtime(this WebApplicationBuilder builder)
    {
        builder.Services.Configure<GatewayOptions>(builder.Configuration.GetSection(GatewayOptions.Section));
        builder.Services.AddSingleton<LocalConnections>();
        // What ScaleOut's routing, presence and call relay (in memory or Redis, see AddScaleOut) build on.
        builder.Services.AddSingleton<ILocalDelivery>(sp => sp.GetRequiredService<LocalConnections>());
        builder.Services.AddSingleton<PresenceTracker>();
        builder.Services.AddSingleton<IPresenceAnnouncer>(sp => sp.GetRequiredService<PresenceTracker>());
        builder.Services.AddSingleton<Gateway>();
        return builder;
    }

    public static WebApplication MapGateway(this WebApplication app)
    {
        app.Map("/ws", (HttpContext http, Gateway gateway) => gateway.AcceptAsync(http)).RequireAuthorization().ExcludeFromDescription();
        return app;
    }
}
