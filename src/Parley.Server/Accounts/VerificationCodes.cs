using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Parley.Server.Http;
using Parley.Server.Storage;

namespace Parley.Server.Accounts;

/// <summary>
/// Six-digit one-time codes that prove an e-mail address. A code expires, works once, dies after a few
/// wrong guesses, and is stored only as an HMAC keyed by the server secret (a plain hash of six digits
/// would be reversed in a millisecond). One code per address per cooldown; the store is the database, so
/// the cooldown holds across nodes.
/// </summary>
public sealed class VerificationCodes(
    ParleyDb db,
    IdGenerator ids,
    ServerKeys keys,
    IEmailSender email,
    IOptions<AccountsOptions> options,
    TimeProvider time)
{
    private readonly AccountsOptions _options = options.Value;

    /// <param name="forPasswordReset">Words the e-mail for a password reset instead of a sign-up. The code is the same kind:
    /// every code in the table was sent to its address, so whichever purpose it was asked for, using it proves the
    /// same thing (that the person reads that mailbox), and one cooldown per address covers both.</param>
    public async Task<VerificationCodeResponse> SendAsync(string address, CancellationToken cancellationToken, bool forPasswordReset = false)
    {
        var now = time.GetUtcNow();
        var last = await db.VerificationCodes.AsNoTracking()
            .Where(c => c.Email == address)
            .OrderByDescending(c => c.CreatedAt)
            .Select(c => (DateTimeOffset?)c.CreatedAt)
            .FirstOrDefaultAsync(cancellationToken);
        if (last is { } sentAt && now - sentAt < _options.VerificationCodeCooldown)
            throw ApiProblem.TooManyRequests("A code was sent to this address a moment ago; wait before asking for another.",
                _options.VerificationCodeCooldown - (now - sentAt));

        var code = RandomNumberGenerator.GetInt32(0, 1_000_000).ToString("D6", System.Globalization.CultureInfo.InvariantCulture);
        var expiresAt = now + _options.VerificationCodeLifetime;
        var entity = new VerificationCode
        {
            Id = ids.Next(),
            Email = address,
            CodeHash = Hash(address, code),
            CreatedAt = now,
            ExpiresAt = expiresAt,
        };
        db.VerificationCodes.Add(entity);
        await db.SaveChangesAsync(cancellationToken);

        try
        {
            var minutes = (int)_options.VerificationCodeLifetime.TotalMinutes;
            if (forPasswordReset)
                await email.SendAsync(address, $"Your Parley password reset code: {code}",
                    $"Your Parley verification code is {code}, to set a new password. It expires in {minutes} minutes. " +
                    "If you did not ask for it, ignore this message: your password stays as it is.", cancellationToken);
            else
                await email.SendAsync(address, $"Your Parley code: {code}",
                    $"Your Parley verification code is {code}. It expires in {minutes} minutes. " +
                    "If you did not ask for it, ignore this message.", cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Not sent, so not counted: the person may ask again at once.
            await db.VerificationCodes.Where(c => c.Id == entity.Id).ExecuteDeleteAsync(CancellationToken.None);
            throw new ApiProblem(StatusCodes.Status503ServiceUnavailable, "email_unavailable",
                "The e-mail could not be sent just now; try again in a moment.");
        }
        return new VerificationCodeResponse(expiresAt, (int)_options.VerificationCodeCooldown.TotalSeconds);
    }

    /// <summary>Uses up the newest live code for the address, or refuses. Saves its own changes.</summary>
    public async Task ConsumeAsync(string address, string? code, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(code))
            throw ApiProblem.Invalid("code", "A verification code is required to sign up with an e-mail address; ask for one at /api/v1/auth/verification-codes.");
        var now = time.GetUtcNow();
        var live = await db.VerificationCodes
            .Where(c => c.Email == address && c.ConsumedAt == null && c.ExpiresAt > now && c.FailedAttempts < _options.VerificationCodeMaxAttempts)
            .OrderByDescending(c => c.CreatedAt)
            .FirstOrDefaultAsync(cancellationToken)
            ?? throw ApiProblem.BadRequest("invalid_code", "The verification code is wrong or has expired.");

        var presented = Encoding.ASCII.GetBytes(Hash(address, code.Trim()));
        if (!CryptographicOperations.FixedTimeEquals(presented, Encoding.ASCII.GetBytes(live.CodeHash)))
        {
            live.FailedAttempts++;
            await db.SaveChangesAsync(cancellationToken);
            throw ApiProblem.BadRequest("invalid_code", "The verification code is wrong or has expired.");
        }

        // Conditional, so that two registrations racing with one code cannot both use it.
        var consumed = await db.VerificationCodes.Where(c => c.Id == live.Id && c.ConsumedAt == null)
            .ExecuteUpdateAsync(c => c.SetProperty(x => x.ConsumedAt, now), cancellationToken);
        if (consumed == 0) throw ApiProblem.BadRequest("invalid_code", "The verification code is wrong or has expired.");
    }

    private string Hash(string address, string code) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(keys.CodeHashingKey, Encoding.UTF8.GetBytes($"{address}\n{code}")));
}
