using Microsoft.Extensions.Options;
using Parley.Server.Calls;
using Parley.Server.Events;
using Parley.Server.Messaging;

namespace Parley.Server.Push;

/// <summary>Push to devices that are not connected (docs/push.md): Web Push sent here, fcm/apns handed to the operator.</summary>
public static class PushSetup
{
    public static WebApplicationBuilder AddPush(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<PushOptions>().Bind(builder.Configuration.GetSection(PushOptions.Section))
            .Validate(o => o.FoldWindow >= TimeSpan.Zero && o.TimeToLive > TimeSpan.Zero && o.MaxSubscriptionsPerUser > 0
                && o.QueueCapacity > 0 && o.MaxConcurrentSends > 0, "Push settings must be positive.")
            .ValidateOnStart();
        builder.Services.ConfigureHttpJsonOptions(json => json.SerializerOptions.TypeInfoResolverChain.Add(PushJsonContext.Default));
        builder.Services.AddSingleton<VapidKeys>();
        builder.Services.AddScoped<Accounts.IAccountErasure, PushErasure>();
        builder.Services.AddSingleton<PushAudience>();
        builder.Services.AddSingleton<PushComposer>();
        builder.Services.AddSingleton<PushDelivery>();
        builder.Services.AddEventHandler<MessageStored, PushNotifier>();
        builder.Services.AddEventHandler<CallRinging, PushNotifier>();
        builder.Services.AddHostedService<PushDispatcher>();
        builder.Services.AddHttpClient(PushDelivery.HttpClientName, client => client.Timeout = TimeSpan.FromSeconds(10))
            .ConfigurePrimaryHttpMessageHandler(services => new SocketsHttpHandler
            {
                ConnectCallback = new PushEndpointGuard(services.GetRequiredService<IOptions<PushOptions>>().Value.AllowLoopbackEndpoints).ConnectAsync,
                PooledConnectionLifetime = TimeSpan.FromMinutes(5),
                AllowAutoRedirect = false,
            });
        return builder;
    }
}
