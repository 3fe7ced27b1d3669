using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Parley.Client;
using Parley.IntegrationTests.Infrastructure;

namespace Parley.IntegrationTests;

public sealed class OperationsTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private readonly TestServer _server = fixture.Server;

    [Fact]
    public async Task LivenessAndReadinessAnswer()
    {
        Assert.Equal(HttpStatusCode.OK, (await _server.Http.GetAsync("healthz")).StatusCode);
        var ready = await _server.Http.GetAsync("readyz");
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        Assert.Equal("Healthy", await ready.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task AnAccessTokenInTheQueryStringNeverReachesTheLog()
    {
        // Browsers must put the token in the URL (/ws, <img src> of a file); the per-request log lines would print it.
        // A server that logs everything at Information, as one with no configuration does.
        await using var server = await TestServer.StartAsync(new Dictionary<string, string?> { ["Logging:LogLevel:Default"] = "Information" });
        var user = await server.NewUserAsync();
        var token = user.AccessToken!;
        using (var socket = new System.Net.WebSockets.ClientWebSocket())
        {
            var uri = new Uri($"ws://{server.BaseAddress.Authority}/ws?access_token={Uri.EscapeDataString(token)}");
            await socket.ConnectAsync(uri, CancellationToken.None);
            await socket.CloseAsync(System.Net.WebSockets.WebSocketCloseStatus.NormalClosure, "done", CancellationToken.None);
        }
        var answer = await server.Http.GetAsync($"api/v1/files/1?access_token={Uri.EscapeDataString(token)}");
        Assert.Equal(HttpStatusCode.NotFound, answer.StatusCode);
        // The token's signature is the secret part; no line may hold it.
        var signature = token[(token.LastIndexOf('.') + 1)..];
        Assert.DoesNotContain(server.Log.Lines, line => line.Contains(signature, StringComparison.Ordinal));
        Assert.NotEmpty(server.Log.Lines);
    }

    [Fact]
    public async Task TheOpenApiDocumentDescribesTheApi()
    {
        using var document = JsonDocument.Parse(await _server.Http.GetStringAsync("openapi/v1.json"));
        var paths = document.RootElement.GetProperty("paths");
        foreach (var path in new[]
                 {
                     "/api/v1/auth/register", "/api/v1/auth/login", "/api/v1/auth/refresh", "/api/v1/auth/logout", "/api/v1/auth/verification-codes",
                     "/api/v1/users/me", "/api/v1/users/{id}", "/api/v1/friend-requests", "/api/v1/friend-requests/{id}/accept",
                     "/api/v1/friends", "/api/v1/friends/{userId}", "/api/v1/blocks", "/api/v1/groups", "/api/v1/groups/{id}/members",
                     "/api/v1/groups/{id}/mutes", "/api/v1/groups/{id}/join-requests",
                 })
            Assert.True(paths.TryGetProperty(path, out _), $"{path} is missing from the OpenAPI document");
    }

    [Fact]
    public async Task MalformedJsonIsABadRequestProblem()
    {
        using var response = await _server.Http.PostAsync("api/v1/auth/register", new StringContent("{\"phone\": ", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("invalid_json", problem.GetProperty("code").GetString());
        Assert.DoesNotContain("   at ", problem.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AFieldOfTheWrongTypeIsABadRequestProblem()
    {
        using var response = await _server.Http.PostAsync("api/v1/auth/login",
            new StringContent("{\"login\": 12, \"password\": [1]}", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task AnOversizedBodyIsRefusedWith413()
    {
        // "Expect: 100-continue", as careful clients send it: the server refuses on the declared length, before the
        // body is sent, so the answer cannot race the upload (without it the refusal may arrive as a reset).
        var huge = "{\"nickname\": \"" + new string('a', 2 * 1024 * 1024) + "\"}";
        using var request = new HttpRequestMessage(HttpMethod.Post, "api/v1/auth/register")
        {
            Content = new StringContent(huge, Encoding.UTF8, "application/json"),
        };
        request.Headers.ExpectContinue = true;
        using var response = await _server.Http.SendAsync(request);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("payload_too_large", problem.GetProperty("code").GetString());
    }

    [Fact]
    public async Task AnUnknownPathIsANotFoundProblem()
    {
        using var response = await _server.Http.GetAsync("api/v1/nothing-here");
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("not_found", problem.GetProperty("code").GetString());
    }

    [Fact]
    public async Task TimestampsAreUtcWithMilliseconds()
    {
        using var user = await _server.NewUserAsync();
        using var response = await user.SendRawAsync(HttpMethod.Get, "api/v1/users/me");
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$", body.GetProperty("createdAt").GetString());
        Assert.Equal(JsonValueKind.String, body.GetProperty("id").ValueKind);
    }
}

/// <summary>Limits are per client address; these run on their own server with low limits.</summary>
public sealed class RateLimitTests
{
    [Fact]
    public async Task RegistrationFromOneAddressIsRateLimitedWithRetryAfter()
    {
        await using var server = await TestServer.StartAsync(new Dictionary<string, string?> { ["RateLimits:RegisterPerMinute"] = "3" });
        for (var i = 0; i < 3; i++) await server.NewUserAsync();
        var refusal = await Refused.WithAsync(HttpStatusCode.TooManyRequests, "rate_limited", () => server.NewUserAsync());
        Assert.NotNull(refusal.RetryAfter);
    }

    [Fact]
    public async Task RepeatedWrongPasswordsLockOnlyThatAccountForAWhile()
    {
        await using var server = await TestServer.StartAsync(new Dictionary<string, string?> { ["Accounts:LoginFailuresPerAccount"] = "3" });
        using var victim = await server.NewUserAsync();
        using var bystander = await server.NewUserAsync();
        var victimPhone = (await victim.GetMeAsync()).Phone!;
        using var attacker = server.NewClient();
        for (var i = 0; i < 3; i++)
            await Refused.WithAsync(HttpStatusCode.Unauthorized, "invalid_credentials", () => attacker.LoginAsync(victimPhone, "guess" + i));

        var refusal = await Refused.WithAsync(HttpStatusCode.TooManyRequests, "rate_limited", () => attacker.LoginAsync(victimPhone, "correct horse 1"));
        Assert.NotNull(refusal.RetryAfter);
        await server.NewClient().LoginAsync((await bystander.GetMeAsync()).Phone!, "correct horse 1");
    }
}
