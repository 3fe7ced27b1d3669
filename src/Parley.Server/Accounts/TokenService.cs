using System.Security.Claims;
using System.Security.Cryptography;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Parley.Server.Http;
using Parley.Server.ScaleOut;
using Parley.Server.Storage;

namespace Parley.Server.Accounts;

/// <summary>
/// Issues access tokens (short-lived JWTs naming the user and the session) and refresh tokens (random,
/// stored hashed, single-use). Refreshing rotates the token; presenting a rotated token again means it was
/// stolen, so the whole session is revoked and both the thief and the owner must sign in again.
/// </summary>
public sealed class TokenService(
    ParleyDb db,
    IdGenerator ids,
    ServerKeys keys,
    SessionRevocations revocations,
    IOptions<JwtOptions> options,
    TimeProvider time)
{
    private readonly JwtOptions _options = options.Value;
    private static readonly JsonWebTokenHandler Handler = new();

    /// <summary>Starts a session for a user who just proved who they are. Saves the context's pending changes with it.</summary>
    public async Task<AuthResponse> StartSessionAsync(User user, string? userAgent, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var session = new Session
        {
            Id = ids.Next(),
            UserId = user.Id,
            CreatedAt = now,
            UserAgent = userAgent is { Length: > 256 } ? userAgent[..256] : userAgent,
        };
        db.Sessions.Add(session);
        var (refreshToken, _) = AddRefreshToken(session, now);
        await db.SaveChangesAsync(cancellationToken);
        return Respond(user, session.Id, refreshToken, now);
    }

    public async Task<AuthResponse> RefreshAsync(string presentedToken, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var hash = Hash(presentedToken);
        var token = await db.RefreshTokens.AsNoTracking().FirstOrDefaultAsync(t => t.TokenHash == hash, cancellationToken)
            ?? throw ApiProblem.Unauthorized("invalid_refresh_token", "The refresh token is not valid.");
        // A ban ends the sessions too; the banned user is told why rather than only that the session ended.
        var user = await db.Users.AsNoTracking().FirstAsync(u => u.Id == token.UserId, cancellationToken);
        user.ThrowIfBanned(now);
        var session = await db.Sessions.AsNoTracking().FirstAsync(s => s.Id == token.SessionId, cancellationToken);
        if (session.RevokedAt is not null)
            throw ApiProblem.Unauthorized("session_revoked", "This session has ended; sign in again.");
        if (token.ExpiresAt <= now)
            throw ApiProblem.Unauthorized("refresh_token_expired", "The refresh token has expired; sign in again.");

        // Claim the token with a conditional update, so two concurrent refreshes cannot both succeed.
        var claimed = await db.RefreshTokens
            .Where(t => t.Id == token.Id && t.RotatedAt == null)
            .ExecuteUpdateAsync(t => t.SetProperty(x => x.RotatedAt, now), cancellationToken);
        if (claimed == 0)
        {
            await RevokeSessionAsync(session.Id, "refresh_token_reused", cancellationToken);
            throw ApiProblem.Unauthorized("refresh_token_reused", "This refresh token was already used, so the session has been ended for safety; sign in again.");
        }

        var (refreshToken, _) = AddRefreshToken(session, now);
        await db.SaveChangesAsync(cancellationToken);
        return Respond(user, session.Id, refreshToken, now);
    }

    public async Task RevokeSessionAsync(long sessionId, string reason, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        await db.Sessions.Where(s => s.Id == sessionId && s.RevokedAt == null)
            .ExecuteUpdateAsync(s => s.SetProperty(x => x.RevokedAt, now).SetProperty(x => x.RevokedReason, reason), cancellationToken);
        revocations.Revoked(sessionId);
    }

    /// <summary>Ends every session of the user except <paramref name="keepSessionId"/>.</summary>
    public async Task RevokeOtherSessionsAsync(long userId, long keepSessionId, string reason, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var sessionIds = await db.Sessions.Where(s => s.UserId == userId && s.Id != keepSessionId && s.RevokedAt == null)
            .Select(s => s.Id).ToListAsync(cancellationToken);
        await db.Sessions.Where(s => sessionIds.Contains(s.Id))
            .ExecuteUpdateAsync(s => s.SetProperty(x => x.RevokedAt, now).SetProperty(x => x.RevokedReason, reason), cancellationToken);
        foreach (var id in sessionIds) revocations.Revoked(id);
    }

    /// <summary>Ends every session of the user (a password reset, an erased account); their sockets close on every node.</summary>
    public async Task RevokeAllSessionsAsync(long userId, string reason, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var sessionIds = await db.Sessions.Where(s => s.UserId == userId && s.RevokedAt == null).Select(s => s.Id).ToListAsync(cancellationToken);
        await db.Sessions.Where(s => sessionIds.Contains(s.Id))
            .ExecuteUpdateAsync(s => s.SetProperty(x => x.RevokedAt, now).SetProperty(x => x.RevokedReason, reason), cancellationToken);
        foreach (var id in sessionIds) revocations.Revoked(id);
    }

    internal static string Hash(string token) => Convert.ToHexStringLower(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(token)));

    private (string Token, RefreshToken Entity) AddRefreshToken(Session session, DateTimeOffset now)
    {
        var token = Base64UrlEncoder.Encode(RandomNumberGenerator.GetBytes(32));
        var entity = new RefreshToken
        {
            Id = ids.Next(),
            SessionId = session.Id,
            UserId = session.UserId,
            TokenHash = Hash(token),
            CreatedAt = now,
            ExpiresAt = now + _options.RefreshTokenLifetime,
        };
        db.RefreshTokens.Add(entity);
        return (token, entity);
    }

    private AuthResponse Respond(User user, long sessionId, string refreshToken, DateTimeOffset now)
    {
        var expires = now + _options.AccessTokenLifetime;
        var accessToken = Handler.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = _options.Issuer,
            Audience = _options.Audience,
            IssuedAt = now.UtcDateTime,
            NotBefore = now.UtcDateTime,
            Expires = expires.UtcDateTime,
            Subject = new ClaimsIdentity([new Claim("sub", Ids.Format(user.Id)), new Claim("sid", Ids.Format(sessionId))]),
            SigningCredentials = new SigningCredentials(keys.SigningKey, SecurityAlgorithms.HmacSha256),
        });
        return new AuthResponse(accessToken, expires, refreshToken, UserViews.Own(user));
    }
}

/// <summary>
/// Answers "has this session been revoked?" for every authenticated request without a database read each
/// time: answers are cached for a short while. A revocation on this node takes effect at once; on other
/// nodes at once too when they are scaled out (it is published on the <see cref="IChangeFeed"/>), and
/// otherwise (that publish lost) within <see cref="CacheTime"/>.
/// </summary>
public sealed class SessionRevocations
{
    public static readonly TimeSpan CacheTime = TimeSpan.FromSeconds(30);

    /// <summary>Change-feed topic: a session revoked.</summary>
    public const string Topic = "session.revoked";

    private readonly IMemoryCache cache;
    private readonly IServiceScopeFactory scopes;
    private readonly IChangeFeed feed;
    private readonly BatchedLookup<long, bool> _open;

    public SessionRevocations(IMemoryCache cache, IServiceScopeFactory scopes, IChangeFeed feed)
    {
        this.cache = cache;
        this.scopes = scopes;
        this.feed = feed;
        _open = new BatchedLookup<long, bool>(ReadOpenAsync, absent: false);
        feed.Subscribe(Topic, RevokedElsewhere);
    }

    /// <summary>Raised when a session is revoked, here or on another node, so that this node's open sockets of it can be closed.</summary>
    public event Action<long>? SessionRevoked;

    public void Revoked(long sessionId)
    {
        cache.Set(Key(sessionId), true, CacheTime);
        SessionRevoked?.Invoke(sessionId);
        feed.Publish(Topic, sessionId);
    }

    /// <summary>Another node revoked the session.</summary>
    private void RevokedElsewhere(long sessionId)
    {
        cache.Set(Key(sessionId), true, CacheTime);
        SessionRevoked?.Invoke(sessionId);
    }

    public async ValueTask<bool> IsRevokedAsync(long sessionId, CancellationToken cancellationToken)
    {
        if (cache.TryGetValue(Key(sessionId), out bool revoked)) return revoked;
        revoked = !await _open.GetAsync(sessionId).WaitAsync(cancellationToken);
        // A revocation that landed while this read was under way wins over what the read saw.
        if (!revoked && cache.TryGetValue(Key(sessionId), out bool revokedMeanwhile) && revokedMeanwhile) return true;
        cache.Set(Key(sessionId), revoked, CacheTime);
        return revoked;
    }

    /// <summary>
    /// Which of some sessions are open: every socket's first handshake asks, so a reconnect storm asks thousands of
    /// times a second; compiled once, and read in batches (<see cref="BatchedLookup{TKey,TValue}"/>). Not static: a
    /// compiled query keeps the model of the first context it ran on, and a process may host servers on both providers (tests).
    /// </summary>
    private readonly Func<ParleyDb, long[], IAsyncEnumerable<long>> _openOf = EF.CompileAsyncQuery(
        (ParleyDb db, long[] sessionIds) => db.Sessions.Where(s => sessionIds.Contains(s.Id) && s.RevokedAt == null).Select(s => s.Id));

    private async Task<IReadOnlyDictionary<long, bool>> ReadOpenAsync(IReadOnlyList<long> sessionIds)
    {
        await using var scope = scopes.CreateAsyncScope();
        var open = new Dictionary<long, bool>(sessionIds.Count);
        await foreach (var id in _openOf(scope.ServiceProvider.GetRequiredService<ParleyDb>(), [.. sessionIds])) open[id] = true;
        return open;
    }

    private static string Key(long sessionId) => $"session-revoked:{sessionId}";
}
