using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Parley.Client;
using Parley.IntegrationTests.Infrastructure;
using Parley.Server.Platform.ApiKeys;

namespace Parley.IntegrationTests.Platform;

/// <summary>What the platform tests share: API keys made through the CLI's own command class, admin clients.</summary>
public static class PlatformKit
{
    /// <summary>Runs <c>api-key …</c> in-process against the server's database (the same code as the CLI); its exit code and output.</summary>
    public static async Task<(int ExitCode, string Output, string Error)> ApiKeyAsync(this TestServer server, params string[] words)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exit = await ApiKeyCommand.RunAsync(server.Services, ["api-key", .. words], output, error);
        return (exit, output.ToString(), error.ToString());
    }

    /// <summary>A new key (named uniquely) and a client that uses it.</summary>
    public static async Task<ParleyAdminClient> NewAdminAsync(this TestServer server)
    {
        var (exit, output, error) = await server.ApiKeyAsync("create", $"test-{Guid.NewGuid():N}");
        Assert.True(exit == 0, error);
        return new ParleyAdminClient(new HttpClient { BaseAddress = server.BaseAddress, Timeout = TimeSpan.FromSeconds(30) }, output.Trim());
    }

    /// <summary>The server's database settings as command-line arguments, for running the CLI as its own process.</summary>
    public static string[] DatabaseArgs(this TestServer server)
    {
        var configuration = server.Services.GetRequiredService<IConfiguration>();
        return [$"--Database:Provider={configuration["Database:Provider"]}", $"--ConnectionStrings:Database={configuration["ConnectionStrings:Database"]}"];
    }

    /// <summary>A client signed in with tokens the product minted.</summary>
    public static async Task<ParleyClient> SignInAsync(this TestServer server, ParleyAdminClient admin, string userId)
    {
        var client = server.NewClient();
        client.UseSession(await admin.MintTokensAsync(userId));
        return client;
    }

    /// <summary>A broadcast's row as the runner leaves it.</summary>
    public static async Task<Parley.Server.Platform.Broadcasts.Broadcast> BroadcastProgressAsync(this TestServer server, string broadcastId)
    {
        await using var scope = server.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<Parley.Server.Storage.ParleyDb>();
        var id = long.Parse(broadcastId, System.Globalization.CultureInfo.InvariantCulture);
        return await db.Broadcasts.AsNoTracking().SingleAsync(b => b.Id == id);
    }

    /// <summary>Waits until the broadcast is done (the runner works in the background).</summary>
    public static Task WaitForBroadcastAsync(this TestServer server, string broadcastId) =>
        BroadcastTests.EventuallyAsync(async () => await server.BroadcastProgressAsync(broadcastId) is { CompletedAt: not null } done ? done : null,
            TimeSpan.FromSeconds(90));

    /// <summary>Per user, how many broadcast messages their system conversation holds.</summary>
    public static async Task<List<(string UserId, int Copies)>> BroadcastCopiesAsync(this TestServer server)
    {
        await using var scope = server.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<Parley.Server.Storage.ParleyDb>();
        var rows = await (from m in db.Messages
                          join c in db.Conversations on m.ConversationId equals c.Id
                          join cm in db.ConversationMembers on c.Id equals cm.ConversationId
                          where c.Kind == Parley.Server.Messaging.ConversationKind.System
                          group m by cm.UserId into copies
                          select new { UserId = copies.Key, Copies = copies.Count() }).ToListAsync();
        return rows.Select(r => (r.UserId.ToString(System.Globalization.CultureInfo.InvariantCulture), r.Copies)).ToList();
    }

    public static string UniqueExternalId() => $"ext-{Guid.NewGuid():N}";
}
