using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Options;
using Polly;
using Parley.Server.Accounts;
using Parley.Server.Events;
using Parley.Server.Messaging;
using Parley.Server.Platform.Admin;
using Parley.Server.Platform.ApiKeys;
using Parley.Server.Platform.Broadcasts;
using Parley.Server.Platform.Webhooks;

namespace Parley.Server.Platform;

/// <summary>
/// The platform API for the product that embeds Parley (<c>/api/v1/admin/*</c>, API keys). It sits above every
/// feature and drives them through their own services; it hears of what happens only through domain events.
/// </summary>
public static class PlatformSetup
{
    public static WebApplicationBuilder AddPlatform(this WebApplicationBuilder builder)
    {
        builder.Services.AddAuthentication().AddScheme<AuthenticationSchemeOptions, ApiKeyAuthentication>(ApiKeyAuthentication.SchemeName, null);
        builder.Services.AddAuthorizationBuilder().AddPolicy(ApiKeyAuthentication.Policy, policy => policy
            .AddAuthenticationSchemes(ApiKeyAuthentication.SchemeName)
            .RequireClaim(ApiKeyAuthentication.KeyNameClaim));

        var services = builder.Services;
        services.Configure<WebhookOptions>(builder.Configuration.GetSection(WebhookOptions.Section));
        services.AddSingleton<WebhookSubscriptions>();
        services.AddSingleton<WebhookOutbox>();
        // Replaces Messaging's do-nothing outbox: message.created rows go into the committer's batch transaction.
        services.AddSingleton<IStoredMessageOutbox>(sp => sp.GetRequiredService<WebhookOutbox>());
        // Replaces Messaging's open gate: message.before_send, called only while someone subscribes to it.
        services.AddSingleton<IMessageGate, BeforeSendGate>();
        services.AddHttpClient(BeforeSendGate.HttpClientName)
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { AllowAutoRedirect = false, PooledConnectionLifetime = TimeSpan.FromMinutes(5) });
        services.AddEventHandler<Push.PushRequested, WebhookEventHandlers>();
        // The friend and group events, in the transaction of the change itself (Social's port).
        services.AddSingleton<Social.ISocialOutbox, WebhookSocialEvents>();
        // message.edited and message.recalled, in the edit's or recall's own transaction (Messaging's port).
        services.AddSingleton<IMessageChangeOutbox, WebhookMessageChanges>();
        services.AddEventHandler<MessagesExpired, WebhookEventHandlers>();
        services.AddEventHandler<ScaleOut.UserPresenceChanged, WebhookEventHandlers>();
        services.AddEventHandler<Calls.CallEnded, WebhookEventHandlers>();
        // user.created on self-registration and user.deleted, in the transaction of the account change itself.
        services.AddSingleton<IAccountOutbox>(sp => new WebhookAccountEvents(sp.GetRequiredService<WebhookOutbox>(), sp.GetRequiredService<TimeProvider>()));
        services.AddScoped<IAccountErasure>(sp => new WebhookAccountEvents(sp.GetRequiredService<WebhookOutbox>(), sp.GetRequiredService<TimeProvider>()));
        // Polly (through Microsoft.Extensions.Http.Resilience) bounds each attempt; the long-term retry schedule is the
        // outbox row's next attempt, so it survives restarts. No redirects: the subscribed URL is the one called.
        services.AddHttpClient(WebhookDispatcher.HttpClientName)
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { AllowAutoRedirect = false, PooledConnectionLifetime = TimeSpan.FromMinutes(5) })
            .AddResilienceHandler("webhook-attempt", (pipeline, context) =>
                pipeline.AddTimeout(context.ServiceProvider.GetRequiredService<IOptions<WebhookOptions>>().Value.AttemptTimeout));
        services.AddHostedService<WebhookDispatcher>();
        services.Configure<BroadcastOptions>(builder.Configuration.GetSection(BroadcastOptions.Section));
        services.AddSingleton<BroadcastRunner>();
        services.AddHostedService(sp => sp.GetRequiredService<BroadcastRunner>());
        return builder;
    }

    public static RouteGroupBuilder MapPlatformApi(this RouteGroupBuilder api)
    {
        var admin = api.MapGroup("/admin").RequireAuthorization(ApiKeyAuthentication.Policy).AddEndpointFilter(AdminAudit.Log);
        admin.MapAdminUsersApi().MapAdminSocialApi().MapAdminStatsApi().MapWebhooksApi().MapBroadcastsApi();
        return api;
    }
}
