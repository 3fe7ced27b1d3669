using System.Net;
using System.Net.Http.Json;
using Parley.IntegrationTests.Infrastructure;

namespace Parley.IntegrationTests.Security;

/// <summary>
/// Issue 15, "Reverse proxies": the per-address limits count the address a configured proxy forwarded, and an
/// X-Forwarded-For from anyone else is ignored (a client must not pick a fresh address per request).
/// </summary>
public sealed class ForwardedAddressTests
{
    [Fact]
    public async Task BehindAConfiguredProxyEachForwardedClientHasItsOwnBudget()
    {
        await using var server = await TestServer.StartAsync(new Dictionary<string, string?>
        {
            ["RateLimits:RegisterPerMinute"] = "2",
            ["ForwardedHeaders:KnownProxies:0"] = "127.0.0.1",
        });

        Assert.Equal(HttpStatusCode.Created, await RegisterAsync(server, "203.0.113.5"));
        Assert.Equal(HttpStatusCode.Created, await RegisterAsync(server, "203.0.113.5"));
        Assert.Equal(HttpStatusCode.TooManyRequests, await RegisterAsync(server, "203.0.113.5"));
        // What the client itself wrote to the left of the address the proxy saw is not believed.
        Assert.Equal(HttpStatusCode.TooManyRequests, await RegisterAsync(server, "192.0.2.99, 203.0.113.5"));

        Assert.Equal(HttpStatusCode.Created, await RegisterAsync(server, "203.0.113.6"));
    }

    [Fact]
    public async Task WithoutAConfiguredProxyForwardedAddressesAreIgnored()
    {
        await using var server = await TestServer.StartAsync(new Dictionary<string, string?> { ["RateLimits:RegisterPerMinute"] = "2" });

        Assert.Equal(HttpStatusCode.Created, await RegisterAsync(server, "203.0.113.1"));
        Assert.Equal(HttpStatusCode.Created, await RegisterAsync(server, "203.0.113.2"));
        Assert.Equal(HttpStatusCode.TooManyRequests, await RegisterAsync(server, "203.0.113.3"));
    }

    [Fact]
    public async Task AForwardedAddressFromAConnectionThatIsNotAKnownProxyIsIgnored()
    {
        await using var server = await TestServer.StartAsync(new Dictionary<string, string?>
        {
            ["RateLimits:RegisterPerMinute"] = "2",
            ["ForwardedHeaders:KnownProxies:0"] = "10.1.2.3",
            ["ForwardedHeaders:KnownNetworks:0"] = "10.0.0.0/8",
        });

        Assert.Equal(HttpStatusCode.Created, await RegisterAsync(server, "203.0.113.1"));
        Assert.Equal(HttpStatusCode.Created, await RegisterAsync(server, "203.0.113.2"));
        Assert.Equal(HttpStatusCode.TooManyRequests, await RegisterAsync(server, "203.0.113.3"));
    }

    private static async Task<HttpStatusCode> RegisterAsync(TestServer server, string forwardedFor)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "api/v1/auth/register")
        {
            Content = JsonContent.Create(new { phone = server.UniquePhone(), password = "correct horse 1", nickname = "someone" }),
        };
        request.Headers.Add("X-Forwarded-For", forwardedFor);
        using var response = await server.Http.SendAsync(request);
        return response.StatusCode;
    }
}
