using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Parley.Server.Accounts;

/// <summary>A one-time code e-mailed to prove an address. Only a keyed hash of the code is stored.</summary>
public sealed class VerificationCode
{
    public long Id { get; set; }
    public required string Email { get; set; }
    public required string CodeHash { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset ExpiresAt { get; set; }
    public DateTimeOffset? ConsumedAt { get; set; }

    /// <summary>Wrong guesses so far; the code dies after <see cref="AccountsOptions.VerificationCodeMaxAttempts"/>.</summary>
    public int FailedAttempts { get; set; }
}

internal sealed class VerificationCodeConfiguration : IEntityTypeConfiguration<VerificationCode>
{
    public void Configure(EntityTypeBuilder<VerificationCode> code)
    {
        code.ToTable("VerificationCodes");
        code.Property(c => c.Id).ValueGeneratedNever();
        code.Property(c => c.Email).HasMaxLength(AccountRules.MaxEmailLength);
        code.Property(c => c.CodeHash).HasMaxLength(64);
        code.HasIndex(c => new { c.Email, c.CreatedAt });
    }
}
