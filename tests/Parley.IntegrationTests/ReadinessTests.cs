using System.Net;
using Parley.IntegrationTests.Infrastructure;

namespace Parley.IntegrationTests;

/// <summary>
/// /readyz covers Redis when it is configured; PARLEY_TEST_REDIS names the test run's Redis (scripts/test.sh starts one).
/// A node with Redis needs PostgreSQL (SQLite is refused), so these run on a PostgreSQL database whatever the run's provider.
/// </summary>
public sealed class ReadinessTests
{
    [Fact]
    public async Task ReadinessIncludesAConfiguredRedis()
    {
        var redis = Environment.GetEnvironmentVariable("PARLEY_TEST_REDIS")
            ?? throw new InvalidOperationException("PARLEY_TEST_REDIS is not set: run the suite with scripts/test.sh, which starts Redis.");
        await using var database = await TestDatabase.CreatePostgresAsync();
        await using var server = await TestServer.StartAsync(new Dictionary<string, string?> { ["ConnectionStrings:Redis"] = redis }, sharedDatabase: database);
        var ready = await server.Http.GetAsync("readyz");
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
    }

    [Fact]
    public async Task AnUnreachableRedisMakesTheServerNotReadyButStillAlive()
    {
        var closedPort = ServerProcess.FreePort();
        await using var database = await TestDatabase.CreatePostgresAsync();
        await using var server = await TestServer.StartAsync(new Dictionary<string, string?>
        {
            ["ConnectionStrings:Redis"] = $"127.0.0.1:{closedPort},connectTimeout=500",
        }, sharedDatabase: database);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await server.Http.GetAsync("readyz")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await server.Http.GetAsync("healthz")).StatusCode);
    }
}
