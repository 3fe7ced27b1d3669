namespace Parley.Client;

public enum Sex
{
    Unknown,
    Male,
    Female,
}

public sealed record RegisterRequest
{
    public string? Phone { get; init; }
    public string? Email { get; init; }
    public string? Username { get; init; }
    public required string Password { get; init; }
    public required string Nickname { get; init; }
    public string? Avatar { get; init; }
    public Sex? Sex { get; init; }

    /// <summary>The e-mailed code, for sign-up by e-mail.</summary>
    public string? Code { get; init; }
}

public sealed record UpdateProfileRequest
{
    public string? Nickname { get; init; }
    public string? Username { get; init; }
    public string? Avatar { get; init; }
    public Sex? Sex { get; init; }
    public string? Password { get; init; }
    public string? OldPassword { get; init; }
}

public sealed record AuthResponse(string AccessToken, DateTimeOffset ExpiresAt, string RefreshToken, OwnProfile User);

public sealed record OwnProfile(
    string Id, string? Phone, string? Email, string? Username, string Nickname, string? Avatar, Sex Sex, DateTimeOffset CreatedAt);

public sealed record UserProfile(
    string Id, string? Username, string Nickname, string? Avatar, Sex Sex, bool IsFriend, string? Phone, string? Email);

public sealed record VerificationCodeResponse(DateTimeOffset ExpiresAt, int RetryAfterSeconds);
