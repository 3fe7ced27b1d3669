using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.ModelBinding;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Parley.Server.Http;
using Parley.Server.Storage;

namespace Parley.Server.Accounts;

/// <summary>
/// The signed-in user's own profile: <c>/api/v1/users/me</c>. Other people's profiles and the search, which say
/// whether each is a friend, are Social's (<c>UserDirectoryApi</c>).
/// </summary>
public static class UsersApi
{
    public static RouteGroupBuilder MapUsersApi(this RouteGroupBuilder api)
    {
        var users = api.MapGroup("/users").WithTags("Accounts").RequireAuthorization();
        users.MapGet("/me", GetMe);
        users.MapPatch("/me", UpdateMe);
        users.MapDelete("/me", DeleteMe)
            .WithSummary("Erases my account")
            .WithDescription("Body {password}. Profile, phone, e-mail, username, contacts, blocks, requests and sessions go at once (open sockets " +
                "close); the account leaves its groups (an owner's group passes to its oldest admin, else its oldest member, else is dissolved); " +
                "its messages stay in the others' history, sent by \"Deleted account\" (no avatar). Its phone, e-mail and username can be used " +
                "again. 403 wrong_password.");
        return api;
    }

    private static async Task<Ok<OwnProfile>> GetMe(HttpContext http, ParleyDb db, CancellationToken cancellationToken)
    {
        var user = await db.Users.AsNoTracking().FirstOrDefaultAsync(u => u.Id == http.User.UserId(), cancellationToken)
            ?? throw ApiProblem.NotFound("user_not_found", "This account no longer exists.");
        return TypedResults.Ok(UserViews.Own(user));
    }

    private static async Task<NoContent> DeleteMe(
        [FromBody(EmptyBodyBehavior = EmptyBodyBehavior.Allow)] DeleteAccountRequest? request, HttpContext http, AccountEraser eraser,
        Passwords passwords, CancellationToken cancellationToken)
    {
        await eraser.EraseOwnAsync(http.User.UserId(), request?.Password, passwords, cancellationToken);
        return TypedResults.NoContent();
    }

    private static async Task<Ok<OwnProfile>> UpdateMe(
        UpdateProfileRequest request, HttpContext http, ParleyDb db, Passwords passwords, TokenService tokens,
        TimeProvider time, CancellationToken cancellationToken)
    {
        var userId = http.User.UserId();
        var user = await db.Users.FirstOrDefaultAsync(u => u.Id == userId, cancellationToken)
            ?? throw ApiProblem.NotFound("user_not_found", "This account no longer exists.");

        if (request.Nickname is not null)
        {
            if (AccountRules.CheckNickname(request.Nickname) is { } problem) throw ApiProblem.Invalid("nickname", problem);
            user.Nickname = DisplayText.Clean(request.Nickname);
            user.NicknameNormalized = user.Nickname.ToLowerInvariant();
        }
        if (request.Username is not null)
        {
            if (!AccountRules.IsValidUsername(request.Username))
                throw ApiProblem.Invalid("username", "A username has 3 to 32 letters, digits, '_' or '.'.");
            var key = AccountRules.NormalizeUsername(request.Username);
            await AuthApi.ThrowIfTakenAsync(db, null, null, key, userId, cancellationToken);
            user.Username = request.Username;
            user.UsernameNormalized = key;
        }
        if (request.Avatar is not null)
        {
            AuthApi.CheckAvatar(request.Avatar);
            user.Avatar = request.Avatar.Length == 0 ? null : request.Avatar.Trim();
        }
        if (request.Sex is { } sex)
        {
            if (!Enum.IsDefined(sex)) throw ApiProblem.Invalid("sex", "sex is one of unknown, male or female.");
            user.Sex = sex;
        }
        var passwordChanged = false;
        if (request.Password is not null)
        {
            if (AccountRules.CheckPassword(request.Password) is { } problem) throw ApiProblem.Invalid("password", problem);
            if (string.IsNullOrEmpty(request.OldPassword))
                throw ApiProblem.Invalid("oldPassword", "Changing the password needs the current one in 'oldPassword'.");
            if (!passwords.Verify(request.OldPassword, user.PasswordHash))
                throw ApiProblem.Forbidden("wrong_password", "The current password is wrong.");
            user.PasswordHash = passwords.Hash(request.Password);
            passwordChanged = true;
        }
        user.UpdatedAt = time.GetUtcNow();

        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException e) when (DbErrors.IsUniqueViolation(e))
        {
            throw ApiProblem.Conflict("username_taken", "This username is taken.");
        }
        if (passwordChanged)
            await tokens.RevokeOtherSessionsAsync(userId, http.User.SessionId(), "password_changed", cancellationToken);
        return TypedResults.Ok(UserViews.Own(user));
    }
}
