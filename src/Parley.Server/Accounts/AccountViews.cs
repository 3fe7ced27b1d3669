using Parley.Server.Http;

namespace Parley.Server.Accounts;

public sealed record AuthResponse(string AccessToken, DateTimeOffset ExpiresAt, string RefreshToken, OwnProfile User);

/// <summary>What a user sees of themselves.</summary>
public sealed record OwnProfile(
    string Id, string? Phone, string? Email, string? Username, string Nickname, string? Avatar, Sex Sex, DateTimeOffset CreatedAt);

/// <summary>What others see of a user: phone and e-mail only when they are friends.</summary>
public sealed record UserProfile(
    string Id, string? Username, string Nickname, string? Avatar, Sex Sex, bool IsFriend, string? Phone, string? Email);

public static class UserViews
{
    public static OwnProfile Own(User user) =>
        new(Ids.Format(user.Id), user.Phone, user.Email, user.Username, user.Nickname, user.Avatar, user.Sex, user.CreatedAt);

    public static UserProfile Public(User user, bool isFriend) =>
        new(Ids.Format(user.Id), user.Username, user.Nickname, user.Avatar, user.Sex, isFriend,
            isFriend ? user.Phone : null, isFriend ? user.Email : null);
}

public sealed record RegisterRequest(
    string? Phone, string? Email, string? Username, string? Password, string? Nickname, string? Avatar, Sex? Sex, string? Code);

public sealed record LoginRequest(string? Login, string? Password);

public sealed record RefreshRequest(string? RefreshToken);

public sealed record VerificationCodeRequest(string? Email);

public sealed record DeleteAccountRequest(string? Password);

public sealed record PasswordResetRequest(string? Login);

public sealed record PasswordResetConfirmRequest(string? Login, string? Code, string? NewPassword);

public sealed record VerificationCodeResponse(DateTimeOffset ExpiresAt, int RetryAfterSeconds);

public sealed record UpdateProfileRequest(
    string? Nickname, string? Username, string? Avatar, Sex? Sex, string? Password, string? OldPassword);
