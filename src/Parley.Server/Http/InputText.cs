using System.Text;

namespace Parley.Server.Http;

/// <summary>
/// The one check every string from outside passes before a handler sees it: JSON strings in bodies and frames
/// (<see cref="Json.TextConverter"/>), and query and route values (<see cref="UseInputGuard"/>). It refuses what no
/// handler can use and one database cannot even store: NUL, and text that is not valid Unicode (a lone surrogate).
/// </summary>
public static class InputText
{
    public const string NotUnicode = "Text must be valid Unicode (no lone surrogate escapes).";
    public const string HasNul = "Text must not contain the NUL character (\\u0000).";

    /// <summary>Null when the text is acceptable, otherwise why not.</summary>
    public static string? Problem(string text)
    {
        if (text.Contains('\0', StringComparison.Ordinal)) return HasNul;
        return Ascii.IsValid(text) || IsWellFormed(text) ? null : NotUnicode;
    }

    private static bool IsWellFormed(string text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            if (char.IsHighSurrogate(text[i]))
            {
                if (i + 1 >= text.Length || !char.IsLowSurrogate(text[i + 1])) return false;
                i++;
            }
            else if (char.IsLowSurrogate(text[i]))
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>
    /// A JSON string read by hand (a field of free-form JSON: a message's content, a call frame's id), under the same
    /// rule: a 400 <c>validation_failed</c> naming <paramref name="field"/> instead of an exception deep in a handler.
    /// </summary>
    public static string GetString(System.Text.Json.JsonElement value, string field)
    {
        string text;
        try
        {
            text = value.GetString()!;
        }
        catch (InvalidOperationException)
        {
            throw ApiProblem.Invalid(field, $"{field}: {NotUnicode}");
        }
        return Problem(text) is { } problem ? throw ApiProblem.Invalid(field, $"{field}: {problem}") : text;
    }

    /// <summary>Refuses a request whose query or route values fail <see cref="Problem"/> with a 400 <c>validation_failed</c>.</summary>
    public static IApplicationBuilder UseInputGuard(this IApplicationBuilder app) =>
        app.Use((http, next) =>
        {
            foreach (var (key, values) in http.Request.Query)
            {
                if (InputText.Problem(key) is { } keyProblem) throw ApiProblem.Invalid("query", keyProblem);
                foreach (var value in values)
                    if (value is not null && InputText.Problem(value) is { } problem) throw ApiProblem.Invalid(key, problem);
            }
            foreach (var (key, value) in http.Request.RouteValues)
                if (value is string text && InputText.Problem(text) is { } problem) throw ApiProblem.Invalid(key, problem);
            return next(http);
        });
}
