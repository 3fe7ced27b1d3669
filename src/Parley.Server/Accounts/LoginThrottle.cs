using Microsoft.Extensions.Options;
using Parley.Server.Http;

namespace Parley.Server.Accounts;

/// <summary>
/// Counts failed logins twice: per typed identifier (the normalised login, known before the database is asked) and
/// per account (whichever of its phone, e-mail or username was typed), so that locking an account's phone number
/// does not leave its username open to guessing. Guessing from many addresses is slowed as much as from one.
/// Successful logins cost nothing. <c>Accounts:LoginFailuresPerAccount</c> failures are allowed per
/// <c>Accounts:LoginFailureWindow</c>, refilled evenly over the window; shared by the nodes with Redis
/// (<see cref="IRateBuckets"/>).
/// </summary>
public sealed class LoginThrottle(IRateBuckets buckets, IOptions<AccountsOptions> options)
{
    private readonly BucketRule _failures = BucketRule.Per("login-failures",
        options.Value.LoginFailuresPerAccount, options.Value.LoginFailureWindow);

    /// <summary>Null while the identifier (or account) may try again; otherwise how long to wait.</summary>
    public async ValueTask<TimeSpan?> BlockedAsync(string identifier) =>
        await buckets.IsEmptyAsync(_failures, "login:" + identifier) ? _failures.OneToken : null;

    /// <summary>Null while the account may try again, whatever identifier was typed; otherwise how long to wait.</summary>
    public async ValueTask<TimeSpan?> BlockedAsync(long userId) =>
        await buckets.IsEmptyAsync(_failures, "account:" + userId) ? _failures.OneToken : null;

    public async ValueTask FailedAsync(string identifier, long? userId)
    {
        await buckets.TryTakeAsync(_failures, "login:" + identifier);
        if (userId is { } id) await buckets.TryTakeAsync(_failures, "account:" + id);
    }
}
