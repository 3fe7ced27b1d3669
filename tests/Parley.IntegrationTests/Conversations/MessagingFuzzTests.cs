using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Parley.Client;
using Parley.IntegrationTests.Infrastructure;

namespace Parley.IntegrationTests.Conversations;

/// <summary>Bad input to the conversation, message and file endpoints is a 4xx problem, never a 500.</summary>
public sealed class MessagingFuzzTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private readonly TestServer _server = fixture.Server;

    private async Task<HttpResponseMessage> SendAsync(ParleyClient who, HttpMethod method, string path, HttpContent? content = null)
    {
        using var request = new HttpRequestMessage(method, path) { Content = content };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", who.AccessToken);
        return await _server.Http.SendAsync(request);
    }

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    [Fact]
    public async Task BadQueriesPathsAndBodiesAreNeverA500()
    {
        var (alice, bob) = await _server.FriendsAsync();
        var sent = await alice.TextAsync(SendTarget.User(bob.UserId), "hello there");
        var c = sent.ConversationId;
        var m = sent.MessageId;
        var huge = "99999999999999999999999";
        var paths = new (HttpMethod Method, string Path, string? Body)[]
        {
            (HttpMethod.Get, "api/v1/conversations?limit=-1", null),
            (HttpMethod.Get, "api/v1/conversations?limit=abc", null),
            (HttpMethod.Get, $"api/v1/conversations?limit={huge}", null),
            (HttpMethod.Get, "api/v1/conversations?cursor=%%%", null),
            (HttpMethod.Get, "api/v1/conversations?cursor=MS45OTk5OTk5OTk5OTk5OTk5OTk5OTkuMQ", null),
            (HttpMethod.Get, "api/v1/conversations?cursor=" + Convert.ToBase64String(Encoding.ASCII.GetBytes("1.0.1")).TrimEnd('='), null),
            (HttpMethod.Get, "api/v1/conversations?cursor=" + Convert.ToBase64String(Encoding.ASCII.GetBytes("0.3155378975999999999.9223372036854775807")).TrimEnd('='), null),
            (HttpMethod.Get, "api/v1/conversations?cursor=" + Convert.ToBase64String(Encoding.ASCII.GetBytes("\u00ff\u00fe")), null),
            (HttpMethod.Get, $"api/v1/conversations/{huge}", null),
            (HttpMethod.Get, "api/v1/conversations/-5", null),
            (HttpMethod.Patch, $"api/v1/conversations/{c}", "{\"pinned\":\"yes\"}"),
            (HttpMethod.Patch, $"api/v1/conversations/{c}", "[]"),
            (HttpMethod.Patch, $"api/v1/conversations/{c}", "null"),
            (HttpMethod.Patch, $"api/v1/conversations/{huge}", "{\"hidden\":true}"),
            (HttpMethod.Get, $"api/v1/conversations/{c}/messages/{huge}/receipts", null),
            (HttpMethod.Get, $"api/v1/conversations/{c}/messages/-1/receipts", null),
            (HttpMethod.Get, $"api/v1/conversations/{c}/messages?beforeSeq={huge}", null),
            (HttpMethod.Get, $"api/v1/conversations/{c}/messages?beforeSeq=-9223372036854775808", null),
            (HttpMethod.Get, $"api/v1/conversations/{c}/messages?afterSeq=9223372036854775807", null),
            (HttpMethod.Get, $"api/v1/conversations/{c}/messages?afterSeq=-9223372036854775808", null),
            (HttpMethod.Get, $"api/v1/conversations/{c}/messages?limit=0", null),
            (HttpMethod.Post, $"api/v1/conversations/{c}/read", "{\"seq\":\"x\"}"),
            (HttpMethod.Post, $"api/v1/conversations/{c}/read", "{\"seq\":9223372036854775807}"),
            (HttpMethod.Post, $"api/v1/conversations/{c}/read", "{\"seq\":-9223372036854775808}"),
            (HttpMethod.Post, $"api/v1/conversations/{c}/read", "{\"seq\":1e400}"),
            (HttpMethod.Post, $"api/v1/conversations/{c}/read", "[1]"),
            (HttpMethod.Post, $"api/v1/conversations/{huge}/read", "{\"seq\":1}"),
            (HttpMethod.Post, $"api/v1/conversations/{c}/messages/{huge}/recall", null),
            (HttpMethod.Post, $"api/v1/conversations/{c}/messages/abc/recall", null),
            (HttpMethod.Delete, $"api/v1/conversations/{c}/messages/{huge}", null),
            (HttpMethod.Delete, $"api/v1/conversations/{c}/messages?upToSeq=-1", null),
            (HttpMethod.Delete, $"api/v1/conversations/{c}/messages?upToSeq=abc", null),
            (HttpMethod.Delete, $"api/v1/conversations/{c}/messages?upToSeq=9223372036854775807", null),
            (HttpMethod.Get, $"api/v1/conversations/{c}/messages/search?q=", null),
            (HttpMethod.Get, $"api/v1/conversations/{c}/messages/search?q=%22", null),
            (HttpMethod.Get, $"api/v1/conversations/{c}/messages/search?q=a", null),
            (HttpMethod.Get, $"api/v1/conversations/{c}/messages/search?q=\"\"\"*()NEAR:-^", null),
            (HttpMethod.Get, $"api/v1/conversations/{c}/messages/search?q=hello&limit=-3", null),
            (HttpMethod.Get, $"api/v1/conversations/{c}/messages/search?q=hello&limit={huge}", null),
            (HttpMethod.Get, $"api/v1/conversations/{c}/messages/search?q=hello&beforeSeq=-1", null),
            (HttpMethod.Get, $"api/v1/conversations/{c}/messages/search?q=" + new string('x', 5000), null),
            (HttpMethod.Get, $"api/v1/conversations/{c}/messages/search?q=%00hello", null),
            (HttpMethod.Get, "api/v1/messages/search?q=hello&before=abc", null),
            (HttpMethod.Get, $"api/v1/messages/search?q=hello&before={huge}", null),
            (HttpMethod.Get, "api/v1/messages/search?q=hello&before=-1", null),
            (HttpMethod.Get, "api/v1/messages/search?q=%ED%A0%80hello", null),
            (HttpMethod.Get, "api/v1/messages/search?q=hel%00lo", null),
            (HttpMethod.Get, $"api/v1/files/{huge}", null),
            (HttpMethod.Get, "api/v1/files/-1", null),
            (HttpMethod.Post, $"api/v1/conversations/{c}/messages", "{\"clientMsgId\":\"a1\",\"type\":\"text\",\"content\":\"hi\",\"replyTo\":123}"),
            (HttpMethod.Post, $"api/v1/conversations/{c}/messages", "{\"clientMsgId\":\"a2\",\"type\":\"text\",\"content\":\"hi\",\"replyTo\":\"" + huge + "\"}"),
            (HttpMethod.Post, $"api/v1/conversations/{c}/messages", "{\"clientMsgId\":\"a3\",\"type\":\"text\",\"content\":\"hi\",\"mentions\":\"all\"}"),
            (HttpMethod.Post, $"api/v1/conversations/{c}/messages", "{\"clientMsgId\":\"a4\",\"type\":\"text\",\"content\":\"hi\",\"mentions\":[1,2]}"),
            (HttpMethod.Post, $"api/v1/conversations/{c}/messages", "{\"clientMsgId\":\"a5\",\"type\":\"image\",\"file\":{\"fileId\":\"" + huge + "\"}}"),
            (HttpMethod.Post, $"api/v1/conversations/{c}/messages", "{\"clientMsgId\":\"a6\",\"type\":\"image\",\"file\":{\"fileId\":\"-1\"}}"),
            (HttpMethod.Post, $"api/v1/conversations/{c}/messages", "{\"clientMsgId\":\"a7\",\"type\":\"file\",\"file\":{\"fileId\":\"\\ud800\"}}"),
            (HttpMethod.Post, $"api/v1/conversations/{c}/messages", "{\"clientMsgId\":\"a8\",\"type\":\"image\",\"file\":[]}"),
            (HttpMethod.Post, $"api/v1/conversations/{c}/messages", "{\"clientMsgId\":\"a9\",\"type\":\"image\",\"content\":5,\"file\":{\"fileId\":\"1\"}}"),
            (HttpMethod.Post, $"api/v1/conversations/{c}/messages", "{\"clientMsgId\":\"a10\",\"type\":7,\"content\":\"x\"}"),
            (HttpMethod.Post, $"api/v1/conversations/{c}/messages", "{\"clientMsgId\":\"a11\",\"type\":\"system\",\"content\":\"x\"}"),
            (HttpMethod.Post, $"api/v1/conversations/{c}/messages", "{\"clientMsgId\":\"a12\",\"type\":\"text\",\"content\":\"\\ud800\"}"),
        };
        var failures = new List<string>();
        foreach (var (method, path, body) in paths)
        {
            using var response = await SendAsync(alice, method, path, body is null ? null : Json(body));
            if ((int)response.StatusCode >= 500) failures.Add($"{method} {path} {body} -> {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    [Fact]
    public async Task BadMultipartUploadsAreNeverA500()
    {
        var alice = await _server.NewUserAsync("alice");
        var bodies = new (string ContentType, string Body)[]
        {
            ("multipart/form-data; boundary=XX", "--XX\r\nContent-Disposition: form-data; name=\"kind\"\r\n\r\nimage"),
            ("multipart/form-data; boundary=XX", "--XX\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.txt\"\r\n\r\nhello"),
            ("multipart/form-data; boundary=XX", "--XX\r\nContent-Disposition: form-data; name=\"kind\"\r\n\r\n" + new string('k', 5000) + "\r\n--XX--"),
            ("multipart/form-data; boundary=XX", "--XX\r\n\r\nhello\r\n--XX--"),
            ("multipart/form-data; boundary=XX", "garbage"),
            ("multipart/form-data; boundary=XX", ""),
            ("multipart/form-data; boundary=XX", "--XX\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.txt\"\r\n\r\n\r\n--XX--"),
            ("multipart/form-data; boundary=XX", "--XX\r\nContent-Disposition: form-data; name=file; filename*=UTF-8''%ED%A0%80.txt\r\n\r\nhello\r\n--XX--"),
            ("multipart/form-data; boundary=XX", "--XX\r\nContent-Disposition: form-data; name=\"kind\"\r\n\r\n\u00ff\u00fe\r\n--XX--"),
            ("multipart/form-data; boundary=\"\"", "--\r\n"),
            ("multipart/form-data", "--XX--"),
        };
        var failures = new List<string>();
        foreach (var (contentType, body) in bodies)
        {
            var content = new ByteArrayContent(Encoding.Latin1.GetBytes(body));
            content.Headers.TryAddWithoutValidation("Content-Type", contentType);
            using var response = await SendAsync(alice, HttpMethod.Post, "api/v1/files", content);
            if ((int)response.StatusCode >= 500) failures.Add($"{contentType} {body[..Math.Min(body.Length, 60)]} -> {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }
}
