using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;

namespace Parley.Server.Accounts;

/// <summary>
/// Counts failed logins per account (by the normalised login), so that guessing one account's password from
/// many addresses is slowed as much as from one. Successful logins cost nothing. Per node: several nodes
/// multiply the allowance by their number, which is still far below what guessing needs.
/// </summary>
public sealed class LoginThrottle : IDisposable
{
    private readonly PartitionedRateLimiter<string> _failures;

    public LoginThrottle(IOptions<AccountsOptions> options)
    {
        var accounts = options.Value;
        _failures = PartitionedRateLimiter.Create<string, string>(login => RateLimitPartition.GetFixedWindowLimiter(login,
            _ => new FixedWindowRateLimiterOptions
            {
                PermitLimit = Math.Max(1, accounts.LoginFailuresPerAccount),
                Window = accounts.LoginFailureWindow,
                QueueLimit = 0,
            }));
    }

    /// <summary>Null while the account may try again; otherwise how long to wait.</summary>
    public TimeSpan? Blocked(string login)
    {
        using var lease = _failures.AttemptAcquire(login, 0);
        if (lease.IsAcquired) return null;
        return lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.FromMinutes(1);
    }

    public void Failed(string login)
    {
        using var lease = _failures.AttemptAcquire(login, 1);
    }

    public void Dispose() => _failures.Dispose();
}
