using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Parley.Server.Accounts;

public enum Sex
{
    Unknown = 0,
    Male = 1,
    Female = 2,
}

public sealed class User
{
    public long Id { get; set; }

    /// <summary>E.164, e.g. <c>+8613800138000</c>; unique when present.</summary>
    public string? Phone { get; set; }

    /// <summary>Trimmed and lower-cased; unique when present.</summary>
    public string? Email { get; set; }

    /// <summary>The handle as the user typed it.</summary>
    public string? Username { get; set; }

    /// <summary>Lower-cased <see cref="Username"/>: handles are unique without regard to case.</summary>
    public string? UsernameNormalized { get; set; }

    public required string PasswordHash { get; set; }
    public required string Nickname { get; set; }

    /// <summary>Lower-cased <see cref="Nickname"/>, so that fuzzy search is case-insensitive on both databases.</summary>
    public required string NicknameNormalized { get; set; }

    public string? Avatar { get; set; }
    public Sex Sex { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }

    /// <summary>
    /// Set when the account was erased (<see cref="AccountEraser"/>): the row stays, emptied, so that the messages it
    /// sent are still attributed to someone (<see cref="AccountEraser.DeletedNickname"/>, no avatar).
    /// </summary>
    public DateTimeOffset? DeletedAt { get; set; }

    /// <summary>The embedding product's own id for this user (the platform API's <c>externalId</c>); unique when present.</summary>
    public string? ExternalId { get; set; }

    /// <summary>A bot (or shop, or notification account) made through the platform API: it may message anyone, friends or not.</summary>
    public bool IsBot { get; set; }

    /// <summary>Set while the account is banned (see <see cref="IsBanned"/>); <see cref="BannedUntil"/> null means for ever.</summary>
    public DateTimeOffset? BannedAt { get; set; }

    public DateTimeOffset? BannedUntil { get; set; }

    /// <summary>Why, as the product gave it (for its own moderators; never shown to other users).</summary>
    public string? BanReason { get; set; }

    /// <summary>
    /// Banned now: a ban whose end has passed no longer counts, without anyone having to lift it (so <c>until</c> is
    /// honoured without a restart or a sweeper).
    /// </summary>
    public bool IsBanned(DateTimeOffset now) => BannedAt is not null && (BannedUntil is null || BannedUntil > now);

    /// <summary>Refuses with <c>403 account_banned</c> while <see cref="IsBanned"/>.</summary>
    public void ThrowIfBanned(DateTimeOffset now)
    {
        if (IsBanned(now))
            throw Http.ApiProblem.Forbidden("account_banned", BannedUntil is { } until
                ? $"This account is banned until {until.UtcDateTime:yyyy-MM-ddTHH:mm:ss.fffZ}."
                : "This account is banned.");
    }
}

internal sealed class UserConfiguration : IEntityTypeConfiguration<User>
{
    public void Configure(EntityTypeBuilder<User> user)
    {
        user.ToTable("Users");
        user.Property(u => u.Id).ValueGeneratedNever();
        user.Property(u => u.Phone).HasMaxLength(AccountRules.MaxPhoneLength);
        user.Property(u => u.Email).HasMaxLength(AccountRules.MaxEmailLength);
        user.Property(u => u.Username).HasMaxLength(AccountRules.MaxUsernameLength);
        user.Property(u => u.UsernameNormalized).HasMaxLength(AccountRules.MaxUsernameLength);
        user.Property(u => u.PasswordHash).HasMaxLength(100);
        user.Property(u => u.Nickname).HasMaxLength(AccountRules.MaxNicknameLength);
        user.Property(u => u.NicknameNormalized).HasMaxLength(AccountRules.MaxNicknameLength);
        user.Property(u => u.Avatar).HasMaxLength(AccountRules.MaxAvatarLength);
        user.HasIndex(u => u.Phone).IsUnique();
        user.HasIndex(u => u.Email).IsUnique();
        user.HasIndex(u => u.UsernameNormalized).IsUnique();
        user.HasIndex(u => u.NicknameNormalized);
        user.Property(u => u.ExternalId).HasMaxLength(AccountRules.MaxExternalIdLength);
        user.HasIndex(u => u.ExternalId).IsUnique();
        user.Property(u => u.BanReason).HasMaxLength(AccountRules.MaxBanReasonLength);
    }
}
