using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Parley.IntegrationTests.Platform;

/// <summary>One POST the receiver got: the raw body and the two Parley headers.</summary>
public sealed record ReceivedWebhook(string EventId, string Signature, string Body)
{
    private JsonElement Json => JsonDocument.Parse(Body).RootElement;
    public string Id => Json.GetProperty("id").GetString()!;
    public string Type => Json.GetProperty("type").GetString()!;
    public JsonElement Data => Json.GetProperty("data");
}

/// <summary>
/// A real HTTP endpoint (Kestrel on a loopback port) for webhooks: records every POST, and answers 500 to the first
/// <see cref="FailFirst"/> of them. The server under test sends to it over real HTTP.
/// </summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly Channel<ReceivedWebhook> _received = Channel.CreateUnbounded<ReceivedWebhook>();
    private int _answered;

    private WebhookReceiver(WebApplication app, Uri url)
    {
        _app = app;
        Url = url;
    }

    public Uri Url { get; }
    public int FailFirst { get; set; }

    /// <summary>The answer to a POST that is not failed on purpose (default: 200 with no body).</summary>
    public Func<ReceivedWebhook, IResult>? Respond { get; set; }
    public List<ReceivedWebhook> Accepted { get; } = [];

    public static async Task<WebhookReceiver> StartAsync(int port = 0)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        var app = builder.Build();
        WebhookReceiver? receiver = null;
        app.MapPost("/hook", async (HttpContext http) =>
        {
            using var reader = new StreamReader(http.Request.Body, Encoding.UTF8);
            var body = await reader.ReadToEndAsync();
            var received = new ReceivedWebhook(http.Request.Headers["Parley-Event-Id"].ToString(), http.Request.Headers["Parley-Signature"].ToString(), body);
            var failing = Interlocked.Increment(ref receiver!._answered) <= receiver.FailFirst;
            if (!failing)
                lock (receiver.Accepted) receiver.Accepted.Add(received);
            receiver._received.Writer.TryWrite(received);
            return failing ? Results.StatusCode(500) : receiver.Respond?.Invoke(received) ?? Results.Ok();
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        receiver = new WebhookReceiver(app, new Uri(address.TrimEnd('/') + "/hook"));
        return receiver;
    }

    /// <summary>The next POST of this type (failed ones included), within the timeout.</summary>
    public async Task<ReceivedWebhook> NextAsync(string type, TimeSpan? timeout = null)
    {
        using var cancel = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(30));
        while (true)
        {
            var next = await _received.Reader.ReadAsync(cancel.Token);
            if (next.Type == type) return next;
        }
    }

    /// <summary>Waits until <paramref name="count"/> accepted POSTs of this type have arrived; returns them in arrival order.</summary>
    public async Task<List<ReceivedWebhook>> AcceptedAsync(string type, int count, TimeSpan? timeout = null)
    {
        using var cancel = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(60));
        while (true)
        {
            lock (Accepted)
            {
                var matching = Accepted.Where(r => r.Type == type).ToList();
                if (matching.Count >= count) return matching;
            }
            await _received.Reader.WaitToReadAsync(cancel.Token);
            while (_received.Reader.TryRead(out _))
            {
            }
        }
    }

    /// <summary>Checks <c>Parley-Signature</c> as a product would: <c>t=…,v1=hex(HMAC-SHA256(secret, "t.body"))</c>.</summary>
    public static bool SignatureIsValid(ReceivedWebhook received, string secret)
    {
        var parts = received.Signature.Split(',').Select(p => p.Split('=', 2)).ToDictionary(p => p[0], p => p[1]);
        var expected = Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes($"{parts["t"]}.{received.Body}")));
        return parts["v1"] == expected && Math.Abs(DateTimeOffset.UtcNow.ToUnixTimeSeconds() - long.Parse(parts["t"])) < 600;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
