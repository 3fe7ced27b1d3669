using Microsoft.Extensions.Options;

namespace Parley.Server.Accounts;

/// <summary>bcrypt (BCrypt.Net-Next), as the seeds use, with the cost from configuration.</summary>
public sealed class Passwords(IOptions<AccountsOptions> options)
{
    // Verified against when the login names no account, so that "no such user" takes as long as "wrong password".
    private readonly Lazy<string> _decoy = new(() => BCrypt.Net.BCrypt.HashPassword("decoy-password", options.Value.BcryptWorkFactor));

    public string Hash(string password) => BCrypt.Net.BCrypt.HashPassword(password, options.Value.BcryptWorkFactor);

    public bool Verify(string password, string? hash)
    {
        if (string.IsNullOrEmpty(hash)) // none, or an account made without a password (platform API): no password opens it
        {
            BCrypt.Net.BCrypt.Verify(password, _decoy.Value);
            return false;
        }
        return BCrypt.Net.BCrypt.Verify(password, hash);
    }
}
