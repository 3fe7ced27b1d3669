using System.Net;
using System.Net.Http.Headers;
using System.Text.RegularExpressions;
using Parley.Client;
using Parley.IntegrationTests.Infrastructure;

namespace Parley.IntegrationTests.Platform;

/// <summary>API keys: made, listed and revoked on the host; accepted on /admin only, and nothing else is accepted there.</summary>
public sealed partial class ApiKeyTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private TestServer Server => fixture.Server;

    [Fact]
    public async Task TheCliPrintsANewKeyOnceListsItWithoutTheSecretAndARevokeStopsItAtOnce()
    {
        var workingDirectory = Directory.CreateTempSubdirectory("parley-cli-").FullName;
        var name = $"shop-{Guid.NewGuid():N}"[..20];
        var (exit, output) = await ServerProcess.RunToExitAsync(workingDirectory, ["api-key", "create", name, .. Server.DatabaseArgs()]);
        Assert.True(exit == 0, output);
        var key = KeyShape().Match(output).Value;
        Assert.False(string.IsNullOrEmpty(key), output);

        using var admin = new ParleyAdminClient(Server.BaseAddress, key);
        var user = await admin.CreateUserAsync(new CreateUserRequest { Nickname = "from the product", ExternalId = PlatformKit.UniqueExternalId() });
        Assert.Equal("from the product", user.Nickname);

        (exit, output) = await ServerProcess.RunToExitAsync(workingDirectory, ["api-key", "list", .. Server.DatabaseArgs()]);
        Assert.True(exit == 0, output);
        Assert.Contains(name, output, StringComparison.Ordinal);
        Assert.DoesNotContain(key, output, StringComparison.Ordinal);

        (exit, output) = await ServerProcess.RunToExitAsync(workingDirectory, ["api-key", "revoke", name, .. Server.DatabaseArgs()]);
        Assert.True(exit == 0, output);
        // The running server sees the revocation on its very next call: no restart, no cache to wait out.
        var refused = await Assert.ThrowsAsync<ParleyApiException>(() => admin.GetUserAsync(user.Id));
        Assert.Equal(HttpStatusCode.Unauthorized, refused.Status);
        Assert.Contains(Server.Log.Lines, line => line.Contains("Admin call by key " + name, StringComparison.Ordinal)
            && line.Contains("POST /api/v1/admin/users", StringComparison.Ordinal) && line.Contains("201", StringComparison.Ordinal));
        Assert.DoesNotContain(Server.Log.Lines, line => line.Contains(key, StringComparison.Ordinal));
    }

    [Fact]
    public async Task AKeyIsPkAndAtLeast32CharactersOfUnpaddedBase64UrlAndItsNameIsUnique()
    {
        var name = $"k-{Guid.NewGuid():N}";
        var (exit, output, _) = await Server.ApiKeyAsync("create", name);
        Assert.Equal(0, exit);
        Assert.Matches(@"^pk_[A-Za-z0-9_\-]{32,}$", output.Trim());
        var (again, _, error) = await Server.ApiKeyAsync("create", name);
        Assert.Equal(1, again);
        Assert.Contains("already", error, StringComparison.Ordinal);
        Assert.Equal(1, (await Server.ApiKeyAsync("revoke", "no-such-key")).ExitCode);
        Assert.Equal(2, (await Server.ApiKeyAsync("rotate")).ExitCode);
    }

    [Fact]
    public async Task AUserTokenIsRefusedOnAdminPathsAndAKeyOnUserPaths()
    {
        using var admin = await Server.NewAdminAsync();
        using var user = await Server.NewUserAsync();

        using var withUserToken = new HttpRequestMessage(HttpMethod.Get, $"api/v1/admin/users/{user.UserId}");
        withUserToken.Headers.Authorization = new AuthenticationHeaderValue("Bearer", user.AccessToken);
        var answer = await Server.Http.SendAsync(withUserToken);
        Assert.Equal(HttpStatusCode.Unauthorized, answer.StatusCode);
        Assert.Equal("application/problem+json", answer.Content.Headers.ContentType?.MediaType);

        var withKey = await admin.SendRawAsync(HttpMethod.Get, "api/v1/users/me");
        Assert.Equal(HttpStatusCode.Unauthorized, withKey.StatusCode);
        Assert.Equal("application/problem+json", withKey.Content.Headers.ContentType?.MediaType);

        using var noKey = new HttpRequestMessage(HttpMethod.Get, $"api/v1/admin/users/{user.UserId}");
        Assert.Equal(HttpStatusCode.Unauthorized, (await Server.Http.SendAsync(noKey)).StatusCode);

        using var madeUp = new ParleyAdminClient(Server.BaseAddress, "pk_" + new string('A', 43));
        Assert.Equal(HttpStatusCode.Unauthorized, (await Assert.ThrowsAsync<ParleyApiException>(() => madeUp.GetUserAsync(user.UserId))).Status);
    }

    [GeneratedRegex(@"pk_[A-Za-z0-9_\-]{32,}")]
    private static partial Regex KeyShape();
}
