using System.Net;
using Parley.IntegrationTests.Infrastructure;

namespace Parley.IntegrationTests.Web;

/// <summary>The web client's files at / (Web:Root pointed at a stand-in build, so the test needs no npm).</summary>
public sealed class WebClientTests : IAsyncLifetime
{
    private readonly string _root = Directory.CreateTempSubdirectory("parley-web-").FullName;
    private TestServer _server = null!;

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(Path.Combine(_root, "assets"));
        await File.WriteAllTextAsync(Path.Combine(_root, "index.html"), "<!doctype html><title>Parley</title><div id=app></div>");
        await File.WriteAllTextAsync(Path.Combine(_root, "assets", "index-AbC123.js"), "console.log('hi')");
        _server = await TestServer.StartAsync(new Dictionary<string, string?> { ["Web:Root"] = _root });
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        Directory.Delete(_root, recursive: true);
    }

    [Fact]
    public async Task TheRootServesIndexHtmlUncachedAndHashedAssetsImmutable()
    {
        using var index = await _server.Http.GetAsync("/");
        Assert.Equal(HttpStatusCode.OK, index.StatusCode);
        Assert.Equal("text/html", index.Content.Headers.ContentType?.MediaType);
        Assert.Contains("<div id=app>", await index.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.True(index.Headers.CacheControl?.NoCache, "index.html must be revalidated so a new build is picked up");

        using var asset = await _server.Http.GetAsync("assets/index-AbC123.js");
        Assert.Equal(HttpStatusCode.OK, asset.StatusCode);
        Assert.Equal(TimeSpan.FromDays(365), asset.Headers.CacheControl?.MaxAge);
        Assert.Contains("immutable", asset.Headers.CacheControl?.ToString() ?? "", StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheClientMayNotBeFramedByAnotherSite()
    {
        // Framed invisibly, the app could be clicked into accepting a call (camera on) or a friend request.
        foreach (var path in new[] { "/", "/index.html", "chats/12345" })
        {
            using var page = await _server.Http.GetAsync(path);
            Assert.Equal(HttpStatusCode.OK, page.StatusCode);
            Assert.Equal("DENY", Assert.Single(page.Headers.GetValues("X-Frame-Options")));
            Assert.Contains("frame-ancestors 'none'", Assert.Single(page.Headers.GetValues("Content-Security-Policy")), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task ThePageRunsOnlyThisServersScriptsAndNeverSniffsOrLeaksTheReferrer()
    {
        foreach (var path in new[] { "/", "chats/12345" })
        {
            using var page = await _server.Http.GetAsync(path);
            var policy = Assert.Single(page.Headers.GetValues("Content-Security-Policy"));
            var directives = policy.Split(';', StringSplitOptions.TrimEntries).ToDictionary(d => d.Split(' ')[0], d => d);
            Assert.Equal("script-src 'self'", directives["script-src"]);
            Assert.Equal("default-src 'self'", directives["default-src"]);
            Assert.Equal("object-src 'none'", directives["object-src"]);
            Assert.DoesNotContain("unsafe", policy, StringComparison.Ordinal);
            Assert.Equal("nosniff", Assert.Single(page.Headers.GetValues("X-Content-Type-Options")));
            Assert.Equal("no-referrer", Assert.Single(page.Headers.GetValues("Referrer-Policy")));
        }
    }

    [Fact]
    public async Task ClientRoutesFallBackToIndexHtmlButTheApiKeepsItsErrors()
    {
        using var route = await _server.Http.GetAsync("chats/12345");
        Assert.Equal(HttpStatusCode.OK, route.StatusCode);
        Assert.Contains("<div id=app>", await route.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        using var unknownApi = await _server.Http.GetAsync("api/v1/no-such-thing");
        Assert.Equal(HttpStatusCode.NotFound, unknownApi.StatusCode);
        Assert.Equal("application/problem+json", unknownApi.Content.Headers.ContentType?.MediaType);

        using var wrongMethod = await _server.Http.GetAsync("api/v1/auth/login");
        Assert.Equal(HttpStatusCode.MethodNotAllowed, wrongMethod.StatusCode);

        using var missingAsset = await _server.Http.GetAsync("assets/gone-123.js");
        Assert.Equal(HttpStatusCode.NotFound, missingAsset.StatusCode);

        using var post = await _server.Http.PostAsync("chats/12345", null);
        Assert.Equal(HttpStatusCode.NotFound, post.StatusCode);
    }

    [Fact]
    public async Task WithoutABuildTheRootSaysHowToMakeOne()
    {
        await using var server = await TestServer.StartAsync(new Dictionary<string, string?> { ["Web:Root"] = Path.Combine(_root, "missing") });
        using var page = await server.Http.GetAsync("/");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("npm run build", await page.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}
