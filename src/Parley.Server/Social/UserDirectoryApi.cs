using System.Globalization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Parley.Server.Accounts;
using Parley.Server.Http;
using Parley.Server.Storage;

namespace Parley.Server.Social;

/// <summary>
/// Other people: a profile by id and people search (<c>/api/v1/users/{id}</c>, <c>/api/v1/users?query=</c>), each
/// person with whether they are the caller's friend. (The caller's own profile is Accounts' <c>UsersApi</c>.)
/// </summary>
public static class UserDirectoryApi
{
    public const int MaxSearchLimit = 100;
    public const int MaxIdsPerLookup = 200;

    public static RouteGroupBuilder MapUserDirectoryApi(this RouteGroupBuilder api)
    {
        var users = api.MapGroup("/users").WithTags("Accounts").RequireAuthorization();
        users.MapGet("/{id}", GetUser);
        users.MapGet("/", Search);
        return api;
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
    private static BucketRule ExactLookups(RateLimitOptions limits) =>
        BucketRule.Per("exact-lookups", limits.ExactLookupsPerHour, TimeSpan.FromHours(1)) with { Lease = 1 };

    private static async Task<Ok<List<UserProfile>>> Search(
        HttpContext http, ParleyDb db, IOptions<AccountsOptions> options, IOptions<RateLimitOptions> limits, IRateBuckets buckets,
        CancellationToken cancellationToken,
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
            // A query that is a phone number or an e-mail address asks whether someone has an account with it: few
            // an hour per user, so that numbers cannot be enumerated (a nickname search is not counted).
            if ((phone != none || email != none) && !await buckets.TryTakeAsync(ExactLookups(limits.Value), me.ToString(CultureInfo.InvariantCulture)))
                throw ApiProblem.TooManyRequests("Too many searches by phone number or e-mail address; try again later.", ExactLookups(limits.Value).OneToken);
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
