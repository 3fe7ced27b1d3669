using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;
using Parley.Server.Http;
using Parley.Server.Storage;

namespace Parley.Server.Accounts;

/// <summary>
/// "I forgot my password": a one-time code e-mailed to the account's address (the same codes as sign-up's
/// verification, <see cref="VerificationCodes"/>: keyed hashes, expiring, single use, a few wrong guesses), then a new
/// password that ends every session of the account, its open sockets included.
/// <para>Whether an account exists is not told: asking answers the same for every login, and the per-address limit
/// below counts logins, not accounts. Sending costs a little more time for a real account; that small difference is
/// accepted.</para>
/// </summary>
public sealed partial class PasswordReset(
    ParleyDb db,
    VerificationCodes codes,
    Passwords passwords,
    TokenService tokens,
    IMemoryCache cache,
    IOptions<AccountsOptions> options,
    TimeProvider time,
    ILogger<PasswordReset> logger)
{
    private readonly AccountsOptions _options = options.Value;

    /// <summary>
    /// E-mails a code when the login names an account with an e-mail address; does nothing otherwise. One request per
    /// login per cooldown, whether or not an account exists (this node's count; the code table's own cooldown holds
    /// across nodes for real accounts, and is kept silent so that it tells nothing either).
    /// </summary>
    public async Task RequestAsync(string? login, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(login) || login.Length > AccountRules.MaxEmailLength)
            throw ApiProblem.Invalid("login", "A phone number, e-mail address or username is required.");
        var parsed = LoginName.Parse(login, _options.DefaultPhoneRegion);
        var throttleKey = $"password-reset:{parsed.ThrottleKey}";
        var now = time.GetUtcNow();
        if (cache.TryGetValue(throttleKey, out DateTimeOffset askedAt) && now - askedAt < _options.VerificationCodeCooldown)
            throw ApiProblem.TooManyRequests("A code was asked for this login a moment ago; wait before asking for another.",
                _options.VerificationCodeCooldown - (now - askedAt));
        cache.Set(throttleKey, now, _options.VerificationCodeCooldown);

        var user = await parsed.FindAsync(db, cancellationToken);
        if (user?.Email is not { } address) return;
        try
        {
            await codes.SendAsync(address, cancellationToken, forPasswordReset: true);
        }
        catch (ApiProblem problem) when (problem.Status is StatusCodes.Status429TooManyRequests or StatusCodes.Status503ServiceUnavailable)
        {
            // Telling the caller would tell them the account exists.
            LogNotSent(logger, user.Id, problem.Code);
        }
    }

    /// <summary>Sets the new password if the code is right, and ends every session of the account.</summary>
    public async Task ConfirmAsync(string? login, string? code, string? newPassword, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(login) || login.Length > AccountRules.MaxEmailLength)
            throw ApiProblem.Invalid("login", "A phone number, e-mail address or username is required.");
        if (string.IsNullOrWhiteSpace(code)) throw ApiProblem.Invalid("code", "The code from the e-mail is required.");
        if (AccountRules.CheckPassword(newPassword) is { } problem) throw ApiProblem.Invalid("newPassword", problem);

        var user = await LoginName.Parse(login, _options.DefaultPhoneRegion).FindAsync(db, cancellationToken);
        if (user?.Email is not { } address) throw ApiProblem.BadRequest("invalid_code", "The verification code is wrong or has expired.");
        // Hashing is slow on purpose; the code is checked first so that wrong guesses cost the server little.
        await codes.ConsumeAsync(address, code, cancellationToken);
        user.PasswordHash = passwords.Hash(newPassword!);
        user.UpdatedAt = time.GetUtcNow();
        await db.SaveChangesAsync(cancellationToken);
        // Every session, so that whoever knew the old password (or holds a stolen token) is out; sockets close with them.
        await tokens.RevokeAllSessionsAsync(user.Id, "password_reset", cancellationToken);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Password reset code for user {UserId} not sent ({Code})")]
    private static partial void LogNotSent(ILogger logger, long userId, string code);
}
