using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Options;

namespace Parley.Server.Calls;

public sealed record IceServer(
    List<string> Urls,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Username = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Credential = null);

public sealed record IceServersResponse(
    List<IceServer> IceServers,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] long? TtlSeconds);

/// <summary>
/// The STUN/TURN servers for <c>GET /api/v1/calls/ice-servers</c>. With <c>Calls:TurnSecret</c> and
/// <c>Calls:TurnUrls</c>, TURN gets short-lived credentials in coturn's REST-API scheme (use-auth-secret):
/// username <c>&lt;unix expiry&gt;:&lt;userId&gt;</c>, credential base64(HMAC-SHA1(secret, username)).
/// </summary>
public sealed class IceServers(IOptions<CallsOptions> options, TimeProvider time)
{
    private readonly CallsOptions _options = options.Value;

    public IceServersResponse For(long userId)
    {
        var servers = new List<IceServer>();
        var plain = Clean(_options.IceServers);
        if (plain.Count > 0) servers.Add(new IceServer(plain));

        var turn = Clean(_options.TurnUrls);
        if (turn.Count == 0 || string.IsNullOrEmpty(_options.TurnSecret)) return new IceServersResponse(servers, null);

        var ttl = (long)Math.Max(60, _options.TurnTtl.TotalSeconds);
        var expires = time.GetUtcNow().ToUnixTimeSeconds() + ttl;
        var username = $"{expires.ToString(CultureInfo.InvariantCulture)}:{userId.ToString(CultureInfo.InvariantCulture)}";
        // HMAC-SHA1 is what coturn's REST-API scheme specifies; HMAC (unlike a bare hash) is not weakened by SHA-1's collisions.
#pragma warning disable CA5350
        var credential = Convert.ToBase64String(HMACSHA1.HashData(Encoding.UTF8.GetBytes(_options.TurnSecret), Encoding.UTF8.GetBytes(username)));
#pragma warning restore CA5350
        servers.Add(new IceServer(turn, username, credential));
        return new IceServersResponse(servers, ttl);
    }

    private static List<string> Clean(List<string>? urls) =>
        urls is null ? [] : [.. urls.Where(u => !string.IsNullOrWhiteSpace(u)).Select(u => u.Trim())];
}
