using System.Globalization;
using System.Net;
using Parley.Client;
using Parley.IntegrationTests.Infrastructure;

namespace Parley.IntegrationTests;

/// <summary>
/// Parley's instruments are process-wide (one server per process in production); every in-process test server's
/// exporter sees every other's connections and messages. So these run alone, after the parallel tests: a socket
/// another test closed while this server's exporter listened would count as -1 here.
/// </summary>
[CollectionDefinition(nameof(MetricsTests), DisableParallelization = true)]
public sealed class MetricsCollection;

[Collection(nameof(MetricsTests))]
public sealed class MetricsTests
{
    [Fact]
    public async Task MetricsAreOffUnlessEnabled()
    {
        await using var server = await TestServer.StartAsync();
        Assert.Equal(HttpStatusCode.NotFound, (await server.Http.GetAsync("metrics")).StatusCode);
    }

    [Fact]
    public async Task AfterAMessageExchangeTheScrapeShowsItStoredDeliveredCommittedAndTheOpenSockets()
    {
        await using var server = await TestServer.StartAsync(new Dictionary<string, string?> { ["Metrics:Enabled"] = "true" });
        var before = await ScrapeAsync(server);

        using var alice = await server.NewUserAsync("alice");
        using var bob = await server.NewUserAsync("bob");
        await TestServer.MakeFriendsAsync(alice, bob);
        await using var aliceSocket = await ParleyRealtime.ConnectAsync(alice);
        await using var bobSocket = await ParleyRealtime.ConnectAsync(bob);
        await aliceSocket.SendMessageAsync(SendTarget.User(bob.UserId), "text", "counted");
        await bobSocket.NextEventAsync("msg.new");

        // The exporter caches a scrape for a moment, and a busy machine records late: ask again until everything
        // below shows (or the deadline passes, and the assertions say what is missing).
        var deadline = DateTime.UtcNow.AddSeconds(30);
        Scrape after;
        do
        {
            after = await ScrapeAsync(server);
            if (after.Value("parley_messages_delivered_total") > before.Value("parley_messages_delivered_total")
                && after.Value("parley_messages_stored_total") > before.Value("parley_messages_stored_total")
                && after.Value("parley_commit_batch_duration_seconds_count") > before.Value("parley_commit_batch_duration_seconds_count")
                && after.Value("parley_connections") >= 2
                && after.Text.Contains("http_server_request_duration_seconds_bucket", StringComparison.Ordinal))
                break;
            await Task.Delay(200);
        }
        while (DateTime.UtcNow < deadline);

        Assert.True(after.Value("parley_messages_stored_total") >= before.Value("parley_messages_stored_total") + 1, after.Text);
        Assert.True(after.Value("parley_messages_delivered_total") >= before.Value("parley_messages_delivered_total") + 1, after.Text);
        Assert.True(after.Value("parley_commit_batch_duration_seconds_count") >= before.Value("parley_commit_batch_duration_seconds_count") + 1, after.Text);
        Assert.True(after.Value("parley_commit_batch_size_count") >= 1, after.Text);
        Assert.True(after.Value("parley_connections") >= 2, after.Text);
        Assert.Contains("http_server_request_duration_seconds_bucket", after.Text, StringComparison.Ordinal);
        // The backlogs an operator watches: push's queue and the webhook queues due (empty here, but exposed).
        Assert.Contains("parley_push_backlog", after.Text, StringComparison.Ordinal);
        Assert.Contains("parley_webhook_queues_due", after.Text, StringComparison.Ordinal);
    }

    private static async Task<Scrape> ScrapeAsync(TestServer server)
    {
        var answer = await server.Http.GetAsync("metrics");
        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        return new Scrape(await answer.Content.ReadAsStringAsync());
    }

    /// <summary>A Prometheus text exposition: a series' value summed over its labels (0 when absent).</summary>
    private sealed record Scrape(string Text)
    {
        public double Value(string name) => Text.Split('\n')
            .Where(line => line.StartsWith(name + " ", StringComparison.Ordinal) || line.StartsWith(name + "{", StringComparison.Ordinal))
            .Sum(line =>
            {
                var parts = line[(line.LastIndexOf('}') + 1)..].Trim().Split(' ');
                return double.Parse(parts[parts.Length > 1 && !line.Contains('}', StringComparison.Ordinal) ? 1 : 0], CultureInfo.InvariantCulture);
            });
    }
}
