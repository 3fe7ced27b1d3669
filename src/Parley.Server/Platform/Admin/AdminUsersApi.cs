using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Parley.Server.Accounts;
using Parley.Server.Http;
using Parley.Server.ScaleOut;
using Parley.Server.Storage;

namespace Parley.Server.Platform.Admin;

/// <summary>The product's users: <c>/api/v1/admin/users</c> (import, look up, mint tokens, ban, erase).</summary>
public static class AdminUsersApi
{
    public static RouteGroupBuilder MapAdminUsersApi(this RouteGroupBuilder admin)
    {
        var users = admin.MapGroup("/users").WithTags("Platform");
        users.MapPost("/", Create).WithSummary("Create (import) a user")
            .WithDescription("No verification code; `externalId` is the product's own id (unique). A user with no password gets in only through minted tokens. `bot: true` may message anyone.");
        users.MapGet("/", FindByExternalId).WithSummary("Look a user up by the product's id")
            .WithDescription("`?externalId=` is required; answers the one user with that id, or 404 `user_not_found`.");
        users.MapGet("/{id}", Get).WithSummary("A user's full profile, with externalId, ban and presence");
        users.MapPost("/{id}/tokens", MintTokens).WithSummary("Sign a user in: a new session's tokens")
            .WithDescription("`403 account_banned` while the user is banned.");
        users.MapPost("/{id}/ban", Ban).WithSummary("Ban a user until a time (or for ever)")
            .WithDescription("Ends every session at once (sockets closed with 1008 on every node); login, refresh and minted tokens answer `403 account_banned` until `until` passes or the ban is lifted.");
        users.MapDelete("/{id}/ban", Unban).WithSummary("Lift a ban");
        users.MapDelete("/{id}", Erase).WithSummary("Erase the account as DELETE /users/me does");
        return admin;
    }

    private static async Task<Created<AdminUserView>> Create(
        CreateUserBody body, ParleyDb db, IdGenerator ids, Passwords passwords, IOptions<AccountsOptions> options, TimeProvider time,
        Webhooks.WebhookOutbox outbox, CancellationToken cancellationToken)
    {
        string? phone = null, email = null, externalId = null;
        if (body.ExternalId is not null)
        {
            externalId = body.ExternalId.Trim();
            if (externalId.Length is 0 or > AccountRules.MaxExternalIdLength || externalId.Any(char.IsControl))
                throw ApiProblem.Invalid("externalId", $"externalId has 1 to {AccountRules.MaxExternalIdLength} characters, none of them control characters.");
        }
        if (!string.IsNullOrWhiteSpace(body.Phone))
            phone = AccountRules.NormalizePhone(body.Phone, options.Value.DefaultPhoneRegion) ?? throw ApiProblem.Invalid("phone", "The phone number is not valid.");
        if (!string.IsNullOrWhiteSpace(body.Email))
            email = AccountRules.NormalizeEmail(body.Email) ?? throw ApiProblem.Invalid("email", "The e-mail address is not valid.");
        if (body.Username is not null && !AccountRules.IsValidUsername(body.Username))
            throw ApiProblem.Invalid("username", "A username has 3 to 32 letters, digits, '_' or '.'.");
        if (body.Password is not null && AccountRules.CheckPassword(body.Password) is { } passwordProblem) throw ApiProblem.Invalid("password", passwordProblem);
        if (AccountRules.CheckNickname(body.Nickname) is { } nicknameProblem) throw ApiProblem.Invalid("nickname", nicknameProblem);
        AuthApi.CheckAvatar(body.Avatar);
        if (body.Sex is { } sex && !Enum.IsDefined(sex)) throw ApiProblem.Invalid("sex", "sex is one of unknown, male or female.");
        var usernameKey = body.Username is null ? null : AccountRules.NormalizeUsername(body.Username);

        await ThrowIfTakenAsync(db, externalId, phone, email, usernameKey, cancellationToken);
        var now = time.GetUtcNow();
        var nickname = DisplayText.Clean(body.Nickname!);
        var user = new User
        {
            Id = ids.Next(),
            ExternalId = externalId,
            Phone = phone,
            Email = email,
            Username = body.Username,
            UsernameNormalized = usernameKey,
            // No password: an empty hash, which no password matches (Passwords.Verify).
            PasswordHash = body.Password is null ? "" : passwords.Hash(body.Password),
            Nickname = nickname,
            NicknameNormalized = nickname.ToLowerInvariant(),
            Avatar = string.IsNullOrWhiteSpace(body.Avatar) ? null : body.Avatar.Trim(),
            Sex = body.Sex ?? Sex.Unknown,
            IsBot = body.Bot ?? false,
            CreatedAt = now,
            UpdatedAt = now,
        };
        db.Users.Add(user);
        // user.created for the webhooks, in the same SaveChanges (one transaction) as the user.
        outbox.Add(db, Webhooks.WebhookEventTypes.UserCreated, user.Id, AdminUserView.Of(user, online: false, now));
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException e) when (DbErrors.IsUniqueViolation(e))
        {
            // Made by someone else between the check and the insert.
            db.ChangeTracker.Clear();
            await ThrowIfTakenAsync(db, externalId, phone, email, usernameKey, cancellationToken);
            throw;
        }
        return TypedResults.Created($"/api/v1/admin/users/{user.Id}", AdminUserView.Of(user, online: false, now));
    }

    private static async Task ThrowIfTakenAsync(
        ParleyDb db, string? externalId, string? phone, string? email, string? usernameKey, CancellationToken cancellationToken)
    {
        if (externalId is not null && await db.Users.AnyAsync(u => u.ExternalId == externalId, cancellationToken))
            throw ApiProblem.Conflict("external_id_taken", "A user with this externalId already exists.");
        await AuthApi.ThrowIfTakenAsync(db, phone, email, usernameKey, exceptUserId: null, cancellationToken);
    }

    private static async Task<Ok<AdminUserView>> Get(string id, ParleyDb db, IPresenceStore presence, TimeProvider time, CancellationToken cancellationToken)
    {
        var userId = Ids.Parse(id, "id");
        var user = await db.Users.AsNoTracking().FirstOrDefaultAsync(u => u.Id == userId, cancellationToken) ?? throw NoSuchUser();
        return TypedResults.Ok(await ViewAsync(user, presence, time, cancellationToken));
    }

    private static async Task<Ok<AdminUserView>> FindByExternalId(
        string? externalId, ParleyDb db, IPresenceStore presence, TimeProvider time, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(externalId)) throw ApiProblem.Invalid("externalId", "Give ?externalId= to look a user up.");
        var key = externalId.Trim();
        var user = await db.Users.AsNoTracking().FirstOrDefaultAsync(u => u.ExternalId == key, cancellationToken) ?? throw NoSuchUser();
        return TypedResults.Ok(await ViewAsync(user, presence, time, cancellationToken));
    }

    private static async Task<Ok<AuthResponse>> MintTokens(string id, ParleyDb db, TokenService tokens, TimeProvider time, CancellationToken cancellationToken)
    {
        var user = await LoadAsync(db, id, cancellationToken);
        user.ThrowIfBanned(time.GetUtcNow());
        return TypedResults.Ok(await tokens.StartSessionAsync(user, "platform", cancellationToken));
    }

    private static async Task<Ok<AdminUserView>> Ban(
        string id, BanBody body, ParleyDb db, TokenService tokens, IPresenceStore presence, TimeProvider time, CancellationToken cancellationToken)
    {
        var user = await LoadAsync(db, id, cancellationToken);
        var now = time.GetUtcNow();
        if (body.Until is { } until && until <= now) throw ApiProblem.Invalid("until", "until must be in the future (leave it out to ban for ever).");
        if (body.Reason is { Length: > AccountRules.MaxBanReasonLength } || body.Reason?.Any(c => char.IsControl(c) && c is not '\n') == true)
            throw ApiProblem.Invalid("reason", $"The reason has at most {AccountRules.MaxBanReasonLength} characters, no control characters.");
        user.BannedAt = now;
        user.BannedUntil = body.Until;
        user.BanReason = string.IsNullOrWhiteSpace(body.Reason) ? null : body.Reason.Trim();
        await db.SaveChangesAsync(cancellationToken);
        // After the ban is stored, so that no new session can start in between: every session ends, here and (through
        // the change feed) on every node, whose sockets of it close with 1008.
        await tokens.RevokeOtherSessionsAsync(user.Id, keepSessionId: 0, "banned", cancellationToken);
        return TypedResults.Ok(await ViewAsync(user, presence, time, cancellationToken));
    }

    private static async Task<Ok<AdminUserView>> Unban(string id, ParleyDb db, IPresenceStore presence, TimeProvider time, CancellationToken cancellationToken)
    {
        var user = await LoadAsync(db, id, cancellationToken);
        user.BannedAt = null;
        user.BannedUntil = null;
        user.BanReason = null;
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.Ok(await ViewAsync(user, presence, time, cancellationToken));
    }

    /// <summary>Erases the account as <c>DELETE /api/v1/users/me</c> does (<see cref="AccountEraser"/>); 404 for an account erased already.</summary>
    private static async Task<IResult> Erase(string id, ParleyDb db, AccountEraser eraser, CancellationToken cancellationToken)
    {
        var user = await LoadAsync(db, id, cancellationToken);
        if (!await eraser.EraseAsync(user.Id, cancellationToken)) throw NoSuchUser();
        return TypedResults.NoContent();
    }

    private static async Task<User> LoadAsync(ParleyDb db, string id, CancellationToken cancellationToken)
    {
        var userId = Ids.Parse(id, "id");
        return await db.Users.FirstOrDefaultAsync(u => u.Id == userId, cancellationToken) ?? throw NoSuchUser();
    }

    private static async Task<AdminUserView> ViewAsync(User user, IPresenceStore presence, TimeProvider time, CancellationToken cancellationToken)
    {
        var online = await presence.OnlineAsync([user.Id], cancellationToken);
        return AdminUserView.Of(user, online.Contains(user.Id), time.GetUtcNow());
    }

    internal static ApiProblem NoSuchUser() => ApiProblem.NotFound("user_not_found", "There is no such user.");
}
