using Parley.Server.Events;
using Parley.Server.ScaleOut;

namespace Parley.Server.Realtime;

public static class RealtimeSetup
{
    public static WebApplicationBuilder AddRealtime(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<GatewayOptions>().Bind(builder.Configuration.GetSection(GatewayOptions.Section))
            .Validate(o => o.OutboxCapacity >= 1, "Gateway:OutboxCapacity must be at least 1.")
            .Validate(o => o.MaxFrameBytes >= 1, "Gateway:MaxFrameBytes must be at least 1.")
            .ValidateOnStart();
        builder.Services.AddSingleton<LocalConnections>();
        // What ScaleOut's routing, presence and call relay (in memory or Redis, see AddScaleOut) build on.
        builder.Services.AddSingleton<ILocalDelivery>(sp => sp.GetRequiredService<LocalConnections>());
        builder.Services.AddSingleton<INodeConnections>(sp => sp.GetRequiredService<LocalConnections>());
        builder.Services.AddSingleton<PresenceTracker>();
        builder.Services.AddSingleton<IPresenceAnnouncer>(sp => sp.GetRequiredService<PresenceTracker>());
        builder.Services.AddSingleton<FrameRoutes>();
        builder.Services.AddSingleton<Gateway>();
        builder.Services.AddSingleton<Handshake.HandshakeTokens>();
        builder.Services.AddSingleton<Handshake.DirectUpgrade>();
        if (builder.Configuration.GetSection(GatewayOptions.Section).GetValue(nameof(GatewayOptions.DirectUpgrade), true))
            builder.WebHost.ConfigureKestrel(kestrel => kestrel.ConfigureEndpointDefaults(endpoint =>
                endpoint.Use(next => kestrel.ApplicationServices.GetRequiredService<Handshake.DirectUpgrade>().Wrap(next))));

        // Each feature's frames in and events out.
        builder.Services.AddSingleton<MessageFrames>();
        MessageEventFrames.Subscribe(builder.Services);
        SocialEventFrames.Subscribe(builder.Services);
        builder.Services.AddSingleton<CallFrames>();
        CallEventFrames.Subscribe(builder.Services);
        return builder;
    }

    /// <summary><c>/ws</c>, and the client frames each feature serves there.</summary>
    public static WebApplication MapGateway(this WebApplication app)
    {
        app.Map("/ws", (HttpContext http, Gateway gateway) => gateway.AcceptAsync(http)).RequireAuthorization().ExcludeFromDescription();
        MessageFrames.Map(app);
        CallFrames.Map(app);
        return app;
    }
}
