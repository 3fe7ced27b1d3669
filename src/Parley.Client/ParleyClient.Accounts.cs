namespace Parley.Client;

public sealed partial class ParleyClient
{
    public Task<VerificationCodeResponse> RequestVerificationCodeAsync(string email, CancellationToken cancellationToken = default) =>
        SendAsync<VerificationCodeResponse>(HttpMethod.Post, "api/v1/auth/verification-codes", new { email }, cancellationToken, authenticated: false);

    /// <summary>Creates an account and signs in as it.</summary>
    public async Task<AuthResponse> RegisterAsync(RegisterRequest request, CancellationToken cancellationToken = default) =>
        Session = await SendAsync<AuthResponse>(HttpMethod.Post, "api/v1/auth/register", request, cancellationToken, authenticated: false).ConfigureAwait(false);

    /// <param name="login">A phone number, e-mail address or username.</param>
    public async Task<AuthResponse> LoginAsync(string login, string password, CancellationToken cancellationToken = default) =>
        Session = await SendAsync<AuthResponse>(HttpMethod.Post, "api/v1/auth/login", new { login, password }, cancellationToken, authenticated: false)
            .ConfigureAwait(false);

    /// <summary>Exchanges the refresh token (this session's, unless another is given) for a new pair.</summary>
    public async Task<AuthResponse> RefreshAsync(string? refreshToken = null, CancellationToken cancellationToken = default)
    {
        var token = refreshToken ?? Session?.RefreshToken ?? throw new InvalidOperationException("No refresh token.");
        return Session = await SendAsync<AuthResponse>(HttpMethod.Post, "api/v1/auth/refresh", new { refreshToken = token }, cancellationToken,
            authenticated: false).ConfigureAwait(false);
    }

    public Task LogoutAsync(CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Post, "api/v1/auth/logout", null, cancellationToken);

    /// <summary>Forgot password: asks for a code e-mailed to the account's address (the server answers the same whether or not the account exists).</summary>
    /// <param name="login">A phone number, e-mail address or username.</param>
    public Task RequestPasswordResetAsync(string login, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Post, "api/v1/auth/password-reset", new { login }, cancellationToken, authenticated: false);

    /// <summary>Sets a new password with the e-mailed code; every session of the account ends (sign in again).</summary>
    public Task ConfirmPasswordResetAsync(string login, string code, string newPassword, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Post, "api/v1/auth/password-reset/confirm", new { login, code, newPassword }, cancellationToken, authenticated: false);

    /// <summary>Erases the account (API.md, "Account recovery, deletion and export"); this client's session ends with it.</summary>
    public Task DeleteAccountAsync(string password, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Delete, "api/v1/users/me", new { password }, cancellationToken);

    /// <summary>Everything the server holds about me, as one JSON document, streamed: the caller reads and disposes the stream.</summary>
    public async Task<Stream> ExportAsync(CancellationToken cancellationToken = default)
    {
        using var request = BuildRequest(HttpMethod.Get, "api/v1/users/me/export", null, authenticated: true);
        var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        try
        {
            await ThrowIfFailedAsync(response, cancellationToken).ConfigureAwait(false);
            return await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            response.Dispose();
            throw;
        }
    }

    public Task<OwnProfile> GetMeAsync(CancellationToken cancellationToken = default) =>
        SendAsync<OwnProfile>(HttpMethod.Get, "api/v1/users/me", null, cancellationToken);

    public Task<OwnProfile> UpdateMeAsync(UpdateProfileRequest request, CancellationToken cancellationToken = default) =>
        SendAsync<OwnProfile>(HttpMethod.Patch, "api/v1/users/me", request, cancellationToken);

    public Task<UserProfile> GetUserAsync(string userId, CancellationToken cancellationToken = default) =>
        SendAsync<UserProfile>(HttpMethod.Get, $"api/v1/users/{Escape(userId)}", null, cancellationToken);

    /// <summary>By nickname (fuzzy), exact phone, e-mail or username; or by a list of ids.</summary>
    public Task<List<UserProfile>> SearchUsersAsync(string? query = null, IEnumerable<string>? ids = null, int? limit = null, int? offset = null,
        CancellationToken cancellationToken = default)
    {
        var parameters = new List<string>();
        if (query is not null) parameters.Add($"query={Escape(query)}");
        if (ids is not null) parameters.Add($"ids={Escape(string.Join(',', ids))}");
        if (limit is not null) parameters.Add($"limit={limit}");
        if (offset is not null) parameters.Add($"offset={offset}");
        return SendAsync<List<UserProfile>>(HttpMethod.Get, "api/v1/users?" + string.Join('&', parameters), null, cancellationToken);
    }
}
