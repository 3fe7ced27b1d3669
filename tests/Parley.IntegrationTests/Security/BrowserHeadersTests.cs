using System.Net;
using System.Net.Http.Json;
using Parley.IntegrationTests.Infrastructure;

namespace Parley.IntegrationTests.Security;

/// <summary>Every API answer tells browsers not to sniff it, not to send the referrer on, and not to cache it (tokens above all).</summary>
public sealed class BrowserHeadersTests
{
    [Fact]
    public async Task TokenAnswersAreNeverStoredAndNoAnswerIsSniffed()
    {
        await using var server = await TestServer.StartAsync();
        var phone = server.UniquePhone();
        using var registered = await server.Http.PostAsJsonAsync("api/v1/auth/register",
            new { phone, password = "correct horse battery", nickname = "Hedy" });
        Assert.Equal(HttpStatusCode.Created, registered.StatusCode);
        AssertHardened(registered);
        Assert.True(registered.Headers.CacheControl?.NoStore, "a token answer must not be stored by any cache");

        using var login = await server.Http.PostAsJsonAsync("api/v1/auth/login", new { login = phone, password = "correct horse battery" });
        Assert.Equal(HttpStatusCode.OK, login.StatusCode);
        AssertHardened(login);
        Assert.True(login.Headers.CacheControl?.NoStore);

        // Errors too, and answers that are not JSON.
        using var missing = await server.Http.GetAsync("api/v1/no-such-thing");
        AssertHardened(missing);
        using var health = await server.Http.GetAsync("healthz");
        Assert.Equal("nosniff", Assert.Single(health.Headers.GetValues("X-Content-Type-Options")));
    }

    private static void AssertHardened(HttpResponseMessage response)
    {
        Assert.Equal("nosniff", Assert.Single(response.Headers.GetValues("X-Content-Type-Options")));
        Assert.Equal("no-referrer", Assert.Single(response.Headers.GetValues("Referrer-Policy")));
    }
}
