using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Parley.Server.Storage;

namespace Parley.Server.Calls;

public static partial class CallsSetup
{
    /// <summary>After <c>AddMessaging</c>: hosted services stop in reverse order, so live calls are recorded before the message writer stops.</summary>
    public static WebApplicationBuilder AddCalls(this WebApplicationBuilder builder)
    {
        builder.Services.Configure<CallsOptions>(builder.Configuration.GetSection(CallsOptions.Section));
        // Tests put a FakeTimeProvider here (registered after this one, it wins); everything else keeps the server's clock.
        builder.Services.TryAddSingleton(sp => new CallClock(sp.GetRequiredService<TimeProvider>()));
        builder.Services.AddSingleton<CallSignalling>();
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
    private sealed partial class CallsLifecycle(IServiceScopeFactory scopes, CallSignalling calls, IdGenerator ids, IConfiguration configuration,
        ILogger<CallsLifecycle> logger) : IHostedService
    {
        public async Task StartAsync(CancellationToken cancellationToken)
        {
            List<ActiveCall> leftovers;
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                leftovers = await scope.ServiceProvider.GetRequiredService<ParleyDb>().ActiveCalls.AsNoTracking().ToListAsync(cancellationToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // The database is down or not migrated yet (Database:MigrateOnStartup=false): the server still starts,
                // and /readyz says what is wrong. The rows wait for the next start.
                LogLeftoversUnread(logger, e);
                return;
            }
            // Scaled out, the other nodes' calls are in the table too, and alive: only this node's own leftovers (a
            // call's id carries the worker id of the node that made it, so a node restarted with its Ids:WorkerId
            // finds its own) are recorded. See docs/calls.md, "Limits".
            if (!string.IsNullOrWhiteSpace(configuration.GetConnectionString("Redis")))
                leftovers = leftovers.Where(c => IdGenerator.WorkerOf(c.Id) == ids.WorkerId).ToList();
            if (leftovers.Count == 0) return;
            LogLeftovers(logger, leftovers.Count);
            // All queued at once: the committer stores them in one batch.
            await Task.WhenAll(leftovers.Select(calls.RecordLeftoverAsync));
        }

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

        [LoggerMessage(Level = LogLevel.Warning, Message = "Calls left over from the last run could not be read; they will be recorded as dropped at a later start")]
        private static partial void LogLeftoversUnread(ILogger logger, Exception exception);

        [LoggerMessage(Level = LogLevel.Information, Message = "Recording {Count} calls that were live when the server stopped as dropped")]
        private static partial void LogLeftovers(ILogger logger, int count);
    }
}
