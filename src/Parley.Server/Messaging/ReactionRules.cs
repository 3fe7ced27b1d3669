using System.Globalization;
using System.Text;
using Parley.Server.Http;

namespace Parley.Server.Messaging;

/// <summary>What counts as a reaction: one emoji-like grapheme, bounded in length, and at most 20 distinct ones per message.</summary>
public static class ReactionRules
{
    /// <summary>UTF-16 units: enough for the longest standard emoji (family and flag sequences with modifiers).</summary>
    public const int MaxEmojiLength = 32;

    public const int MaxDistinctPerMessage = 20;

    /// <summary>
    /// The emoji as given (route values arrive URL-decoded), or a 400: a single grapheme cluster whose first code
    /// point is a symbol (So: pictographs, regional-indicator flags, ©), or a keycap (<c>#</c>, <c>*</c> or a digit
    /// followed by U+20E3). Letters, digits, punctuation, spaces and controls are refused.
    /// </summary>
    public static string Check(string? emoji)
    {
        if (string.IsNullOrEmpty(emoji) || emoji.Length > MaxEmojiLength)
            throw Invalid();
        if (new StringInfo(emoji).LengthInTextElements != 1) throw Invalid();
        if (Rune.DecodeFromUtf16(emoji, out var first, out _) != System.Buffers.OperationStatus.Done) throw Invalid();
        var keycap = emoji.Contains('\u20E3', StringComparison.Ordinal) && (first.Value is '#' or '*' || Rune.IsDigit(first));
        if (!keycap && Rune.GetUnicodeCategory(first) != UnicodeCategory.OtherSymbol) throw Invalid();
        foreach (var rune in emoji.EnumerateRunes())
        {
            if (Rune.IsControl(rune) || Rune.IsWhiteSpace(rune)) throw Invalid();
        }
        return emoji;
    }

    private static ApiProblem Invalid() =>
        ApiProblem.Invalid("emoji", $"emoji must be one emoji (a single grapheme of at most {MaxEmojiLength} UTF-16 units), URL-encoded in the path.");
}
