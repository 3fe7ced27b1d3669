using System.Net.Mail;
using System.Text.RegularExpressions;
using Parley.Server.Http;
using PhoneNumbers;

namespace Parley.Server.Accounts;

/// <summary>
/// How phone numbers, e-mail addresses, usernames and passwords are checked and put into the one form
/// that is stored and compared. Registration, login and search all go through here, so
/// "+86 138-0013-8000" and "13800138000" find the same account.
/// </summary>
public static partial class AccountRules
{
    public const int MaxPhoneLength = 20;
    public const int MaxEmailLength = 254;
    public const int MinUsernameLength = 3;
    public const int MaxUsernameLength = 32;
    public const int MaxNicknameLength = 64;
    public const int MaxAvatarLength = 1024;
    public const int MinPasswordLength = 8;
    public const int MaxExternalIdLength = 128;
    public const int MaxBanReasonLength = 500;

    /// <summary>bcrypt reads only the first 72 bytes; longer passwords are refused rather than silently cut.</summary>
    public const int MaxPasswordBytes = 72;

    private static readonly PhoneNumberUtil Phones = PhoneNumberUtil.GetInstance();

    /// <summary>The number in E.164 form, or null when it is not a possible phone number.</summary>
    /// <param name="input">As typed: with or without <c>+</c>, spaces, dashes or brackets.</param>
    /// <param name="defaultRegion">The region assumed for a number without a country code (ISO 3166, e.g. <c>CN</c>).</param>
    public static string? NormalizePhone(string? input, string defaultRegion)
    {
        if (string.IsNullOrWhiteSpace(input) || input.Length > 32) return null;
        var trimmed = input.Trim();
        if (!PhoneCharacters().IsMatch(trimmed)) return null;
        try
        {
            var number = Phones.Parse(trimmed, defaultRegion);
            // "Possible" (right length for its country) rather than "valid" (a range in use today):
            // numbering plans change faster than the library, and a wrong refusal locks a person out.
            if (!Phones.IsPossibleNumber(number)) return null;
            return Phones.Format(number, PhoneNumberFormat.E164);
        }
        catch (NumberParseException)
        {
            return null;
        }
    }

    /// <summary>The address trimmed and lower-cased, or null when it is not a plain <c>local@domain</c> address.</summary>
    public static string? NormalizeEmail(string? input)
    {
        if (string.IsNullOrWhiteSpace(input)) return null;
        var trimmed = input.Trim();
        if (trimmed.Length > MaxEmailLength || !EmailShape().IsMatch(trimmed)) return null;
        if (!MailAddress.TryCreate(trimmed, out var address) || address.Address != trimmed) return null;
        return trimmed.ToLowerInvariant();
    }

    public static bool IsValidUsername(string? username) =>
        username is not null && UsernameShape().IsMatch(username);

    public static string NormalizeUsername(string username) => username.ToLowerInvariant();

    /// <summary>Null when the password is acceptable, otherwise why not.</summary>
    public static string? CheckPassword(string? password)
    {
        if (string.IsNullOrEmpty(password)) return "The password is required.";
        if (password.Length < MinPasswordLength) return $"The password must have at least {MinPasswordLength} characters.";
        if (System.Text.Encoding.UTF8.GetByteCount(password) > MaxPasswordBytes)
            return $"The password must be at most {MaxPasswordBytes} bytes long.";
        return null;
    }

    /// <summary>Null when the nickname is acceptable, otherwise why not.</summary>
    public static string? CheckNickname(string? nickname)
    {
        if (string.IsNullOrWhiteSpace(nickname) || DisplayText.Clean(nickname).Length == 0) return "The nickname is required.";
        if (DisplayText.Clean(nickname).Length > MaxNicknameLength) return $"The nickname must be at most {MaxNicknameLength} characters.";
        if (nickname.Any(char.IsControl)) return "The nickname must not contain control characters.";
        return null;
    }

    [GeneratedRegex(@"^\+?[0-9 ()\-.]{3,32}$")]
    private static partial Regex PhoneCharacters();

    [GeneratedRegex(@"^[^@\s]{1,64}@[^@\s]+\.[^@\s]+$")]
    private static partial Regex EmailShape();

    [GeneratedRegex(@"^[A-Za-z0-9_.]{3,32}$")]
    private static partial Regex UsernameShape();
}
