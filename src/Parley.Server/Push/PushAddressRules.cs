using System.Buffers.Text;
using System.Net;
using System.Net.Sockets;
using Parley.Server.Http;

namespace Parley.Server.Push;

/// <summary>
/// What a push address may be. A Web Push endpoint is a URL that a user supplies and the server then calls, so it
/// must be <c>https</c> and every address its host resolves to must be public: a user must not make the server
/// call into the operator's own network (request forgery). The check is made when the address is registered and
/// again when each connection is opened (<see cref="PushEndpointGuard"/>), so a name that later resolves to a
/// private address is still refused. <see cref="PushOptions.AllowLoopbackEndpoints"/> lets tests use
/// <c>http://127.0.0.1</c>.
/// </summary>
public static class PushAddressRules
{
    public const int MaxAddressLength = 2048;
    public const int MaxTokenLength = 1024;

    /// <summary>A Web Push endpoint, checked and normalised; the keys of its subscription checked too. Throws a 400 <c>invalid_push_endpoint</c> or <c>validation_failed</c>.</summary>
    public static async Task<Uri> CheckWebEndpointAsync(string? endpoint, string? p256dh, string? auth, bool allowLoopback, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(endpoint)) throw ApiProblem.Invalid("endpoint", "endpoint is required for a web subscription.");
        if (endpoint.Length > MaxAddressLength) throw InvalidEndpoint($"The endpoint must be at most {MaxAddressLength} characters.");
        if (!Uri.TryCreate(endpoint, UriKind.Absolute, out var uri) || !string.IsNullOrEmpty(uri.UserInfo) || !string.IsNullOrEmpty(uri.Fragment))
            throw InvalidEndpoint("The endpoint must be an absolute https URL.");
        var loopbackHttp = allowLoopback && uri.Scheme == Uri.UriSchemeHttp;
        if (uri.Scheme != Uri.UriSchemeHttps && !loopbackHttp) throw InvalidEndpoint("The endpoint must be an https URL.");

        IPAddress[] addresses;
        if (IPAddress.TryParse(uri.IdnHost.Trim('[', ']'), out var literal))
        {
            addresses = [literal];
        }
        else
        {
            try
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                timeout.CancelAfter(TimeSpan.FromSeconds(5));
                addresses = await Dns.GetHostAddressesAsync(uri.IdnHost, timeout.Token);
            }
            catch (Exception e) when (e is SocketException or OperationCanceledException or ArgumentException && !cancellationToken.IsCancellationRequested)
            {
                throw InvalidEndpoint("The endpoint's host cannot be resolved.");
            }
        }
        if (addresses.Length == 0 || !addresses.All(a => IsAllowed(a, allowLoopback)))
            throw InvalidEndpoint(loopbackHttp || allowLoopback
                ? "The endpoint must be on a public address (or the loopback address, as this server allows)."
                : "The endpoint must be on a public address.");
        if (loopbackHttp && !addresses.All(IPAddress.IsLoopback)) throw InvalidEndpoint("Only loopback endpoints may use http.");

        if (!IsKey(p256dh, 65, firstByte: 0x04)) throw ApiProblem.Invalid("keys.p256dh", "keys.p256dh must be the browser's P-256 public key (65 bytes, base64url).");
        if (!IsKey(auth, 16, firstByte: null)) throw ApiProblem.Invalid("keys.auth", "keys.auth must be the subscription's 16-byte auth secret (base64url).");
        return uri;
    }

    /// <summary>An fcm or apns device token: printable ASCII without spaces.</summary>
    public static string CheckToken(string? token)
    {
        if (string.IsNullOrWhiteSpace(token)) throw ApiProblem.Invalid("token", "token is required for an fcm or apns address.");
        if (token.Length > MaxTokenLength || token.Any(c => c is <= ' ' or > '~'))
            throw ApiProblem.Invalid("token", $"token must be at most {MaxTokenLength} printable ASCII characters without spaces.");
        return token;
    }

    /// <summary>Public unicast addresses; loopback too when <paramref name="allowLoopback"/>.</summary>
    public static bool IsAllowed(IPAddress address, bool allowLoopback)
    {
        if (address.IsIPv4MappedToIPv6) address = address.MapToIPv4();
        if (IPAddress.IsLoopback(address)) return allowLoopback;
        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            Span<byte> b = stackalloc byte[4];
            address.TryWriteBytes(b, out _);
            return !(b[0] == 0 || b[0] == 10 || b[0] == 127
                || (b[0] == 100 && (b[1] & 0xC0) == 64)      // 100.64.0.0/10, carrier-grade NAT
                || (b[0] == 169 && b[1] == 254)              // link-local (cloud metadata lives here)
                || (b[0] == 172 && (b[1] & 0xF0) == 16)
                || (b[0] == 192 && b[1] == 168)
                || (b[0] == 192 && b[1] == 0 && b[2] == 0)
                || (b[0] == 198 && (b[1] & 0xFE) == 18)      // 198.18.0.0/15, benchmarking
                || b[0] >= 224);                             // multicast, reserved, broadcast
        }
        if (address.AddressFamily == AddressFamily.InterNetworkV6)
        {
            Span<byte> b = stackalloc byte[16];
            address.TryWriteBytes(b, out _);
            return !(address.Equals(IPAddress.IPv6None)
                || address.IsIPv6LinkLocal || address.IsIPv6SiteLocal || address.IsIPv6Multicast
                || (b[0] & 0xFE) == 0xFC);                   // fc00::/7, unique local
        }
        return false;
    }

    private static bool IsKey(string? text, int length, byte? firstByte)
    {
        if (string.IsNullOrEmpty(text) || text.Length > 128) return false;
        var trimmed = text.AsSpan().TrimEnd('=');
        if (!Base64Url.IsValid(trimmed, out var decodedLength) || decodedLength != length) return false;
        Span<byte> bytes = stackalloc byte[96];
        if (!Base64Url.TryDecodeFromChars(trimmed, bytes, out var written) || written != length) return false;
        return firstByte is not { } first || bytes[0] == first;
    }

    private static ApiProblem InvalidEndpoint(string detail) => ApiProblem.BadRequest("invalid_push_endpoint", detail);
}
