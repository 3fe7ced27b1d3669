using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Parley.Client;

/// <summary>For a product's webhook endpoint: checks that a POST came from Parley and is fresh.</summary>
public static class ParleyWebhooks
{
    /// <summary>
    /// True when <paramref name="signatureHeader"/> (<c>Parley-Signature: t=…,v1=…</c>) is the HMAC-SHA256 of
    /// <c>"t.body"</c> keyed with <paramref name="secret"/>, and <c>t</c> is within <paramref name="tolerance"/> (default 5
    /// minutes) of now, so that a captured request cannot be replayed later. Pass the raw body exactly as received.
    /// </summary>
    public static bool VerifySignature(string secret, string? signatureHeader, string rawBody, TimeSpan? tolerance = null, DateTimeOffset? now = null)
    {
        if (string.IsNullOrEmpty(signatureHeader)) return false;
        string? t = null;
        var candidates = new List<string>();
        foreach (var part in signatureHeader.Split(','))
        {
            var pair = part.Trim().Split('=', 2);
            if (pair.Length != 2) continue;
            if (pair[0] == "t") t = pair[1];
            else if (pair[0] == "v1") candidates.Add(pair[1]);
        }
        if (t is null || !long.TryParse(t, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)) return false;
        var age = (now ?? DateTimeOffset.UtcNow) - DateTimeOffset.FromUnixTimeSeconds(seconds);
        if (age.Duration() > (tolerance ?? TimeSpan.FromMinutes(5))) return false;
        var expected = Encoding.ASCII.GetBytes(Convert.ToHexStringLower(
            HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes($"{t}.{rawBody}"))));
        return candidates.Any(c => CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(c), expected));
    }
}
