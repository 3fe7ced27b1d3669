using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Parley.Server.Accounts;

namespace Parley.Server.Realtime.Handshake;

/// <summary>
/// Checks a handshake's token as the bearer handler does for every other request (the same validation parameters, the
/// same session check), without building a request or a principal: a directly upgraded socket needs only its ids.
/// </summary>
public sealed class HandshakeTokens(IOptionsMonitor<JwtBearerOptions> bearer, SessionRevocations revocations)
{
    private readonly JsonWebTokenHandler _handler = new() { MapInboundClaims = false };

    /// <summary>The user and session of a valid token whose session is still open; null otherwise.</summary>
    public async ValueTask<(long UserId, long SessionId)?> ValidateAsync(string token, CancellationToken cancellationToken)
    {
        var parameters = bearer.Get(JwtBearerDefaults.AuthenticationScheme).TokenValidationParameters;
        var result = await _handler.ValidateTokenAsync(token, parameters);
        if (!result.IsValid || !TryId(result.Claims, "sub", out var userId) || !TryId(result.Claims, "sid", out var sessionId)) return null;
        if (await revocations.IsRevokedAsync(sessionId, cancellationToken)) return null;
        return (userId, sessionId);
    }

    private static bool TryId(IDictionary<string, object> claims, string name, out long id)
    {
        id = 0;
        return claims.TryGetValue(name, out var value)
            && long.TryParse(value?.ToString(), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out id);
    }
}
