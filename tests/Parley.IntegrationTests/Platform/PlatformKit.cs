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

    public static string UniqueExternalId() => $"ext-{Guid.NewGuid():N}";
}
