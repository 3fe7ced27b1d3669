using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Parley.Client;
using Parley.IntegrationTests.Infrastructure;
using Parley.Server.Realtime;
using Xunit.Abstractions;

namespace Parley.IntegrationTests.Security;

/// <summary>
/// Issue 11, "How it is proved": random input to every HTTP operation of the server's own OpenAPI document (so new
/// endpoints are covered without touching this test) and to every frame type the gateway maps: strings with NUL,
/// lone surrogates, bidirectional controls, huge numbers and JSON of the wrong type, in paths, queries and bodies.
/// No answer may be a 5xx or <c>internal_error</c>, and the server may log nothing at Error level. Seeded
/// (PARLEY_FUZZ_SEED repeats a run; the seed is printed) and bounded in time.
/// </summary>
public sealed class FuzzTests(ITestOutputHelper output)
{
    private static readonly TimeSpan HttpBudget = TimeSpan.FromSeconds(20);
    private static readonly TimeSpan FrameBudget = TimeSpan.FromSeconds(10);

    /// <summary>The sub-types behind a prefix pattern such as <c>call.*</c> (docs/protocol.md), plus one nobody maps.</summary>
    private static readonly string[] CallActions = ["invite", "accept", "reject", "hangup", "signal", "resume", "nonsense"];

    private static readonly string[] FieldNames =
    [
        "to", "userId", "groupId", "conversationId", "clientMsgId", "type", "content", "file", "fileId", "replyTo", "mentions",
        "seq", "conversations", "callId", "media", "sdp", "candidate", "id", "message", "name", "limit",
    ];

    [Fact]
    public async Task RandomInputToEveryEndpointAndFrameTypeIsNeverAServerErrorAndLogsNoError()
    {
        var seed = int.TryParse(Environment.GetEnvironmentVariable("PARLEY_FUZZ_SEED"), out var fixedSeed) ? fixedSeed : Environment.TickCount;
        output.WriteLine($"PARLEY_FUZZ_SEED={seed}");
        var random = new Random(seed);
        await using var server = await TestServer.StartAsync(new Dictionary<string, string?>
        {
            ["Gateway:FramesPerSecond"] = "100000",
            ["Accounts:LoginFailuresPerAccount"] = "100000",
        });
        var (alice, bob) = await FriendsAsync(server);
        var sent = await alice.SendMessageAsync(SendTarget.User(bob.UserId), "text", "hello");
        var group = await alice.CreateGroupAsync("fuzz", [bob.UserId]);
        string[] ids = [alice.UserId, bob.UserId, sent.ConversationId, sent.MessageId, group.Id];
        var fuzz = new Fuzz(random, ids);
        var failures = new List<string>();
        // Only what the fuzzing makes the server log (a fresh PostgreSQL database logs a failed look at the migration
        // history table at start, which is EF Core's way of finding it missing).
        var logBefore = server.Log.Lines.Count;

        failures.AddRange(await FuzzHttpAsync(server, alice, fuzz));
        failures.AddRange(await FuzzFramesAsync(server, alice, fuzz));

        var errors = server.Log.Lines.Skip(logBefore).Where(l => l.StartsWith("Error ", StringComparison.Ordinal) || l.StartsWith("Critical ", StringComparison.Ordinal)).ToList();
        Assert.True(failures.Count == 0 && errors.Count == 0,
            $"Seed {seed}. Failures:\n{string.Join("\n", failures.Take(20))}\nError log:\n{string.Join("\n", errors.Take(5))}");
    }

    /// <summary>What the fuzzing found first: a property name that is no text, inside free-form JSON, threw in the handler.</summary>
    [Fact]
    public async Task APropertyNameThatIsNoTextInsideFreeFormJsonIsRefusedAtTheDoor()
    {
        await using var server = await TestServer.StartAsync();
        var (alice, bob) = await FriendsAsync(server);
        await using var device = await ParleyRealtime.ConnectAsync(alice);

        await device.SendRawAsync("{\"type\":\"call.hangup\",\"id\":\"h1\",\"data\":{\"\\ud800\":1,\"callId\":\"1\"}}");
        var refusal = await device.NextEventAsync("error");
        Assert.Equal(("h1", "validation_failed"), (refusal.Id, refusal.Data.GetProperty("code").GetString()));

        using var request = new HttpRequestMessage(HttpMethod.Post, "api/v1/messages")
        {
            Content = new StringContent($"{{\"to\":{{\"userId\":\"{bob.UserId}\"}},\"clientMsgId\":\"c1\",\"type\":\"image\",\"file\":{{\"\\udc00\":\"x\",\"fileId\":\"1\"}}}}",
                Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", alice.AccessToken);
        using var response = await server.Http.SendAsync(request);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.DoesNotContain(server.Log.Lines, l => l.StartsWith("Error Parley", StringComparison.Ordinal));
    }

    private static async Task<(ParleyClient, ParleyClient)> FriendsAsync(TestServer server)
    {
        var alice = await server.NewUserAsync("alice");
        var bob = await server.NewUserAsync("bob");
        await TestServer.MakeFriendsAsync(alice, bob);
        return (alice, bob);
    }

    private async Task<List<string>> FuzzHttpAsync(TestServer server, ParleyClient alice, Fuzz fuzz)
    {
        using var document = JsonDocument.Parse(await server.Http.GetStringAsync("openapi/v1.json"));
        var operations = new List<(string Method, string Path, JsonElement Operation)>();
        foreach (var path in document.RootElement.GetProperty("paths").EnumerateObject())
            foreach (var operation in path.Value.EnumerateObject())
                if (operation.Name is "get" or "post" or "put" or "patch" or "delete")
                    operations.Add((operation.Name.ToUpperInvariant(), path.Name, operation.Value));
        Assert.True(operations.Count > 30, $"Only {operations.Count} operations in the OpenAPI document.");

        var failures = new List<string>();
        var phone = (await alice.GetMeAsync()).Phone!;
        var clock = Stopwatch.StartNew();
        var rounds = 0;
        // Round after round over every operation, so that each gets as many tries as the others when time runs out.
        while (clock.Elapsed < HttpBudget && rounds < 120)
        {
            rounds++;
            foreach (var (method, template, operation) in operations)
            {
                var (url, body, contentType) = fuzz.Request(template, operation, document.RootElement);
                using var request = new HttpRequestMessage(new HttpMethod(method), url);
                if (body is not null) request.Content = new ByteArrayContent(body) { Headers = { ContentType = MediaTypeHeaderValue.Parse(contentType!) } };
                if (fuzz.Chance(0.9)) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", alice.AccessToken);
                using var response = await server.Http.SendAsync(request);
                var text = await response.Content.ReadAsStringAsync();
                if ((int)response.StatusCode >= 500 || text.Contains("\"internal_error\"", StringComparison.Ordinal))
                    failures.Add($"{method} {url} {Shorten(Encoding.UTF8.GetString(body ?? []))} -> {(int)response.StatusCode} {Shorten(text)}");
                // Some operations end the session (logout) or change the password: sign in again and go on.
                if (response.StatusCode == HttpStatusCode.Unauthorized && request.Headers.Authorization is not null && !await SignedInAsync(alice))
                    await alice.LoginAsync(phone, "correct horse 1");
            }
        }
        output.WriteLine($"HTTP: {operations.Count} operations, {rounds} rounds in {clock.Elapsed.TotalSeconds:F1} s");
        return failures;
    }

    private static async Task<bool> SignedInAsync(ParleyClient client)
    {
        try
        {
            await client.GetMeAsync();
            return true;
        }
        catch (ParleyApiException)
        {
            return false;
        }
    }

    private async Task<List<string>> FuzzFramesAsync(TestServer server, ParleyClient alice, Fuzz fuzz)
    {
        var patterns = server.Services.GetRequiredService<FrameRoutes>().Patterns.ToList();
        var types = patterns.SelectMany(p => p.EndsWith(".*", StringComparison.Ordinal) ? CallActions.Select(a => p[..^1] + a) : [p])
            .Append("ping").Append("nonsense").ToList();
        var failures = new List<string>();
        var clock = Stopwatch.StartNew();
        var frames = 0;
        using var socket = new ClientWebSocket();
        socket.Options.SetRequestHeader("Authorization", $"Bearer {alice.AccessToken}");
        await socket.ConnectAsync(new Uri(server.BaseAddress.ToString().Replace("http://", "ws://", StringComparison.Ordinal) + "ws"), CancellationToken.None);
        var replies = ReadAllAsync(socket);
        while (clock.Elapsed < FrameBudget && frames < 12000)
        {
            foreach (var type in types)
            {
                var frame = fuzz.Frame(type, FieldNames);
                await socket.SendAsync(frame, WebSocketMessageType.Text, true, CancellationToken.None);
                frames++;
            }
            // One round answered before the next: a ping's pong comes after the answers to the frames before it.
            await socket.SendAsync(Encoding.UTF8.GetBytes("{\"type\":\"ping\",\"id\":\"sync\"}"), WebSocketMessageType.Text, true, CancellationToken.None);
            await replies.WaitForAsync(f => f.Contains("\"sync\"", StringComparison.Ordinal) && f.Contains("pong", StringComparison.Ordinal));
        }
        await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", CancellationToken.None);
        failures.AddRange(replies.All.Where(f => f.Contains("\"internal_error\"", StringComparison.Ordinal)).Select(f => "frame answer: " + Shorten(f)));
        output.WriteLine($"Frames: {types.Count} types ({string.Join(", ", types)}), {frames} frames in {clock.Elapsed.TotalSeconds:F1} s");
        return failures;
    }

    private static FrameLog ReadAllAsync(ClientWebSocket socket)
    {
        var log = new FrameLog();
        _ = Task.Run(async () =>
        {
            var buffer = new byte[1 << 20];
            try
            {
                while (socket.State == WebSocketState.Open)
                {
                    var count = 0;
                    WebSocketReceiveResult result;
                    do
                    {
                        result = await socket.ReceiveAsync(new ArraySegment<byte>(buffer, count, buffer.Length - count), CancellationToken.None);
                        count += result.Count;
                    }
                    while (!result.EndOfMessage && count < buffer.Length);
                    if (result.MessageType == WebSocketMessageType.Close) break;
                    log.Add(Encoding.UTF8.GetString(buffer, 0, count));
                }
            }
            catch (Exception e) when (e is WebSocketException or OperationCanceledException or ObjectDisposedException)
            {
            }
        });
        return log;
    }

    private static string Shorten(string text) => text.Length <= 300 ? text : text[..300] + "…";

    /// <summary>The frames a socket received, and a way to wait for one.</summary>
    private sealed class FrameLog
    {
        private readonly List<string> _frames = [];
        private readonly Lock _lock = new();
        private TaskCompletionSource _added = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public IReadOnlyList<string> All
        {
            get
            {
                lock (_lock) return [.. _frames];
            }
        }

        public void Add(string frame)
        {
            TaskCompletionSource added;
            lock (_lock)
            {
                _frames.Add(frame);
                added = _added;
                _added = new(TaskCreationOptions.RunContinuationsAsynchronously);
            }
            added.SetResult();
        }

        public async Task WaitForAsync(Func<string, bool> match)
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            var seen = 0;
            while (true)
            {
                Task next;
                lock (_lock)
                {
                    for (; seen < _frames.Count; seen++)
                        if (match(_frames[seen])) return;
                    next = _added.Task;
                }
                await next.WaitAsync(timeout.Token);
            }
        }
    }
}
