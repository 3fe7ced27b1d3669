using System.Net;
using System.Text;
using System.Text.Json;
using Parley.IntegrationTests.Files;
using Parley.IntegrationTests.Infrastructure;

namespace Parley.IntegrationTests.Contract;

/// <summary>API.md, "Conventions": health endpoints, the OpenAPI document, auth, and problem details with the right status and code.</summary>
public sealed class ConventionsContractTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private readonly TestServer _server = fixture.Server;

    [Fact]
    public async Task HealthzAndReadyzAnswer200WithoutAToken()
    {
        Assert.Equal(HttpStatusCode.OK, (await _server.GetAsync(null, "healthz")).Status);
        Assert.Equal(HttpStatusCode.OK, (await _server.GetAsync(null, "readyz")).Status);
    }

    [Fact]
    public async Task TheOpenApiDocumentListsTheConversationMessageFileCallAndSocketEndpoints()
    {
        var answer = await _server.GetAsync(null, "openapi/v1.json");
        Assert.Equal(HttpStatusCode.OK, answer.Status);
        Assert.Equal("application/json", answer.MediaType);
        var document = answer.Json;
        var paths = ContractKit.Prop(document, "paths");
        var expected = new (string Path, string Method)[]
        {
            ("/api/v1/conversations", "get"),
            ("/api/v1/conversations/{id}", "patch"),
            ("/api/v1/conversations/{id}/messages", "get"),
            ("/api/v1/conversations/{id}/messages", "post"),
            ("/api/v1/conversations/{id}/read", "post"),
            ("/api/v1/conversations/{id}/messages/{messageId}", "delete"),
            ("/api/v1/conversations/{id}/messages/{messageId}/recall", "post"),
            ("/api/v1/conversations/{id}/messages/search", "get"),
            ("/api/v1/messages", "post"),
            ("/api/v1/files", "post"),
            ("/api/v1/files/{fileId}", "get"),
            ("/api/v1/calls/ice-servers", "get"),
            ("/ws", "get"),
            ("/healthz", "get"),
            ("/readyz", "get"),
        };
        foreach (var (path, method) in expected)
        {
            Assert.True(paths.TryGetProperty(path, out var item), $"The OpenAPI document does not list {path}.");
            Assert.True(item.TryGetProperty(method, out _), $"The OpenAPI document does not list {method.ToUpperInvariant()} {path}.");
        }

        // Ids are strings on the wire, and the document says so.
        var schemas = ContractKit.Prop(ContractKit.Prop(document, "components"), "schemas");
        foreach (var (schema, property) in new[] { ("MessageView", "id"), ("MessageView", "conversationId"), ("MessageView", "senderId"), ("MessageAck", "messageId"), ("ConversationView", "id") })
        {
            var type = ContractKit.Prop(ContractKit.Prop(ContractKit.Prop(schemas, schema), "properties"), property);
            Assert.True(type.TryGetProperty("type", out var t) && (t.ValueKind == JsonValueKind.String ? t.GetString() == "string" : t.EnumerateArray().Any(x => x.GetString() == "string")),
                $"{schema}.{property} should be typed as a string in the OpenAPI document: {type.GetRawText()}");
        }

        // A send needs a clientMsgId and a type; `to` names exactly one of three, none of them required on its own.
        var sendBody = ContractKit.Prop(schemas, "SendMessageBody");
        Assert.Equal(["clientMsgId", "type"], ContractKit.Prop(sendBody, "required").EnumerateArray().Select(r => r.GetString()).Order());
        Assert.True(ContractKit.Absent(ContractKit.Prop(schemas, "SendTarget"), "required")
            || ContractKit.Prop(ContractKit.Prop(schemas, "SendTarget"), "required").GetArrayLength() == 0);

        // Every authenticated endpoint documents its 401 problem.
        var history = ContractKit.Prop(ContractKit.Prop(paths, "/api/v1/conversations/{id}/messages"), "get");
        var responses = ContractKit.Prop(history, "responses");
        Assert.True(responses.TryGetProperty("401", out var unauthorized), $"No 401 in {responses.GetRawText()}");
        Assert.True(ContractKit.Prop(unauthorized, "content").TryGetProperty("application/problem+json", out _));
    }

    [Theory]
    [InlineData("GET", "api/v1/conversations")]
    [InlineData("PATCH", "api/v1/conversations/1")]
    [InlineData("GET", "api/v1/conversations/1/messages")]
    [InlineData("POST", "api/v1/conversations/1/messages")]
    [InlineData("POST", "api/v1/conversations/1/read")]
    [InlineData("DELETE", "api/v1/conversations/1/messages/2")]
    [InlineData("POST", "api/v1/conversations/1/messages/2/recall")]
    [InlineData("GET", "api/v1/conversations/1/messages/search?q=hello")]
    [InlineData("POST", "api/v1/messages")]
    [InlineData("POST", "api/v1/files")]
    [InlineData("GET", "api/v1/files/1")]
    [InlineData("GET", "api/v1/calls/ice-servers")]
    [InlineData("GET", "ws")]
    public async Task NoTokenOrABadOneIs401UnauthorizedProblem(string method, string path)
    {
        var none = await _server.CallAsync(null, new HttpMethod(method), path, method is "POST" or "PATCH" ? "{}" : null);
        none.Problem(HttpStatusCode.Unauthorized, "unauthorized");
        var bad = await _server.CallAsync(null, new HttpMethod(method), path, method is "POST" or "PATCH" ? "{}" : null, token: "not.a.jwt");
        bad.Problem(HttpStatusCode.Unauthorized, "unauthorized");
    }

    [Fact]
    public async Task BadInputIsA400ProblemNeverA500()
    {
        var (alice, bob) = await _server.FriendsAsync();
        var conversation = (await _server.FirstMessageAsync(alice, bob)).GetProperty("conversationId").GetString()!;
        var path = $"api/v1/conversations/{conversation}/messages";

        (await _server.CallAsync(alice, HttpMethod.Post, path, "{not json")).Problem(HttpStatusCode.BadRequest, "invalid_json");
        var unknownType = (await _server.PostAsync(alice, path, new { clientMsgId = "x0", type = "hologram", content = "?" })).Problem(HttpStatusCode.BadRequest, "invalid_json");
        Assert.DoesNotContain("Parley.Server", unknownType.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Contains("$.type", unknownType.GetProperty("detail").GetString(), StringComparison.Ordinal);
        var noBody = (await _server.CallAsync(alice, HttpMethod.Post, path)).Problem(HttpStatusCode.BadRequest, "bad_request");
        Assert.Equal("This endpoint needs a JSON body.", noBody.GetProperty("detail").GetString());
        using (var plain = new StringContent("hello", System.Text.Encoding.UTF8, "text/plain"))
            (await _server.CallAsync(alice, HttpMethod.Post, path, content: plain)).Problem(HttpStatusCode.UnsupportedMediaType, "unsupported_media_type");
        (await _server.PostAsync(alice, path, new { type = "text", content = "no clientMsgId" })).Problem(HttpStatusCode.BadRequest, "validation_failed");
        (await _server.PostAsync(alice, path, new { clientMsgId = "x1", type = "text" })).Problem(HttpStatusCode.BadRequest, "validation_failed");
        (await _server.PostAsync(alice, path, new { clientMsgId = "x2", type = "call", content = "{}" })).Problem(HttpStatusCode.BadRequest, "validation_failed");
        (await _server.PostAsync(alice, path, new { clientMsgId = "x3", type = "text", content = 42 })).Problem(HttpStatusCode.BadRequest, "validation_failed");
        (await _server.PostAsync(alice, path, new { clientMsgId = "x4", type = "image", content = "" })).Problem(HttpStatusCode.BadRequest, "validation_failed");
        (await _server.PostAsync(alice, "api/v1/messages", new { clientMsgId = "x5", type = "text", content = "to nobody" })).Problem(HttpStatusCode.BadRequest, "validation_failed");
        (await _server.PostAsync(alice, "api/v1/messages", new { to = new { userId = "abc" }, clientMsgId = "x6", type = "text", content = "hi" }))
            .Problem(HttpStatusCode.BadRequest, "validation_failed");
        (await _server.GetAsync(alice, $"{path}?limit=0")).Problem(HttpStatusCode.BadRequest, "validation_failed");
        (await _server.GetAsync(alice, $"{path}?beforeSeq=abc")).Problem(HttpStatusCode.BadRequest, "bad_request");
        (await _server.PostAsync(alice, $"api/v1/conversations/{conversation}/read", new { })).Problem(HttpStatusCode.BadRequest, "validation_failed");
        (await _server.GetAsync(alice, $"api/v1/conversations/{conversation}/messages/search")).Problem(HttpStatusCode.BadRequest, "validation_failed");
    }

    [Fact]
    public async Task UnknownPathsAndIdsAre404Problems()
    {
        var (alice, _) = await _server.FriendsAsync();
        (await _server.GetAsync(alice, "api/v1/no-such-thing")).Problem(HttpStatusCode.NotFound, "not_found");
        (await _server.GetAsync(alice, "api/v1/conversations/123456789/messages")).Problem(HttpStatusCode.NotFound, "conversation_not_found");
        (await _server.GetAsync(alice, "api/v1/conversations/not-an-id/messages")).Problem(HttpStatusCode.NotFound, "conversation_not_found");
        (await _server.PatchAsync(alice, "api/v1/conversations/123456789", new { pinned = true })).Problem(HttpStatusCode.NotFound, "conversation_not_found");
        (await _server.GetAsync(alice, "api/v1/files/123456789")).Problem(HttpStatusCode.NotFound, "file_not_found");
        (await _server.PostAsync(alice, "api/v1/messages", new { to = new { userId = "123456789" }, clientMsgId = "n1", type = "text", content = "hi" }))
            .Problem(HttpStatusCode.NotFound, "user_not_found");
        (await _server.PostAsync(alice, "api/v1/messages", new { to = new { groupId = "123456789" }, clientMsgId = "n2", type = "text", content = "hi" }))
            .Problem(HttpStatusCode.NotFound, "group_not_found");
    }

    [Fact]
    public async Task TooLargeIs413AndTooManyIs429WithRetryAfter()
    {
        var (alice, bob) = await _server.FriendsAsync();
        var conversation = (await _server.FirstMessageAsync(alice, bob)).GetProperty("conversationId").GetString()!;
        var path = $"api/v1/conversations/{conversation}/messages";

        (await _server.PostAsync(alice, path, new { clientMsgId = "big1", type = "text", content = new string('a', 4001) }))
            .Problem(HttpStatusCode.RequestEntityTooLarge, "message_too_large");
        var hugeBody = "{\"clientMsgId\":\"big2\",\"type\":\"text\",\"content\":\"" + new string('a', 16 * 1024 * 1024) + "\"}";
        // Sent whole before the answer is read, as HttpClient does without Expect: 100-continue: the 413 must arrive, not a reset.
        for (var i = 0; i < 3; i++)
            (await _server.CallAsync(alice, HttpMethod.Post, path, hugeBody)).Problem(HttpStatusCode.RequestEntityTooLarge, "payload_too_large");

        // Uploads are rate limited per user (30 a minute by default).
        var uploader = await _server.UserAsync("uploader");
        Reply? limited = null;
        for (var i = 0; i < 40 && limited is null; i++)
        {
            var reply = await UploadAsync(_server, uploader, TestFiles.Text($"note {i}"), "note.txt");
            if (reply.Status == HttpStatusCode.TooManyRequests) limited = reply;
            else reply.Ok(HttpStatusCode.Created);
        }
        Assert.NotNull(limited);
        limited.Problem(HttpStatusCode.TooManyRequests, "rate_limited");
        Assert.True(limited.Headers.RetryAfter?.Delta is { TotalSeconds: >= 1 }, "A 429 carries Retry-After in whole seconds.");
    }

    [Fact]
    public async Task ConflictIs409Problem()
    {
        var (alice, bob) = await _server.FriendsAsync();
        var request = await _server.PostAsync(alice, "api/v1/friend-requests", new { userId = bob.Id, message = "again" });
        request.Problem(HttpStatusCode.Conflict, "already_friends");
    }

    internal static async Task<Reply> UploadAsync(TestServer server, ContractKit.User who, byte[] bytes, string name, string? kind = null)
    {
        using var form = new MultipartFormDataContent();
        if (kind is not null) form.Add(new StringContent(kind, Encoding.UTF8), "kind");
        form.Add(new ByteArrayContent(bytes), "file", name);
        return await server.CallAsync(who, HttpMethod.Post, "api/v1/files", content: form);
    }
}
