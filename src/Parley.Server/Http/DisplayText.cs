namespace Parley.Server.Http;

/// <summary>
/// The one rule for names people show each other (nicknames, group names, remarks; file names follow a stricter
/// one of their own): trimmed, and without the bidirectional controls that let a name display as something it is
/// not (U+202E "RIGHT-TO-LEFT OVERRIDE" turns "evil‮gpj.exe" into "evilexe.jpg"). Joiners stay: emoji need them.
/// </summary>
public static class DisplayText
{
    public static string Clean(string text)
    {
        var trimmed = text.Trim();
        if (trimmed.AsSpan().IndexOfAny(BidiControls) < 0) return trimmed;
        return string.Concat(trimmed.Where(c => !BidiControls.Contains(c))).Trim();
    }

    private static readonly System.Buffers.SearchValues<char> BidiControls = System.Buffers.SearchValues.Create(
        "\u061C\u200E\u200F\u202A\u202B\u202C\u202D\u202E\u2066\u2067\u2068\u2069");
}
