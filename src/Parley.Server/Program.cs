using Parley.Server.Accounts;
using Parley.Server.Calls;
using Parley.Server.Events;
using Parley.Server.Files;
using Parley.Server.Http;
using Parley.Server.Messaging;
using Parley.Server.Operations;
using Parley.Server.Platform;
using Parley.Server.Platform.ApiKeys;
using Parley.Server.Push;
using Parley.Server.Realtime;
using Parley.Server.ScaleOut;
using Parley.Server.Social;
using Parley.Server.Storage;
using Parley.Server.Web;

await using var app = Program.Build(args);

// `Parley.Server migrate` applies the database migrations and exits.
if (args.Contains("migrate"))
{
    await app.Services.MigrateDatabaseAsync();
    return;
}
// `Parley.Server api-key create NAME | list | revoke NAME` manages the platform API's keys and exits.
if (ApiKeyCommand.Find(args) is { } apiKeyCommand)
{
    Environment.ExitCode = await ApiKeyCommand.RunAsync(app.Services, apiKeyCommand, Console.Out, Console.Error);
    return;
}
await app.RunAsync();

public partial class Program
{
    /// <summary>
    /// The whole server, feature by feature. Tests host it in-process through here, with
    /// <paramref name="adjust"/> to swap what a test must control (the clock, the log).
    /// </summary>
    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? adjust = null)
    {
        // No watching of the content root for configuration changes: the SQLite database lives below it, and
        // every write would wake a file watcher (measured: a tenth of the server's CPU under load).
        var builder = WebApplication.CreateBuilder(["--hostBuilder:reloadConfigOnChange=false", .. args]);
        builder.AddOperations();
        builder.AddStorage();
        builder.Services.AddDomainEvents();
        builder.AddAccounts();
        builder.AddSocial();
        builder.AddMessaging();
        builder.AddFiles();
        builder.AddRealtime();
        builder.AddCalls();
        builder.AddPush();
        builder.AddScaleOut();
        builder.AddPlatform();
        adjust?.Invoke(builder);

        var app = builder.Build();
        app.UseForwardedClients();
        app.UseSecurityHeaders();
        app.UseProblemHandling();
        app.UseBodyLimit();
        app.UseInputGuard();
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseRateLimiter();
        app.UseWebSockets();
        app.UseWebClient();

        app.MapOperations();
        var api = app.MapGroup("/api/v1");
        api.MapAccountsApi();
        api.MapSocialApi();
        api.MapMessagesApi();
        api.MapAccountExportApi();
        api.MapConversationsApi();
        api.MapCallsApi();
        api.MapFilesApi();
        api.MapPushApi();
        api.MapPlatformApi();
        app.MapGateway();
        return app;
    }
}
