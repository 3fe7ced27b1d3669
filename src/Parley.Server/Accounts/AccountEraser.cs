using Microsoft.EntityFrameworkCore;
using Parley.Server.Http;
using Parley.Server.Storage;

namespace Parley.Server.Accounts;

/// <summary>
/// One feature's share of erasing an account: its rows about the user, removed inside the erasure's transaction on
/// the erasure's <see cref="ParleyDb"/>. Features above Accounts (contacts, groups, messages) implement it, so that
/// Accounts need not know them; they run in the order they were registered.
/// </summary>
public interface IAccountErasure
{
    /// <summary>Removes the feature's rows about <paramref name="userId"/>; returns what to announce once the erasure has committed, or null.</summary>
    Task<Func<Task>?> EraseAsync(ParleyDb db, long userId, DateTimeOffset now, CancellationToken cancellationToken);
}

/// <summary>
/// Erases an account (API.md, "Account recovery, deletion and export"; <c>DELETE /api/v1/users/me</c>, and the
/// platform API's <c>DELETE /api/v1/admin/users/{id}</c>): in one transaction, every feature's rows about the user
/// (<see cref="IAccountErasure"/>: contacts, blocks, requests, groups handed on or dissolved, per-user message state),
/// the sessions, and the profile, which stays as an empty row named <see cref="DeletedNickname"/> so that the
/// messages the account sent keep a sender. Its phone, e-mail and username are free at once. After commit, every
/// session is revoked on every node (their sockets close) and the features announce what changed (friends lost,
/// groups left or handed on), as for the same change made by hand.
/// </summary>
public sealed partial class AccountEraser(
    ParleyDb db,
    IEnumerable<IAccountErasure> parts,
    SessionRevocations revocations,
    TimeProvider time,
    ILogger<AccountEraser> logger)
{
    /// <summary>What an erased account is called wherever its messages still show.</summary>
    public const string DeletedNickname = "Deleted account";

    /// <summary>Erases the account; false when there is no such account, or it was erased already.</summary>
    public async Task<bool> EraseAsync(long userId, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var announcements = new List<Func<Task>>();
        List<long> sessionIds;
        await using (var transaction = await db.Database.BeginTransactionAsync(cancellationToken))
        {
            var user = await db.Users.FirstOrDefaultAsync(u => u.Id == userId && u.DeletedAt == null, cancellationToken);
            if (user is null) return false;

            foreach (var part in parts)
                if (await part.EraseAsync(db, userId, now, cancellationToken) is { } announce) announcements.Add(announce);

            sessionIds = await db.Sessions.Where(s => s.UserId == userId).Select(s => s.Id).ToListAsync(cancellationToken);
            await db.RefreshTokens.Where(t => t.UserId == userId).ExecuteDeleteAsync(cancellationToken);
            await db.Sessions.Where(s => s.UserId == userId).ExecuteDeleteAsync(cancellationToken);
            if (user.Email is { } email) await db.VerificationCodes.Where(c => c.Email == email).ExecuteDeleteAsync(cancellationToken);

            user.Phone = null;
            user.Email = null;
            user.Username = null;
            // The embedding product's id for the person is free too (the platform API's externalId).
            user.ExternalId = null;
            user.UsernameNormalized = null;
            // No password verifies against an empty hash, and no login names the account any more.
            user.PasswordHash = "";
            user.Nickname = DeletedNickname;
            // Empty: a nickname search never finds erased accounts.
            user.NicknameNormalized = "";
            user.Avatar = null;
            user.Sex = Sex.Unknown;
            user.DeletedAt = now;
            user.UpdatedAt = now;
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }

        // The rows are gone, so these sessions are refused everywhere already; this closes their sockets at once.
        foreach (var sessionId in sessionIds) revocations.Revoked(sessionId);
        foreach (var announce in announcements)
        {
            try
            {
                await announce();
            }
            catch (Exception e)
            {
                // The erasure stands; a lost announcement is as any lost event (the lists over HTTP are the truth).
                LogAnnouncementFailed(logger, e, userId);
            }
        }
        return true;
    }

    /// <summary>The signed-in user erases their own account, proving it with their password.</summary>
    public async Task EraseOwnAsync(long userId, string? password, Passwords passwords, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(password)) throw ApiProblem.Invalid("password", "Deleting the account needs its password in 'password'.");
        var hash = await db.Users.AsNoTracking().Where(u => u.Id == userId && u.DeletedAt == null).Select(u => u.PasswordHash).FirstOrDefaultAsync(cancellationToken)
            ?? throw ApiProblem.NotFound("user_not_found", "This account no longer exists.");
        if (!passwords.Verify(password, hash)) throw ApiProblem.Forbidden("wrong_password", "The password is wrong.");
        if (!await EraseAsync(userId, cancellationToken)) throw ApiProblem.NotFound("user_not_found", "This account no longer exists.");
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "An announcement of the erasure of user {UserId} failed")]
    private static partial void LogAnnouncementFailed(ILogger logger, Exception exception, long userId);
}
