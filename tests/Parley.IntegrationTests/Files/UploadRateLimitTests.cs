using System.Net;
using Parley.Client;
using Parley.IntegrationTests.Infrastructure;

namespace Parley.IntegrationTests.Files;

public sealed class UploadRateLimitTests
{
    [Fact]
    public async Task UploadsAreRateLimitedPerUser()
    {
        await using var server = await TestServer.StartAsync(new Dictionary<string, string?> { ["RateLimits:UploadsPerMinute"] = "2" });
        var alice = await server.NewUserAsync("alice");
        var bob = await server.NewUserAsync("bob");
        Task<FileView> Upload(ParleyClient client) => client.UploadFileAsync(new MemoryStream([1, 2, 3]), "x.bin");

        await Upload(alice);
        await Upload(alice);
        var refusal = await Refused.WithAsync(HttpStatusCode.TooManyRequests, "rate_limited", () => Upload(alice));
        Assert.NotNull(refusal.RetryAfter);
        // Bob, from the same address, has his own budget.
        await Upload(bob);
    }
}
