using System.Net.Http.Headers;
using System.Net.Http.Json;

namespace Parley.Client;

/// <summary>
/// The platform API for a product's back end (<c>/api/v1/admin/*</c>), with an API key made on the server's host by
/// <c>Parley.Server api-key create NAME</c>. Thread-safe. Failures throw <see cref="ParleyApiException"/> with the
/// problem's <c>code</c>, as <see cref="ParleyClient"/> does.
/// </summary>
public sealed class ParleyAdminClient : IDisposable
{
    private readonly HttpClient _http;
    private readonly bool _ownsHttp;
    private readonly AuthenticationHeaderValue _key;

    /// <param name="baseAddress">The server, e.g. <c>https://chat.example.com/</c>.</param>
    /// <param name="apiKey">The key, <c>pk_…</c>: keep it on the back end, never in an app.</param>
    public ParleyAdminClient(Uri baseAddress, string apiKey)
        : this(new HttpClient { BaseAddress = baseAddress }, apiKey, ownsHttp: true)
    {
    }

    /// <param name="http">An HttpClient whose BaseAddress is the server; it is not disposed with this client.</param>
    public ParleyAdminClient(HttpClient http, string apiKey)
        : this(http, apiKey, ownsHttp: false)
    {
    }

    private ParleyAdminClient(HttpClient http, string apiKey, bool ownsHttp)
    {
        _http = http;
        _ownsHttp = ownsHttp;
        _key = new AuthenticationHeaderValue("Bearer", apiKey);
    }

    public void Dispose()
    {
        if (_ownsHttp) _http.Dispose();
    }

    public Task<AdminUserView> CreateUserAsync(CreateUserRequest request, CancellationToken cancellationToken = default) =>
        SendAsync<AdminUserView>(HttpMethod.Post, "api/v1/admin/users", request, cancellationToken);

    public Task<AdminUserView> GetUserAsync(string userId, CancellationToken cancellationToken = default) =>
        SendAsync<AdminUserView>(HttpMethod.Get, $"api/v1/admin/users/{Escape(userId)}", null, cancellationToken);

    /// <summary>The user with the product's id <paramref name="externalId"/>; <c>404 user_not_found</c> when there is none.</summary>
    public Task<AdminUserView> GetUserByExternalIdAsync(string externalId, CancellationToken cancellationToken = default) =>
        SendAsync<AdminUserView>(HttpMethod.Get, $"api/v1/admin/users?externalId={Escape(externalId)}", null, cancellationToken);

    /// <summary>A new session for the user: hand its tokens to the user's app (see <see cref="ParleyClient.UseSession"/>).</summary>
    public Task<AuthResponse> MintTokensAsync(string userId, CancellationToken cancellationToken = default) =>
        SendAsync<AuthResponse>(HttpMethod.Post, $"api/v1/admin/users/{Escape(userId)}/tokens", null, cancellationToken);

    /// <summary>Ends the user's sessions at once; they cannot sign in until <paramref name="until"/> (null: until <see cref="UnbanAsync"/>).</summary>
    public Task<AdminUserView> BanAsync(string userId, DateTimeOffset? until = null, string? reason = null, CancellationToken cancellationToken = default) =>
        SendAsync<AdminUserView>(HttpMethod.Post, $"api/v1/admin/users/{Escape(userId)}/ban", new { until, reason }, cancellationToken);

    public Task<AdminUserView> UnbanAsync(string userId, CancellationToken cancellationToken = default) =>
        SendAsync<AdminUserView>(HttpMethod.Delete, $"api/v1/admin/users/{Escape(userId)}/ban", null, cancellationToken);

    public async Task DeleteUserAsync(string userId, CancellationToken cancellationToken = default)
    {
        using var response = await SendRawAsync(HttpMethod.Delete, $"api/v1/admin/users/{Escape(userId)}", null, cancellationToken).ConfigureAwait(false);
        await ParleyClient.ThrowIfFailedAsync(response, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Makes two users friends with no request (both get <c>friend.added</c>).</summary>
    public Task<FriendshipView> MakeFriendsAsync(string userId, string friendId, CancellationToken cancellationToken = default) =>
        SendAsync<FriendshipView>(HttpMethod.Post, "api/v1/admin/friendships", new { userId, friendId }, cancellationToken);

    /// <summary>A group owned by <paramref name="ownerId"/>, with members who need not be the owner's friends.</summary>
    public Task<GroupView> CreateGroupAsync(string ownerId, string name, IEnumerable<string> memberIds, CancellationToken cancellationToken = default) =>
        SendAsync<GroupView>(HttpMethod.Post, "api/v1/admin/groups", new { ownerId, name, memberIds }, cancellationToken);

    public Task<InviteResult> AddGroupMembersAsync(string groupId, IEnumerable<string> userIds, CancellationToken cancellationToken = default) =>
        SendAsync<InviteResult>(HttpMethod.Post, $"api/v1/admin/groups/{Escape(groupId)}/members", new { userIds }, cancellationToken);

    /// <summary>Sends as a user or bot, with the same ack (and the same idempotency by clientMsgId) as a user's send.</summary>
    public Task<MessageAck> SendMessageAsync(AdminMessageRequest request, CancellationToken cancellationToken = default) =>
        SendAsync<MessageAck>(HttpMethod.Post, "api/v1/admin/messages", request, cancellationToken);

    /// <summary>
    /// An announcement into each recipient's read-only system conversation (every user when <paramref name="userIds"/> is
    /// null), delivered live as <c>msg.new</c>; sent in the background, so this answers at once.
    /// </summary>
    public Task<BroadcastAccepted> BroadcastAsync(string content, IEnumerable<string>? userIds = null, CancellationToken cancellationToken = default) =>
        SendAsync<BroadcastAccepted>(HttpMethod.Post, "api/v1/admin/broadcasts",
            userIds is null ? new { content } : new { content, userIds = userIds.ToList() }, cancellationToken);

    /// <summary>Users, online users, connections, the last 24 hours' messages and the nodes, over the whole cluster.</summary>
    public Task<StatsView> GetStatsAsync(CancellationToken cancellationToken = default) =>
        SendAsync<StatsView>(HttpMethod.Get, "api/v1/admin/stats", null, cancellationToken);

    public Task<WebhookView> CreateWebhookAsync(CreateWebhookRequest request, CancellationToken cancellationToken = default) =>
        SendAsync<WebhookView>(HttpMethod.Post, "api/v1/admin/webhooks", request, cancellationToken);

    public Task<List<WebhookView>> GetWebhooksAsync(CancellationToken cancellationToken = default) =>
        SendAsync<List<WebhookView>>(HttpMethod.Get, "api/v1/admin/webhooks", null, cancellationToken);

    public async Task DeleteWebhookAsync(string webhookId, CancellationToken cancellationToken = default)
    {
        using var response = await SendRawAsync(HttpMethod.Delete, $"api/v1/admin/webhooks/{Escape(webhookId)}", null, cancellationToken).ConfigureAwait(false);
        await ParleyClient.ThrowIfFailedAsync(response, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The raw answer, for callers that read status codes themselves.</summary>
    public async Task<HttpResponseMessage> SendRawAsync(HttpMethod method, string path, object? body = null, CancellationToken cancellationToken = default)
    {
        using var request = new HttpRequestMessage(method, path.TrimStart('/'));
        if (body is not null) request.Content = JsonContent.Create(body, body.GetType(), options: ParleyClient.JsonOptions);
        request.Headers.Authorization = _key;
        return await _http.SendAsync(request, cancellationToken).ConfigureAwait(false);
    }

    private async Task<T> SendAsync<T>(HttpMethod method, string path, object? body, CancellationToken cancellationToken)
    {
        using var response = await SendRawAsync(method, path, body, cancellationToken).ConfigureAwait(false);
        await ParleyClient.ThrowIfFailedAsync(response, cancellationToken).ConfigureAwait(false);
        return await response.Content.ReadFromJsonAsync<T>(ParleyClient.JsonOptions, cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidOperationException($"{method} {path} answered with an empty body.");
    }

    private static string Escape(string value) => Uri.EscapeDataString(value);
}
