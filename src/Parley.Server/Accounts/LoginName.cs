using Microsoft.EntityFrameworkCore;
using Parley.Server.Storage;

namespace Parley.Server.Accounts;

/// <summary>
/// A login as people type it (a phone number, an e-mail address or a username), read once: the forms it could be
/// and the one key that counts attempts against it, whatever the spelling.
/// </summary>
public sealed record LoginName(string? Email, string? Phone, string? UsernameKey, string ThrottleKey)
{
    public static LoginName Parse(string login, string defaultPhoneRegion)
    {
        var trimmed = login.Trim();
        var email = trimmed.Contains('@', StringComparison.Ordinal) ? AccountRules.NormalizeEmail(trimmed) : null;
        var phone = email is null ? AccountRules.NormalizePhone(trimmed, defaultPhoneRegion) : null;
        var usernameKey = AccountRules.IsValidUsername(trimmed) ? AccountRules.NormalizeUsername(trimmed) : null;
        return new LoginName(email, phone, usernameKey, email ?? phone ?? usernameKey ?? trimmed.ToLowerInvariant());
    }

    /// <summary>The account this login names (e-mail, then phone, then username), tracked for changes; null when none.</summary>
    public async Task<User?> FindAsync(ParleyDb db, CancellationToken cancellationToken)
    {
        User? user = null;
        if (Email is not null) user = await db.Users.FirstOrDefaultAsync(u => u.Email == Email, cancellationToken);
        if (user is null && Phone is not null) user = await db.Users.FirstOrDefaultAsync(u => u.Phone == Phone, cancellationToken);
        if (user is null && UsernameKey is not null) user = await db.Users.FirstOrDefaultAsync(u => u.UsernameNormalized == UsernameKey, cancellationToken);
        return user;
    }
}
