namespace Parley.Server.Accounts;

public sealed class AccountsOptions
{
    public const string Section = "Accounts";

    /// <summary>Region assumed for phone numbers typed without a country code (ISO 3166 alpha-2).</summary>
    public string DefaultPhoneRegion { get; set; } = "CN";

    /// <summary>bcrypt cost: 2^N rounds. 11 takes about 100 ms on one core of a small server.</summary>
    public int BcryptWorkFactor { get; set; } = 11;

    /// <summary>E-mail sign-up needs a code sent to the address.</summary>
    public bool RequireEmailVerification { get; set; } = true;

    public TimeSpan VerificationCodeLifetime { get; set; } = TimeSpan.FromMinutes(10);
    public int VerificationCodeMaxAttempts { get; set; } = 5;

    /// <summary>At most one code per address in this time.</summary>
    public TimeSpan VerificationCodeCooldown { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Failed logins allowed per account in <see cref="LoginFailureWindow"/> before it is refused for the rest of the window.</summary>
    public int LoginFailuresPerAccount { get; set; } = 10;

    public TimeSpan LoginFailureWindow { get; set; } = TimeSpan.FromMinutes(5);
}

public sealed class JwtOptions
{
    public const string Section = "Jwt";
    public string Issuer { get; set; } = "parley";
    public string Audience { get; set; } = "parley";

    /// <summary>Base64 of at least 32 random bytes. When empty, a key is made on first start and kept in the data folder; several nodes must share one.</summary>
    public string? SigningKey { get; set; }

    public TimeSpan AccessTokenLifetime { get; set; } = TimeSpan.FromMinutes(15);
    public TimeSpan RefreshTokenLifetime { get; set; } = TimeSpan.FromDays(30);
}

public sealed class SmtpOptions
{
    public const string Section = "Smtp";

    /// <summary>When empty, e-mail is not sent and codes are written to the server log instead.</summary>
    public string? Host { get; set; }

    public int Port { get; set; } = 587;
    public string? Username { get; set; }
    public string? Password { get; set; }
    public string From { get; set; } = "Parley <no-reply@parley.local>";

    /// <summary><c>Auto</c> (STARTTLS when offered), <c>SslOnConnect</c>, <c>StartTls</c> or <c>None</c>.</summary>
    public string Security { get; set; } = "Auto";
}
