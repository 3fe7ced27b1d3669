using System.Net;
using System.Security.Cryptography;
using System.Text;
using Parley.IntegrationTests.Infrastructure;

namespace Parley.IntegrationTests.Calls;

public sealed class IceServersTests
{
    [Fact]
    public async Task WithNothingConfiguredThereAreNoIceServersAndTheListIsForSignedInUsersOnly()
    {
        await using var server = await TestServer.StartAsync();
        using var alice = await server.NewUserAsync();
        var ice = await alice.GetIceServersAsync();
        Assert.Empty(ice.IceServers);
        Assert.Null(ice.TtlSeconds);
        using var anonymous = await server.Http.GetAsync("api/v1/calls/ice-servers");
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);

        using var openApi = System.Text.Json.JsonDocument.Parse(await server.Http.GetStringAsync("openapi/v1.json"));
        var endpoint = openApi.RootElement.GetProperty("paths").GetProperty("/api/v1/calls/ice-servers").GetProperty("get");
        Assert.Equal("Calls", endpoint.GetProperty("tags")[0].GetString());
    }

    [Fact]
    public async Task StunServersAreListedAndTurnGetsShortLivedCoturnCredentials()
    {
        const string secret = "turn shared secret";
        await using var server = await TestServer.StartAsync(new Dictionary<string, string?>
        {
            ["Calls:IceServers:0"] = "stun:stun.example.org:3478",
            ["Calls:IceServers:1"] = "stun:stun2.example.org:3478",
            ["Calls:TurnUrls:0"] = "turn:turn.example.org:3478?transport=udp",
            ["Calls:TurnUrls:1"] = "turns:turn.example.org:5349?transport=tcp",
            ["Calls:TurnSecret"] = secret,
            ["Calls:TurnTtl"] = "00:30:00",
        });
        using var alice = await server.NewUserAsync();
        var before = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var ice = await alice.GetIceServersAsync();
        var after = DateTimeOffset.UtcNow.ToUnixTimeSeconds();

        Assert.Equal(1800, ice.TtlSeconds);
        Assert.Equal(2, ice.IceServers.Count);
        var stun = ice.IceServers[0];
        Assert.Equal(["stun:stun.example.org:3478", "stun:stun2.example.org:3478"], stun.Urls);
        Assert.Null(stun.Username);
        Assert.Null(stun.Credential);

        var turn = ice.IceServers[1];
        Assert.Equal(["turn:turn.example.org:3478?transport=udp", "turns:turn.example.org:5349?transport=tcp"], turn.Urls);
        var parts = turn.Username!.Split(':');
        Assert.Equal(alice.UserId, parts[1]);
        var expiry = long.Parse(parts[0], System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(expiry, before + 1800, after + 1800);
#pragma warning disable CA5350 // coturn's scheme is HMAC-SHA1
        var expected = Convert.ToBase64String(HMACSHA1.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes(turn.Username)));
#pragma warning restore CA5350
        Assert.Equal(expected, turn.Credential);

        // The secret itself never reaches a client or the log.
        using var raw = await server.Http.SendAsync(new HttpRequestMessage(HttpMethod.Get, "api/v1/calls/ice-servers")
        {
            Headers = { Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", alice.AccessToken) },
        });
        Assert.DoesNotContain(secret, await raw.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.DoesNotContain(server.Log.Lines, l => l.Contains(secret, StringComparison.Ordinal));
    }
}
