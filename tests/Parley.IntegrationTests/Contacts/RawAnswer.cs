using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Parley.Client;

namespace Parley.IntegrationTests.Contacts;

/// <summary>
/// A response read to the end, for the cases the SDK hides: the exact status (201 or 200), raw bodies, and
/// many concurrent calls whose outcomes are counted rather than thrown.
/// </summary>
public sealed record RawAnswer(HttpStatusCode Status, string? MediaType, string Body)
{
    /// <summary>How long any one step of these tests may take before it counts as hung.</summary>
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    public bool Succeeded => (int)Status is >= 200 and < 300;

    public T As<T>() => JsonSerializer.Deserialize<T>(Body, ParleyClient.JsonOptions)
        ?? throw new InvalidOperationException($"{(int)Status} answered with an empty body.");

    /// <summary>The problem-details <c>code</c>, or null when the body is not problem details.</summary>
    public string? Code
    {
        get
        {
            if (MediaType != "application/problem+json") return null;
            using var problem = JsonDocument.Parse(Body);
            return problem.RootElement.TryGetProperty("code", out var code) ? code.GetString() : null;
        }
    }

    public override string ToString() => $"{(int)Status} {Code ?? ""} {Body}";

    /// <summary>Asserts a problem-details refusal with this status and code; returns the problem's JSON.</summary>
    public JsonElement AssertRefused(HttpStatusCode status, string code)
    {
        Assert.True(Status == status && Code == code, $"Expected {(int)status} {code} but got {this}");
        Assert.DoesNotContain("   at ", Body, StringComparison.Ordinal);
        using var problem = JsonDocument.Parse(Body);
        return problem.RootElement.Clone();
    }

    public static async Task<RawAnswer> ReadAsync(Task<HttpResponseMessage> sending)
    {
        using var response = await sending.WaitAsync(Patience);
        return new RawAnswer(response.StatusCode, response.Content.Headers.ContentType?.MediaType, await response.Content.ReadAsStringAsync());
    }

    /// <summary>Sends as <paramref name="client"/>, with a JSON body serialised from <paramref name="body"/>.</summary>
    public static Task<RawAnswer> SendAsync(ParleyClient client, HttpMethod method, string path, object? body = null) =>
        ReadAsync(client.SendRawAsync(method, path, body));

    /// <summary>Sends <paramref name="json"/> exactly as written (null: no body at all), signed in as <paramref name="client"/> when given.</summary>
    public static Task<RawAnswer> SendTextAsync(HttpClient http, ParleyClient? client, HttpMethod method, string path, string? json)
    {
        var request = new HttpRequestMessage(method, path);
        if (json is not null) request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        if (client is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", client.AccessToken);
        return ReadAsync(SendAndDisposeAsync(http, request));
    }

    private static async Task<HttpResponseMessage> SendAndDisposeAsync(HttpClient http, HttpRequestMessage request)
    {
        using (request) return await http.SendAsync(request);
    }

    /// <summary>POST /friend-requests, answered raw.</summary>
    public static Task<RawAnswer> AskAsync(ParleyClient from, string userId, string? message = null) =>
        SendAsync(from, HttpMethod.Post, "api/v1/friend-requests", new { userId, message });
}
