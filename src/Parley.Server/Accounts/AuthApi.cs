using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Parley.Server.Http;
using Parley.Server.Storage;

namespace Parley.Server.Accounts;

/// <summary>Sign-up, sign-in and sessions: <c>/api/v1/auth</c>.</summary>
public static class AuthApi
{
    public static RouteGroupBuilder MapAuthApi(this RouteGroupBuilder api)
    {
        var auth = api.MapGroup("/auth").WithTags("Accounts");
        auth.MapPost("/verification-codes", SendCode).RequireRateLimiting(RateLimits.VerificationCodes);
        auth.MapPost("/register", Register).RequireRateLimiting(RateLimits.Register);
        auth.MapPost("/login", Login).RequireRateLimiting(RateLimits.Login);
        auth.MapPost("/refresh", Refresh).RequireRateLimiting(RateLimits.Login);
        auth.MapPost("/logout", Logout).RequireAuthorization();
        // Asking sends an e-mail, as asking for a verification code does: the same per-address budget.
        auth.MapPost("/password-reset", RequestPasswordReset).RequireRateLimiting(RateLimits.VerificationCodes)
            .WithSummary("Forgot password: e-mails a one-time code to the account's address")
            .WithDescription("Answers 202 whether or not the login names an account (a phone number, an e-mail address or a username). " +
                "The code goes to the account's e-mail address, or to the server log when no SMTP server is configured. One request per login " +
                "per cooldown (429 rate_limited), and a per-client-address limit.");
        // Confirming is guessing a code: the sign-in budget.
        auth.MapPost("/password-reset/confirm", ConfirmPasswordReset).RequireRateLimiting(RateLimits.Login)
            .WithSummary("Sets a new password with the e-mailed code and ends every session of the account")
            .WithDescription("400 invalid_code for a wrong, used or expired code (a code dies after a few wrong guesses). Every refresh token of " +
                "the account stops working and its open sockets close; sign in again with the new password.");
        return api;
    }

    private static async Task<Ok<VerificationCodeResponse>> SendCode(
        VerificationCodeRequest request, ParleyDb db, VerificationCodes codes, CancellationToken cancellationToken)
    {
        var email = AccountRules.NormalizeEmail(request.Email) ?? throw ApiProblem.Invalid("email", "A valid e-mail address is required.");
        if (await db.Users.AnyAsync(u => u.Email == email, cancellationToken))
            throw ApiProblem.Conflict("email_taken", "An account with this e-mail address already exists.");
        return TypedResults.Ok(await codes.SendAsync(email, cancellationToken));
    }

    private static async Task<Created<AuthResponse>> Register(
        RegisterRequest request, HttpContext http, ParleyDb db, IdGenerator ids, Passwords passwords,
        VerificationCodes codes, TokenService tokens, IOptions<AccountsOptions> options, TimeProvider time, IAccountOutbox accountOutbox,
        CancellationToken cancellationToken)
    {
        var accounts = options.Value;
        string? phone = null, email = null;
        if (!string.IsNullOrWhiteSpace(request.Phone))
            phone = AccountRules.NormalizePhone(request.Phone, accounts.DefaultPhoneRegion)
                ?? throw ApiProblem.Invalid("phone", "The phone number is not valid.");
        if (!string.IsNullOrWhiteSpace(request.Email))
            email = AccountRules.NormalizeEmail(request.Email) ?? throw ApiProblem.Invalid("email", "The e-mail address is not valid.");
        if (phone is null && email is null)
            throw ApiProblem.Invalid("phone", "A phone number or an e-mail address is required.");
        if (request.Username is not null && !AccountRules.IsValidUsername(request.Username))
            throw ApiProblem.Invalid("username", "A username has 3 to 32 letters, digits, '_' or '.'.");
        if (AccountRules.CheckPassword(request.Password) is { } passwordProblem) throw ApiProblem.Invalid("password", passwordProblem);
        if (AccountRules.CheckNickname(request.Nickname) is { } nicknameProblem) throw ApiProblem.Invalid("nickname", nicknameProblem);
        CheckAvatar(request.Avatar);
        if (request.Sex is { } sex && !Enum.IsDefined(sex)) throw ApiProblem.Invalid("sex", "sex is one of unknown, male or female.");
        var username = request.Username;
        var usernameKey = username is null ? null : AccountRules.NormalizeUsername(username);

        await ThrowIfTakenAsync(db, phone, email, usernameKey, exceptUserId: null, cancellationToken);
        if (email is not null && accounts.RequireEmailVerification && string.IsNullOrWhiteSpace(request.Code))
            throw ApiProblem.Invalid("code", "A verification code is required to sign up with an e-mail address; ask for one at /api/v1/auth/verification-codes.");
        // Hashing is slow on purpose: do it before the transaction, which on SQLite holds the write lock.
        var passwordHash = passwords.Hash(request.Password!);

        // Outside the transaction: a wrong guess must be counted even though the registration fails.
        if (email is not null && accounts.RequireEmailVerification)
            await codes.ConsumeAsync(email, request.Code, cancellationToken);

        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var now = time.GetUtcNow();
        var nickname = DisplayText.Clean(request.Nickname!);
        var user = new User
        {
            Id = ids.Next(),
            Phone = phone,
            Email = email,
            Username = username,
            UsernameNormalized = usernameKey,
            PasswordHash = passwordHash,
            Nickname = nickname,
            NicknameNormalized = nickname.ToLowerInvariant(),
            Avatar = string.IsNullOrWhiteSpace(request.Avatar) ? null : request.Avatar.Trim(),
            Sex = request.Sex ?? Sex.Unknown,
            CreatedAt = now,
            UpdatedAt = now,
        };
        db.Users.Add(user);
        accountOutbox.Created(db, user);
        try
        {
            var response = await tokens.StartSessionAsync(user, UserAgent(http), cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            return TypedResults.Created($"/api/v1/users/{user.Id}", response);
        }
        catch (DbUpdateException e) when (DbErrors.IsUniqueViolation(e))
        {
            // Someone registered the same phone, e-mail or username between our check and our insert.
            await transaction.RollbackAsync(cancellationToken);
            db.ChangeTracker.Clear();
            await ThrowIfTakenAsync(db, phone, email, usernameKey, exceptUserId: null, cancellationToken);
            throw;
        }
    }

    private static async Task<Ok<AuthResponse>> Login(
        LoginRequest request, HttpContext http, ParleyDb db, Passwords passwords, TokenService tokens,
        LoginThrottle throttle, IOptions<AccountsOptions> options, TimeProvider time, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(request.Login)) throw ApiProblem.Invalid("login", "A phone number, e-mail address or username is required.");
        if (string.IsNullOrEmpty(request.Password)) throw ApiProblem.Invalid("password", "The password is required.");

        var login = LoginName.Parse(request.Login, options.Value.DefaultPhoneRegion);
        var throttleKey = login.ThrottleKey;
        if (await throttle.BlockedAsync(throttleKey) is { } wait)
            throw ApiProblem.TooManyRequests("Too many failed sign-ins for this account; try again later.", wait);

        var user = await login.FindAsync(db, cancellationToken);

        // Counted per account too: the same account typed as its phone, e-mail or username shares one allowance.
        if (user is not null && await throttle.BlockedAsync(user.Id) is { } accountWait)
            throw ApiProblem.TooManyRequests("Too many failed sign-ins for this account; try again later.", accountWait);
        if (!passwords.Verify(request.Password, user?.PasswordHash) || user is null)
        {
            await throttle.FailedAsync(throttleKey, user?.Id);
            throw ApiProblem.Unauthorized("invalid_credentials", "The login or the password is wrong.");
        }
        user.ThrowIfBanned(time.GetUtcNow());
        return TypedResults.Ok(await tokens.StartSessionAsync(user, UserAgent(http), cancellationToken));
    }

    private static async Task<Accepted> RequestPasswordReset(PasswordResetRequest request, PasswordReset reset, CancellationToken cancellationToken)
    {
        await reset.RequestAsync(request.Login, cancellationToken);
        return TypedResults.Accepted((string?)null);
    }

    private static async Task<NoContent> ConfirmPasswordReset(PasswordResetConfirmRequest request, PasswordReset reset, CancellationToken cancellationToken)
    {
        await reset.ConfirmAsync(request.Login, request.Code, request.NewPassword, cancellationToken);
        return TypedResults.NoContent();
    }

    private static async Task<Ok<AuthResponse>> Refresh(RefreshRequest request, TokenService tokens, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(request.RefreshToken)) throw ApiProblem.Invalid("refreshToken", "The refresh token is required.");
        return TypedResults.Ok(await tokens.RefreshAsync(request.RefreshToken, cancellationToken));
    }

    private static async Task<NoContent> Logout(HttpContext http, TokenService tokens, CancellationToken cancellationToken)
    {
        await tokens.RevokeSessionAsync(http.User.SessionId(), "logout", cancellationToken);
        return TypedResults.NoContent();
    }

    internal static void CheckAvatar(string? avatar)
    {
        if (avatar is { Length: > AccountRules.MaxAvatarLength })
            throw ApiProblem.Invalid("avatar", $"The avatar must be at most {AccountRules.MaxAvatarLength} characters.");
    }

    internal static async Task ThrowIfTakenAsync(
        ParleyDb db, string? phone, string? email, string? usernameKey, long? exceptUserId, CancellationToken cancellationToken)
    {
        if (phone is not null && await db.Users.AnyAsync(u => u.Phone == phone && u.Id != exceptUserId, cancellationToken))
            throw ApiProblem.Conflict("phone_taken", "An account with this phone number already exists.");
        if (email is not null && await db.Users.AnyAsync(u => u.Email == email && u.Id != exceptUserId, cancellationToken))
            throw ApiProblem.Conflict("email_taken", "An account with this e-mail address already exists.");
        if (usernameKey is not null && await db.Users.AnyAsync(u => u.UsernameNormalized == usernameKey && u.Id != exceptUserId, cancellationToken))
            throw ApiProblem.Conflict("username_taken", "This username is taken.");
    }

    private static string? UserAgent(HttpContext http) => http.Request.Headers.UserAgent.ToString() is { Length: > 0 } agent ? agent : null;
}
