using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Parley.Server.Platform.ApiKeys;

/// <summary>
/// A key with which the embedding product's back end calls the platform API (<c>/api/v1/admin/*</c>). Made on the
/// server's host (<c>Parley.Server api-key create NAME</c>); only its SHA-256 hash is stored: the key is 32 random
/// bytes, so a fast hash is enough (nothing to brute-force), and the lookup per request stays one indexed read.
/// </summary>
public sealed class ApiKey
{
    public const string Prefix = "pk_";
    public const int MaxNameLength = 64;

    public long Id { get; set; }
    public required string Name { get; set; }
    public required string KeyHash { get; set; }

    /// <summary>The first characters of the key (<c>pk_</c> and 6 more), so that an operator can tell keys apart in a list.</summary>
    public required string Hint { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>A new key: <c>pk_</c> then 32 random bytes in unpadded base64url (43 characters).</summary>
    public static string NewSecret() => Prefix + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32))
        .TrimEnd('=').Replace('+', '-').Replace('/', '_');

    public static string Hash(string key) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));

    /// <summary>Looks like a key: <c>pk_</c> then at least 32 base64url characters. Anything else is not looked up.</summary>
    public static bool IsWellFormed(string token) =>
        token.StartsWith(Prefix, StringComparison.Ordinal) && token.Length >= Prefix.Length + 32 && token.Length <= 200
        && token.AsSpan(Prefix.Length).IndexOfAnyExcept(Base64Url) < 0;

    private static readonly System.Buffers.SearchValues<char> Base64Url =
        System.Buffers.SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_");
}

internal sealed class ApiKeyConfiguration : IEntityTypeConfiguration<ApiKey>
{
    public void Configure(EntityTypeBuilder<ApiKey> key)
    {
        key.ToTable("ApiKeys");
        key.Property(k => k.Id).ValueGeneratedNever();
        key.Property(k => k.Name).HasMaxLength(ApiKey.MaxNameLength);
        key.Property(k => k.KeyHash).HasMaxLength(64);
        key.Property(k => k.Hint).HasMaxLength(16);
        key.HasIndex(k => k.Name).IsUnique();
        key.HasIndex(k => k.KeyHash).IsUnique();
    }
}
