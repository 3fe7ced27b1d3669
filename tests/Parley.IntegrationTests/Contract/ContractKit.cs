using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using System.Threading.Channels;
using Parley.Client;
using Parley.IntegrationTests.Infrastructure;

namespace Parley.IntegrationTests.Contract;

/// <summary>
/// The contract tests talk to the server the way an outside black-box test would: raw HTTP and a raw
/// WebSocket, reading JSON with <see cref="JsonDocument"/>, against the paths and shapes of API.md. The SDK is
/// used only to set up users and friendships.
/// </summary>
internal static partial class ContractKit
{
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(15);

    /// <summary>A signed-in user: their id and access token, nothing more.</summary>
    public sealed record User(string Id, string Token, ParleyClient Sdk);

    public static async Task<User> UserAsync(this TestServer server, string nickname = "user")
    {
        var sdk = await server.NewUserAsync(nickname);
        return new User(sdk.UserId, sdk.AccessToken!, sdk);
    }

    public static async Task<(User A, User B)> FriendsAsync(this TestServer server)
    {
        var a = await server.UserAsync("alice");
        var b = await server.UserAsync("bob");
        await TestServer.MakeFriendsAsync(a.Sdk, b.Sdk);
        return (a, b);
    }

    /// <summary>A raw HTTP request; <paramref name="json"/> is sent exactly as written.</summary>
    public static async Task<Reply> CallAsync(this TestServer server, User? who, HttpMethod method, string path, string? json = null,
        HttpContent? content = null, string? token = null)
    {
        using var request = new HttpRequestMessage(method, path);
        if (json is not null) request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        else if (content is not null) request.Content = content;
        var bearer = token ?? who?.Token;
        if (bearer is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        using var response = await server.Http.SendAsync(request).WaitAsync(Patience);
        var body = await response.Content.ReadAsStringAsync();
        return new Reply(response.StatusCode, response.Content.Headers.ContentType?.MediaType, body, response.Headers, response.Content.Headers);
    }

    public static Task<Reply> GetAsync(this TestServer server, User? who, string path) => server.CallAsync(who, HttpMethod.Get, path);

    public static Task<Reply> PostAsync(this TestServer server, User? who, string path, object? body) =>
        server.CallAsync(who, HttpMethod.Post, path, body is null ? null : body as string ?? JsonSerializer.Serialize(body));

    public static Task<Reply> PatchAsync(this TestServer server, User? who, string path, object body) =>
        server.CallAsync(who, HttpMethod.Patch, path, JsonSerializer.Serialize(body));

    /// <summary>Sends a text message over HTTP to a conversation and returns the ack's JSON.</summary>
    public static async Task<JsonElement> SendTextAsync(this TestServer server, User from, string conversationId, string text, string? clientMsgId = null)
    {
        var reply = await server.PostAsync(from, $"api/v1/conversations/{conversationId}/messages",
            new { clientMsgId = clientMsgId ?? Guid.NewGuid().ToString("N"), type = "text", content = text });
        return reply.Ok();
    }

    /// <summary>Sends the first message to a friend over HTTP (<c>POST /api/v1/messages</c>, <c>to: {userId}</c>) and returns the ack.</summary>
    public static async Task<JsonElement> FirstMessageAsync(this TestServer server, User from, User to, string text = "hello")
    {
        var reply = await server.PostAsync(from, "api/v1/messages",
            new { to = new { userId = to.Id }, clientMsgId = Guid.NewGuid().ToString("N"), type = "text", content = text });
        return reply.Ok();
    }

    // ---- shape assertions ----

    public static void AssertIdValue(JsonElement element, string what)
    {
        Assert.True(element.ValueKind == JsonValueKind.String, $"{what} must be a JSON string, got {element.ValueKind}: {element.GetRawText()}");
        var text = element.GetString()!;
        Assert.True(Digits().IsMatch(text) && long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var id) && id > 0,
            $"{what} must be a positive 64-bit id as a string, got '{text}'");
    }

    public static void AssertId(JsonElement parent, string property, string? equals = null)
    {
        var value = Prop(parent, property);
        AssertIdValue(value, property);
        if (equals is not null) Assert.Equal(equals, value.GetString());
    }

    public static DateTimeOffset AssertTimestamp(JsonElement parent, string property)
    {
        var value = Prop(parent, property);
        Assert.True(value.ValueKind == JsonValueKind.String, $"{property} must be a string, got {value.GetRawText()}");
        var text = value.GetString()!;
        Assert.True(UtcMillis().IsMatch(text), $"{property} must be ISO 8601 UTC with milliseconds (2026-01-31T12:00:00.123Z), got '{text}'");
        return DateTimeOffset.Parse(text, CultureInfo.InvariantCulture);
    }

    public static long AssertNumber(JsonElement parent, string property)
    {
        var value = Prop(parent, property);
        Assert.True(value.ValueKind == JsonValueKind.Number, $"{property} must be a JSON number, got {value.GetRawText()}");
        return value.GetInt64();
    }

    public static string AssertString(JsonElement parent, string property, string? equals = null)
    {
        var value = Prop(parent, property);
        Assert.True(value.ValueKind == JsonValueKind.String, $"{property} must be a JSON string, got {value.GetRawText()}");
        if (equals is not null) Assert.Equal(equals, value.GetString());
        return value.GetString()!;
    }

    public static bool AssertBool(JsonElement parent, string property)
    {
        var value = Prop(parent, property);
        Assert.True(value.ValueKind is JsonValueKind.True or JsonValueKind.False, $"{property} must be a JSON boolean, got {value.GetRawText()}");
        return value.GetBoolean();
    }

    public static JsonElement Prop(JsonElement parent, string property)
    {
        Assert.True(parent.ValueKind == JsonValueKind.Object, $"Expected an object holding '{property}', got {parent.GetRawText()}");
        Assert.True(parent.TryGetProperty(property, out var value), $"'{property}' is missing from {parent.GetRawText()}");
        return value;
    }

    public static bool Absent(JsonElement parent, string property) =>
        !parent.TryGetProperty(property, out var value) || value.ValueKind == JsonValueKind.Null;

    /// <summary>A message as API.md describes it: <c>{id, conversationId, seq, senderId, clientMsgId, type, content, file?, replyTo?, mentions?, sentAt, recalled}</c>.</summary>
    public static void AssertMessage(JsonElement message, string? conversationId = null, string? senderId = null, string? type = null)
    {
        AssertId(message, "id");
        AssertId(message, "conversationId", conversationId);
        Assert.True(AssertNumber(message, "seq") >= 1);
        AssertId(message, "senderId", senderId);
        AssertString(message, "clientMsgId");
        var actualType = AssertString(message, "type");
        Assert.Contains(actualType, new[] { "text", "emoji", "image", "voice", "video", "file", "call", "system" });
        if (type is not null) Assert.Equal(type, actualType);
        Prop(message, "content");
        AssertTimestamp(message, "sentAt");
        AssertBool(message, "recalled");
        foreach (var property in message.EnumerateObject())
            Assert.Contains(property.Name, new[] { "id", "conversationId", "seq", "senderId", "clientMsgId", "type", "content", "file", "replyTo", "mentions", "sentAt", "recalled" });
    }

    /// <summary><c>msg.ack</c> / the HTTP send reply: <c>{clientMsgId, messageId, conversationId, seq, sentAt}</c>.</summary>
    public static void AssertAck(JsonElement ack, string clientMsgId, string? conversationId = null)
    {
        AssertString(ack, "clientMsgId", clientMsgId);
        AssertId(ack, "messageId");
        AssertId(ack, "conversationId", conversationId);
        Assert.True(AssertNumber(ack, "seq") >= 1);
        AssertTimestamp(ack, "sentAt");
    }

    /// <summary>The file descriptor: <c>{fileId, name, size, contentType, url, durationMs?, width?, height?}</c>.</summary>
    public static void AssertFile(JsonElement file, string fileId)
    {
        AssertId(file, "fileId", fileId);
        AssertString(file, "name");
        Assert.True(AssertNumber(file, "size") > 0);
        AssertString(file, "contentType");
        AssertString(file, "url", $"/api/v1/files/{fileId}");
        foreach (var optional in new[] { "durationMs", "width", "height" })
            if (file.TryGetProperty(optional, out var value) && value.ValueKind != JsonValueKind.Null)
                Assert.Equal(JsonValueKind.Number, value.ValueKind);
        foreach (var property in file.EnumerateObject())
            Assert.Contains(property.Name, new[] { "fileId", "name", "size", "contentType", "url", "durationMs", "width", "height" });
    }

    /// <summary>
    /// Walks a whole answer: every <c>id</c> / <c>…Id</c> is a string of digits (or null), every <c>…Ids</c> an array
    /// of them, and every <c>…At</c> time is ISO 8601 UTC with milliseconds (or null). <c>clientMsgId</c> and
    /// <c>callId</c>-like values chosen elsewhere are only required to be strings.
    /// </summary>
    public static void AssertWireConventions(JsonElement element, string path = "$")
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                {
                    var name = property.Name;
                    var value = property.Value;
                    var at = $"{path}.{name}";
                    if (value.ValueKind != JsonValueKind.Null)
                    {
                        if (name == "clientMsgId")
                            Assert.True(value.ValueKind == JsonValueKind.String, $"{at} must be a string: {value.GetRawText()}");
                        else if (name == "id" || name.EndsWith("Id", StringComparison.Ordinal))
                            Assert.True(value.ValueKind == JsonValueKind.String && Digits().IsMatch(value.GetString()!), $"{at} must be an id as a string: {value.GetRawText()}");
                        else if (name.EndsWith("Ids", StringComparison.Ordinal) && value.ValueKind == JsonValueKind.Array)
                            foreach (var item in value.EnumerateArray())
                                Assert.True(item.ValueKind == JsonValueKind.String && Digits().IsMatch(item.GetString()!), $"{at} must hold ids as strings: {value.GetRawText()}");
                        else if (name.EndsWith("At", StringComparison.Ordinal) && value.ValueKind == JsonValueKind.String)
                            Assert.True(UtcMillis().IsMatch(value.GetString()!), $"{at} must be ISO 8601 UTC with milliseconds: {value.GetRawText()}");
                    }
                    // Raw payloads relayed as the client sent them are not the server's to shape.
                    if (name is not ("sdp" or "candidate")) AssertWireConventions(value, at);
                }
                break;
            case JsonValueKind.Array:
                var i = 0;
                foreach (var item in element.EnumerateArray()) AssertWireConventions(item, $"{path}[{i++}]");
                break;
        }
    }

    [GeneratedRegex(@"^[0-9]+$")]
    private static partial Regex Digits();

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$")]
    private static partial Regex UtcMillis();
}

/// <summary>An HTTP answer read to the end.</summary>
internal sealed record Reply(HttpStatusCode Status, string? MediaType, string Body, HttpResponseHeaders Headers, HttpContentHeaders ContentHeaders)
{
    public JsonElement Json
    {
        get
        {
            using var document = JsonDocument.Parse(Body);
            return document.RootElement.Clone();
        }
    }

    /// <summary>Asserts a 2xx JSON answer and returns its body.</summary>
    public JsonElement Ok(HttpStatusCode status = HttpStatusCode.OK)
    {
        Assert.True(Status == status, $"Expected {(int)status} but got {(int)Status} {MediaType}: {Body}");
        Assert.Equal("application/json", MediaType);
        var json = Json;
        ContractKit.AssertWireConventions(json);
        return json;
    }

    /// <summary>Asserts an RFC 9457 refusal: the status, <c>application/problem+json</c>, the <c>code</c>, and no stack trace.</summary>
    public JsonElement Problem(HttpStatusCode status, string code)
    {
        Assert.True(Status == status, $"Expected {(int)status} {code} but got {(int)Status} {MediaType}: {Body}");
        Assert.Equal("application/problem+json", MediaType);
        var problem = Json;
        Assert.Equal(code, ContractKit.AssertString(problem, "code"));
        Assert.Equal((int)status, (int)ContractKit.AssertNumber(problem, "status"));
        Assert.DoesNotContain("   at ", Body, StringComparison.Ordinal);
        return problem;
    }

    public override string ToString() => $"{(int)Status} {MediaType} {Body}";
}

/// <summary>A raw WebSocket to <c>/ws</c> that keeps every frame it receives, as parsed JSON.</summary>
internal sealed class RawSocket : IAsyncDisposable
{
    private readonly ClientWebSocket _socket;
    private readonly Channel<JsonElement> _incoming = Channel.CreateUnbounded<JsonElement>();
    private readonly List<JsonElement> _seen = [];
    private readonly Task _reading;
    private int _nextId;

    private RawSocket(ClientWebSocket socket)
    {
        _socket = socket;
        _reading = ReadAsync();
    }

    public WebSocketState State => _socket.State;

    /// <summary>Completes when the server has closed the socket (or the connection broke) and every frame before was read.</summary>
    public Task Closed => _reading;

    /// <summary>Every frame received until now, without asking the server (the socket may be closed).</summary>
    public List<JsonElement> Received
    {
        get
        {
            lock (_seen) return [.. _seen];
        }
    }

    /// <summary>Frames that broke the wire conventions (ids as strings, times with milliseconds); checked on every wait.</summary>
    public List<string> Violations { get; } = [];
    public WebSocketCloseStatus? CloseStatus => _socket.CloseStatus;

    public static Uri Address(TestServer server, string? accessToken = null)
    {
        var builder = new UriBuilder(server.BaseAddress) { Scheme = "ws", Path = "/ws" };
        if (accessToken is not null) builder.Query = "access_token=" + Uri.EscapeDataString(accessToken);
        return builder.Uri;
    }

    /// <summary>Connects with the token as the <c>access_token</c> query parameter (as a browser must), or in the header.</summary>
    public static async Task<RawSocket> ConnectAsync(TestServer server, ContractKit.User user, bool inQuery = true)
    {
        var socket = new ClientWebSocket();
        if (!inQuery) socket.Options.SetRequestHeader("Authorization", "Bearer " + user.Token);
        using var cancel = new CancellationTokenSource(ContractKit.Patience);
        await socket.ConnectAsync(Address(server, inQuery ? user.Token : null), cancel.Token);
        var raw = new RawSocket(socket);
        // Registered once a request on it has been answered.
        await raw.RequestAsync("ping", null);
        return raw;
    }

    public Task SendBinaryAsync(byte[] bytes) =>
        _socket.SendAsync(bytes, WebSocketMessageType.Binary, true, CancellationToken.None);

    public Task SendTextAsync(string text) =>
        _socket.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, true, CancellationToken.None);

    /// <summary>Sends <c>{type, id, data}</c> and returns the id used.</summary>
    public async Task<string> SendAsync(string type, object? data, string? id = null)
    {
        id ??= $"r{Interlocked.Increment(ref _nextId)}";
        var frame = data is null
            ? JsonSerializer.Serialize(new { type, id })
            : JsonSerializer.Serialize(new { type, id, data });
        await SendTextAsync(frame);
        return id;
    }

    /// <summary>Sends a request and waits for the frame carrying its id (the reply or an error).</summary>
    public async Task<JsonElement> RequestAsync(string type, object? data)
    {
        var id = await SendAsync(type, data);
        return await WaitAsync(f => Id(f) == id);
    }

    public static string? Id(JsonElement frame) =>
        frame.TryGetProperty("id", out var id) && id.ValueKind == JsonValueKind.String ? id.GetString() : null;

    public static string Type(JsonElement frame) => frame.GetProperty("type").GetString()!;

    public static JsonElement Data(JsonElement frame) => frame.GetProperty("data");

    /// <summary>The first frame (already received, or arriving within the patience) that matches.</summary>
    public async Task<JsonElement> WaitAsync(Func<JsonElement, bool> match, TimeSpan? timeout = null)
    {
        lock (_seen) Assert.True(Violations.Count == 0, string.Join("\n", Violations));
        lock (_seen)
            foreach (var seen in _seen)
                if (match(seen)) return seen;
        using var cancel = new CancellationTokenSource(timeout ?? ContractKit.Patience);
        try
        {
            while (true)
            {
                var frame = await _incoming.Reader.ReadAsync(cancel.Token);
                if (match(frame)) return frame;
            }
        }
        catch (OperationCanceledException)
        {
            string seenSoFar;
            lock (_seen) seenSoFar = string.Join("\n", _seen.Select(f => f.GetRawText()));
            throw new TimeoutException($"No matching frame arrived. Frames so far:\n{seenSoFar}");
        }
    }

    public Task<JsonElement> WaitAsync(string type, Func<JsonElement, bool>? match = null) =>
        WaitAsync(f => Type(f) == type && (match is null || match(Data(f))));

    /// <summary>Every frame received until now: a ping's pong comes behind everything already queued for this device.</summary>
    public async Task<List<JsonElement>> SoFarAsync()
    {
        await RequestAsync("ping", null);
        lock (_seen) return [.. _seen];
    }

    private async Task ReadAsync()
    {
        var buffer = new byte[1 << 20];
        try
        {
            while (_socket.State == WebSocketState.Open)
            {
                var length = 0;
                ValueWebSocketReceiveResult result;
                do
                {
                    result = await _socket.ReceiveAsync(buffer.AsMemory(length), CancellationToken.None);
                    length += result.Count;
                }
                while (!result.EndOfMessage);
                if (result.MessageType == WebSocketMessageType.Close) break;
                using var document = JsonDocument.Parse(buffer.AsMemory(0, length));
                var frame = document.RootElement.Clone();
                try
                {
                    // The envelope's id is the client's own; the data is the server's.
                    if (frame.TryGetProperty("data", out var data)) ContractKit.AssertWireConventions(data, "data");
                }
                catch (Exception e) when (e is Xunit.Sdk.XunitException)
                {
                    lock (_seen) Violations.Add(e.Message);
                }
                lock (_seen) _seen.Add(frame);
                await _incoming.Writer.WriteAsync(frame);
            }
        }
        catch (WebSocketException)
        {
        }
        finally
        {
            _incoming.Writer.TryComplete();
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (_socket.State == WebSocketState.Open)
            {
                using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                await _socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "bye", cancel.Token);
            }
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException)
        {
        }
        await _reading.WaitAsync(TimeSpan.FromSeconds(5)).ContinueWith(_ => { }, TaskScheduler.Default);
        _socket.Dispose();
    }
}
