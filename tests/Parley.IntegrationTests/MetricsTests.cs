using System.Globalization;
using System.Net;
using Microsoft.Extensions.DependencyInjection;
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

        // SQLite: the text message goes into the full-text index after its commit, and is counted there.
        bool sqlite;
        await using (var scope = server.Services.CreateAsyncScope())
            sqlite = scope.ServiceProvider.GetRequiredService<Parley.Server.Storage.ParleyDb>() is Parley.Server.Storage.SqliteParleyDb;
        if (sqlite)
        {
            await Conversations.RecallSearchKit.SearchIndexedAsync(server);
            var indexed = await ScrapeAsync(server);
            for (var tries = 0; indexed.Value("parley_search_indexed_total") < 1 && tries < 150; tries++)
            {
                await Task.Delay(200);
                indexed = await ScrapeAsync(server);
            }
            Assert.True(indexed.Value("parley_search_indexed_total") >= 1, indexed.Text);
            Assert.Contains("parley_search_backlog", indexed.Text, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task APlainHandshakeIsTakenDirectlyAndAnyOtherGoesThroughTheHttpPipeline()
    {
        await using var server = await TestServer.StartAsync(new Dictionary<string, string?> { ["Metrics:Enabled"] = "true" });
        using var alice = await server.NewUserAsync("alice");
        var before = await ScrapeAsync(server);

        // The SDK (a bearer header) and the web client's form (?access_token=) are taken off the connection directly.
        await using (var sdk = await ParleyRealtime.ConnectAsync(alice))
            Assert.Equal("pong", (await sdk.RequestAsync("ping", null, TimeSpan.FromSeconds(30))).Type);
        await PingThroughAsync(new Uri($"ws://{server.BaseAddress.Authority}/ws?access_token={alice.AccessToken}"));
        // An escaped query is left to the HTTP pipeline, which serves it the same.
        await PingThroughAsync(new Uri($"ws://{server.BaseAddress.Authority}/ws?client=a%20b&access_token={alice.AccessToken}"));

        var after = await WaitForAsync(server, scrape =>
            scrape.Value("parley_gateway_upgrades_total", "path=\"direct\"") >= before.Value("parley_gateway_upgrades_total", "path=\"direct\"") + 2
            && scrape.Value("parley_gateway_upgrades_total", "path=\"http\"") >= before.Value("parley_gateway_upgrades_total", "path=\"http\"") + 1);
        Assert.Equal(before.Value("parley_gateway_upgrades_total", "path=\"direct\"") + 2, after.Value("parley_gateway_upgrades_total", "path=\"direct\""));
        Assert.Equal(before.Value("parley_gateway_upgrades_total", "path=\"http\"") + 1, after.Value("parley_gateway_upgrades_total", "path=\"http\""));
    }

    [Fact]
    public async Task WithDirectUpgradeOffEveryHandshakeGoesThroughTheHttpPipeline()
    {
        await using var server = await TestServer.StartAsync(new Dictionary<string, string?> { ["Metrics:Enabled"] = "true", ["Gateway:DirectUpgrade"] = "false" });
        using var alice = await server.NewUserAsync("alice");
        var before = await ScrapeAsync(server);
        await using (var sdk = await ParleyRealtime.ConnectAsync(alice))
            Assert.Equal("pong", (await sdk.RequestAsync("ping", null, TimeSpan.FromSeconds(30))).Type);

        var after = await WaitForAsync(server, scrape =>
            scrape.Value("parley_gateway_upgrades_total", "path=\"http\"") >= before.Value("parley_gateway_upgrades_total", "path=\"http\"") + 1);
        Assert.Equal(before.Value("parley_gateway_upgrades_total", "path=\"http\"") + 1, after.Value("parley_gateway_upgrades_total", "path=\"http\""));
        Assert.Equal(before.Value("parley_gateway_upgrades_total", "path=\"direct\""), after.Value("parley_gateway_upgrades_total", "path=\"direct\""));
    }

    private static async Task PingThroughAsync(Uri uri)
    {
        using var socket = new System.Net.WebSockets.ClientWebSocket();
        await socket.ConnectAsync(uri, CancellationToken.None);
        await socket.SendAsync("{\"type\":\"ping\",\"id\":\"p\"}"u8.ToArray(), System.Net.WebSockets.WebSocketMessageType.Text, true, CancellationToken.None);
        var buffer = new byte[1024];
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var read = await socket.ReceiveAsync(buffer, cancel.Token);
        Assert.Contains("\"pong\"", System.Text.Encoding.UTF8.GetString(buffer, 0, read.Count), StringComparison.Ordinal);
        await socket.CloseAsync(System.Net.WebSockets.WebSocketCloseStatus.NormalClosure, "done", CancellationToken.None);
    }

    /// <summary>Scrapes until <paramref name="done"/> holds or 30 s pass (the exporter caches, a busy machine records late).</summary>
    private static async Task<Scrape> WaitForAsync(TestServer server, Func<Scrape, bool> done)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        Scrape scrape;
        do
        {
            scrape = await ScrapeAsync(server);
            if (done(scrape)) break;
            await Task.Delay(200);
        }
        while (DateTime.UtcNow < deadline);
        return scrape;
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
        public double Value(string name, string? label = null) => Text.Split('\n')
            .Where(line => line.StartsWith(name + " ", StringComparison.Ordinal) || line.StartsWith(name + "{", StringComparison.Ordinal))
            .Where(line => label is null || line.Contains(label, StringComparison.Ordinal))
            .Sum(line =>
            {
                var parts = line[(line.LastIndexOf('}') + 1)..].Trim().Split(' ');
                return double.Parse(parts[parts.Length > 1 && !line.Contains('}', StringComparison.Ordinal) ? 1 : 0], CultureInfo.InvariantCulture);
            });
    }
}
