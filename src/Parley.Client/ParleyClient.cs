using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Parley.Client;

/// <summary>
/// A typed client for one Parley user: REST calls, with the session's tokens kept for the calls that need
/// them. Not thread-safe for sign-in and refresh; the calls themselves may run concurrently. For the socket,
/// see <see cref="ParleyRealtime"/> (one connection) and <see cref="ParleyChat"/> (a device that reconnects).
/// </summary>
public sealed partial class ParleyClient : IDisposable
{
    public static readonly JsonSerializerOptions JsonOptions = CreateJsonOptions();

    private readonly HttpClient _http;
    private readonly bool _ownsHttp;

    /// <param name="baseAddress">The server, e.g. <c>http://localhost:8080/</c>.</param>
    public ParleyClient(Uri baseAddress)
        : this(new HttpClient { BaseAddress = baseAddress }, ownsHttp: true)
    {
    }

    /// <param name="http">An HttpClient whose BaseAddress is the server; it is not disposed with this client.</param>
    public ParleyClient(HttpClient http)
        : this(http, ownsHttp: false)
    {
    }

    private ParleyClient(HttpClient http, bool ownsHttp)
    {
        _http = http;
        _ownsHttp = ownsHttp;
    }

    public Uri BaseAddress => _http.BaseAddress ?? throw new InvalidOperationException("The HttpClient has no BaseAddress.");

    /// <summary>The current session, set by register, login and refresh.</summary>
    public AuthResponse? Session { get; private set; }

    public string? AccessToken => Session?.AccessToken;

    /// <summary>Signs this client in with tokens got elsewhere (minted by the product's back end through the platform API).</summary>
    public void UseSession(AuthResponse session) => Session = session;

    /// <summary>The signed-in user's id.</summary>
    public string UserId => Session?.User.Id ?? throw new InvalidOperationException("Not signed in.");

    public void Dispose()
    {
        if (_ownsHttp) _http.Dispose();
    }

    /// <summary>Sends a request and returns the raw response without throwing, for callers that inspect status codes themselves.</summary>
    public async Task<HttpResponseMessage> SendRawAsync(HttpMethod method, string path, object? body = null, bool authenticated = true,
        CancellationToken cancellationToken = default)
    {
        using var request = BuildRequest(method, path, body, authenticated);
        return await _http.SendAsync(request, cancellationToken).ConfigureAwait(false);
    }

    private async Task<T> SendAsync<T>(HttpMethod method, string path, object? body, CancellationToken cancellationToken, bool authenticated = true)
    {
        using var response = await SendRawAsync(method, path, body, authenticated, cancellationToken).ConfigureAwait(false);
        await ThrowIfFailedAsync(response, cancellationToken).ConfigureAwait(false);
        return await response.Content.ReadFromJsonAsync<T>(JsonOptions, cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidOperationException($"{method} {path} answered with an empty body.");
    }

    private async Task SendAsync(HttpMethod method, string path, object? body, CancellationToken cancellationToken, bool authenticated = true)
    {
        using var response = await SendRawAsync(method, path, body, authenticated, cancellationToken).ConfigureAwait(false);
        await ThrowIfFailedAsync(response, cancellationToken).ConfigureAwait(false);
    }

    private HttpRequestMessage BuildRequest(HttpMethod method, string path, object? body, bool authenticated)
    {
        var request = new HttpRequestMessage(method, path.TrimStart('/'));
        if (body is not null) request.Content = JsonContent.Create(body, body.GetType(), options: JsonOptions);
        if (authenticated && Session is not null)
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Session.AccessToken);
        return request;
    }

    /// <summary>Turns a problem-details answer into a <see cref="ParleyApiException"/>.</summary>
    public static async Task ThrowIfFailedAsync(HttpResponseMessage response, CancellationToken cancellationToken = default)
    {
        if (response.IsSuccessStatusCode) return;
        Problem? problem = null;
        try
        {
            if (response.Content.Headers.ContentLength != 0)
                problem = await response.Content.ReadFromJsonAsync<Problem>(JsonOptions, cancellationToken).ConfigureAwait(false);
        }
        catch (JsonException)
        {
            // Not problem details (a proxy's error page, say): fall back to the status code.
        }
        var retryAfter = response.Headers.RetryAfter?.Delta;
        throw new ParleyApiException(response.StatusCode, problem?.Code ?? $"http_{(int)response.StatusCode}", problem?.Title, problem?.Detail,
            problem?.Errors, retryAfter);
    }

    private static string Escape(string value) => Uri.EscapeDataString(value);

    private static JsonSerializerOptions CreateJsonOptions()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web);
        options.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.CamelCase));
        return options;
    }

    private sealed record Problem(string? Code, string? Title, string? Detail, int? Status, Dictionary<string, string[]>? Errors);
}
