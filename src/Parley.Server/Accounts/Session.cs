using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Parley.Server.Accounts;

/// <summary>
/// One signed-in device. Every access token carries its session id (<c>sid</c>), and every refresh token
/// belongs to one session: the session is the refresh-token family. Revoking the session logs the device out.
/// </summary>
public sealed class Session
{
    public long Id { get; set; }
    public long UserId { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? RevokedAt { get; set; }
    public string? RevokedReason { get; set; }
    public string? UserAgent { get; set; }
}

/// <summary>A refresh token, stored only as its SHA-256 hash. It is used once: refreshing rotates it.</summary>
public sealed class RefreshToken
{
    public long Id { get; set; }
    public long SessionId { get; set; }
    public long UserId { get; set; }
    public required string TokenHash { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset ExpiresAt { get; set; }

    /// <summary>Set when the token was exchanged for a new one; presenting it again means it leaked.</summary>
    public DateTimeOffset? RotatedAt { get; set; }
}

internal sealed class SessionConfiguration : IEntityTypeConfiguration<Session>
{
    public void Configure(EntityTypeBuilder<Session> session)
    {
        session.ToTable("Sessions");
        session.Property(s => s.Id).ValueGeneratedNever();
        session.Property(s => s.RevokedReason).HasMaxLength(32);
        session.Property(s => s.UserAgent).HasMaxLength(256);
        session.HasIndex(s => s.UserId);
        session.HasOne<User>().WithMany().HasForeignKey(s => s.UserId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class RefreshTokenConfiguration : IEntityTypeConfiguration<RefreshToken>
{
    public void Configure(EntityTypeBuilder<RefreshToken> token)
    {
        token.ToTable("RefreshTokens");
        token.Property(t => t.Id).ValueGeneratedNever();
        token.Property(t => t.TokenHash).HasMaxLength(64);
        token.HasIndex(t => t.TokenHash).IsUnique();
        token.HasIndex(t => t.SessionId);
        token.HasOne<Session>().WithMany().HasForeignKey(t => t.SessionId).OnDelete(DeleteBehavior.Cascade);
    }
}
