using Parley.Server.Accounts;
using Parley.Server.Http;
using Parley.Server.Operations;
using Parley.Server.Social;
using Parley.Server.Storage;

var builder = WebApplication.CreateBuilder(args);

builder.AddOperations();
builder.AddStorage();
builder.AddAccounts();
builder.AddSocial();

var app = builder.Build();

// `Parley.Server migrate` applies the database migrations and exits.
if (args.Contains("migrate"))
{
    await app.Services.MigrateDatabaseAsync();
    return;
}
if (app.Services.GetRequiredService<DatabaseOptions>().MigrateOnStartup)
    await app.Services.MigrateDatabaseAsync();

app.UseProblemHandling();
app.UseAuthentication();
app.UseAuthorization();
app.UseRateLimiter();

app.MapOperations();
var api = app.MapGroup("/api/v1");
api.MapAccountsApi();
api.MapSocialApi();

await app.RunAsync();

/// <summary>The entry point, public so that tests can host the real server.</summary>
public partial class Program;
