using System.Globalization;
using System.Security.Claims;

namespace Parley.Server.Http;

/// <summary>
/// Ids are 64-bit numbers inside the server and decimal strings on the wire (JavaScript numbers lose
/// precision past 2^53).
/// </summary>
public static class Ids
{
    public static string Format(long id) => id.ToString(CultureInfo.InvariantCulture);

    public static bool TryParse(string? text, out long id) =>
        long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out id) && id > 0;

    /// <summary>Parses an id sent in a body; a malformed one is a validation failure naming the field.</summary>
    public static long Parse(string? text, string field) =>
        TryParse(text, out var id) ? id : throw ApiProblem.Invalid(field, $"'{field}' must be an id: a string of digits.");

    /// <summary>The signed-in user; only called behind RequireAuthorization.</summary>
    public static long UserId(this ClaimsPrincipal user) =>
        long.Parse(user.FindFirstValue("sub") ?? throw new InvalidOperationException("No subject claim."), CultureInfo.InvariantCulture);

    public static long SessionId(this ClaimsPrincipal user) =>
        long.Parse(user.FindFirstValue("sid") ?? throw new InvalidOperationException("No session claim."), CultureInfo.InvariantCulture);
}
