using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Parley.Server.Http;
using Parley.Server.Storage;

namespace Parley.Server.Accounts;

/// <summary>Profiles and people search: <c>/api/v1/users</c>.</summary>
public static class UsersApi
{
    public const int MaxSearchLimit = 100;
    public const int MaxIdsPerLookup = 200;

    public static RouteGroupBuilder MapUsersApi(this RouteGroupBuilder api)
    {
        var users = api.MapGroup("/users").WithTags("Accounts").RequireAuthorization();
        users.MapGet("/me", GetMe);
        users.MapPatch("/me", UpdateMe);
        users.MapGet("/{id}", GetUser);
        users.MapGet("/", Search);
        return api;
    }

    private static async Task<Ok<OwnProfile>> GetMe(HttpContext http, ParleyDb db, CancellationToken cancellationToken)
    {
        var user = await db.Users.AsNoTracking().FirstOrDefaultAsync(u => u.Id == http.User.UserId(), cancellationToken)
            ?? throw ApiProblem.NotFound("user_not_found", "This account no longer exists.");
        return TypedResults.Ok(UserViews.Own(user));
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
            user.Nickname = request.Nickname.Trim();
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

    private static async Task<Ok<UserProfile>> GetUser(string id, HttpContext http, ParleyDb db, CancellationToken cancellationToken)
    {
        if (!Ids.TryParse(id, out var userId)) throw ApiProblem.NotFound("user_not_found", "There is no such user.");
        var me = http.User.UserId();
        var user = await db.Users.AsNoTracking().FirstOrDefaultAsync(u => u.Id == userId, cancellationToken)
            ?? throw ApiProblem.NotFound("user_not_found", "There is no such user.");
        var isFriend = await db.Friendships.AnyAsync(f => f.UserId == me && f.FriendId == userId, cancellationToken);
        return TypedResults.Ok(UserViews.Public(user, isFriend));
    }

    /// <summary>
    /// <c>query</c> matches a nickname fuzzily (contains, without case) or a phone number, e-mail address or
    /// username exactly; <c>ids</c> is a comma-separated list. Exact matches come first. Paged by <c>limit</c> and <c>offset</c>.
    /// </summary>
    private static async Task<Ok<List<UserProfile>>> Search(
        HttpContext http, ParleyDb db, IOptions<AccountsOptions> options, CancellationToken cancellationToken,
        string? query = null, string? ids = null, int limit = 20, int offset = 0)
    {
        if (limit is < 1 or > MaxSearchLimit) throw ApiProblem.Invalid("limit", $"limit must be between 1 and {MaxSearchLimit}.");
        if (offset < 0) throw ApiProblem.Invalid("offset", "offset must not be negative.");
        var me = http.User.UserId();

        IQueryable<User> matches;
        if (!string.IsNullOrWhiteSpace(ids))
        {
            var idList = new List<long>();
            foreach (var part in ids.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                idList.Add(Ids.Parse(part, "ids"));
            if (idList.Count > MaxIdsPerLookup) throw ApiProblem.Invalid("ids", $"At most {MaxIdsPerLookup} ids at a time.");
            matches = db.Users.Where(u => idList.Contains(u.Id)).OrderBy(u => u.Id);
        }
        else if (!string.IsNullOrWhiteSpace(query))
        {
            var text = query.Trim();
            if (text.Length > 100) throw ApiProblem.Invalid("query", "The query must be at most 100 characters.");
            // Absent forms become "", which no row holds, so that "Email = null" never matches the many rows without one.
            const string none = "";
            var phone = AccountRules.NormalizePhone(text, options.Value.DefaultPhoneRegion) ?? none;
            var email = AccountRules.NormalizeEmail(text) ?? none;
            var usernameKey = text.ToLowerInvariant();
            var pattern = "%" + EscapeLike(text.ToLowerInvariant()) + "%";
            matches = db.Users
                .Where(u => u.Phone == phone || u.Email == email || u.UsernameNormalized == usernameKey
                    || EF.Functions.Like(u.NicknameNormalized, pattern, "\\"))
                .OrderBy(u => u.Phone == phone || u.Email == email || u.UsernameNormalized == usernameKey ? 0 : 1)
                .ThenBy(u => u.NicknameNormalized.Length)
                .ThenBy(u => u.Id);
        }
        else
        {
            throw ApiProblem.Invalid("query", "Give 'query' (a nickname, phone number, e-mail or username) or 'ids'.");
        }

        var page = await matches.AsNoTracking().Skip(offset).Take(limit).ToListAsync(cancellationToken);
        var pageIds = page.Select(u => u.Id).ToList();
        var friends = (await db.Friendships.Where(f => f.UserId == me && pageIds.Contains(f.FriendId))
            .Select(f => f.FriendId).ToListAsync(cancellationToken)).ToHashSet();
        return TypedResults.Ok(page.Select(u => UserViews.Public(u, friends.Contains(u.Id))).ToList());
    }

    private static string EscapeLike(string text) =>
        text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("%", "\\%", StringComparison.Ordinal).Replace("_", "\\_", StringComparison.Ordinal);
}
