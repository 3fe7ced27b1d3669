using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Parley.Server.Calls;

public static class CallsSetup
{
    /// <summary>After <c>AddMessaging</c>: hosted services stop in reverse order, so live calls are recorded before the message writer stops.</summary>
    public static WebApplicationBuilder AddCalls(this WebApplicationBuilder builder)
    {
        builder.Services.Configure<CallsOptions>(builder.Configuration.GetSection(CallsOptions.Section));
        // Tests put a FakeTimeProvider here (registered after this one, it wins); everything else keeps the server's clock.
        builder.Services.TryAddSingleton(sp => new CallClock(sp.GetRequiredService<TimeProvider>()));
        builder.Services.AddSingleton<CallSignalling>();
        builder.Services.AddSingleton<CallRecords>();
        builder.Services.AddSingleton<InviteLimit>();
        builder.Services.AddSingleton<IceServers>();
        builder.Services.AddHostedService<CallsLifecycle>();
        return builder;
    }

    public static RouteGroupBuilder MapCallsApi(this RouteGroupBuilder api)
    {
        api.MapGet("/calls/ice-servers", (HttpContext http, IceServers ice) => TypedResults.Ok(ice.For(Http.Ids.UserId(http.User))))
            .WithTags("Calls").RequireAuthorization();
        return api;
    }

    /// <summary>
    /// Start: calls that were live when the server last died (rows left in <c>ActiveCalls</c>) are recorded as
    /// <c>dropped</c>. Stop (SIGTERM): live calls end as <c>dropped</c> and are recorded before the process exits.
    /// </summary>
    private sealed class CallsLifecycle(CallRecords records, CallSignalling calls) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken) => records.RecordLeftoversAsync(cancellationToken);

        public async Task StopAsync(CancellationToken cancellationToken)
        {
            try
            {
                await calls.EndAllAsync(cancellationToken);
            }
            catch (OperationCanceledException)
            {
                // Out of time: what was not recorded is recorded as dropped at the next start.
            }
        }
    }
}
