using System.Globalization;
using System.Text.Json;

namespace Parley.Server.Messaging;

/// <summary>
/// The one-line form of a message: the conversation list's last-message preview and a reply's quote.
/// Text is cut to <see cref="MaxLength"/> characters (never inside a surrogate pair, line breaks as spaces);
/// media get a label such as <c>[image]</c>; a recalled message is <c>[recalled]</c>.
/// </summary>
public static class MessagePreview
{
    public const int MaxLength = 80;

    public const string Recalled = "[recalled]";

    public static string Of(MessageType type, string? content, string? file, bool recalled)
    {
        if (recalled) return Recalled;
        return type switch
        {
            MessageType.Text => Shorten(StringContent(content) ?? ""),
            MessageType.Emoji => Shorten(StringContent(content) is { Length: > 0 } emoji ? emoji : "[emoji]"),
            MessageType.Image => "[image]",
            MessageType.Voice => "[voice]",
            MessageType.Video => "[video]",
            MessageType.File => FileName(file) is { Length: > 0 } name ? Shorten("[file] " + name) : "[file]",
            MessageType.Call => CallLabel(content),
            MessageType.Forward => ForwardTitle(content) is { Length: > 0 } title ? Shorten("[forward] " + title) : "[forward]",
            _ => SystemText(content),
        };
    }

    /// <summary>At most <see cref="MaxLength"/> characters, with "…" when cut; line breaks and tabs become spaces.</summary>
    public static string Shorten(string text)
    {
        var shown = text;
        if (text.Length > MaxLength)
        {
            var length = MaxLength - 1;
            if (char.IsHighSurrogate(text[length - 1])) length--;
            shown = string.Concat(text.AsSpan(0, length), "…");
        }
        return shown.Replace('\r', ' ').Replace('\n', ' ').Replace('\t', ' ');
    }

    /// <summary>The <c>title</c> of a merged forward's content.</summary>
    private static string? ForwardTitle(string? content)
    {
        if (string.IsNullOrEmpty(content)) return null;
        try
        {
            using var document = JsonDocument.Parse(content);
            return document.RootElement.ValueKind == JsonValueKind.Object && document.RootElement.TryGetProperty("title", out var title)
                && title.ValueKind == JsonValueKind.String ? title.GetString() : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static string? StringContent(string? content)
    {
        if (string.IsNullOrEmpty(content)) return null;
        try
        {
            using var document = JsonDocument.Parse(content);
            return document.RootElement.ValueKind == JsonValueKind.String ? document.RootElement.GetString() : null;
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            return null;
        }
    }

    private static string? FileName(string? file)
    {
        if (string.IsNullOrEmpty(file)) return null;
        try
        {
            using var document = JsonDocument.Parse(file);
            return document.RootElement.ValueKind == JsonValueKind.Object
                && document.RootElement.TryGetProperty("name", out var name) && name.ValueKind == JsonValueKind.String
                ? name.GetString()
                : null;
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            return null;
        }
    }

    /// <summary><c>[voice call]</c> or <c>[video call]</c>, with the duration when it was answered.</summary>
    private static string CallLabel(string? content)
    {
        var media = "call";
        long? durationMs = null;
        try
        {
            if (!string.IsNullOrEmpty(content))
            {
                using var document = JsonDocument.Parse(content);
                var root = document.RootElement;
                if (root.ValueKind == JsonValueKind.Object)
                {
                    if (root.TryGetProperty("media", out var m) && m.ValueKind == JsonValueKind.String)
                        media = m.GetString() switch { "video" => "video call", "audio" => "voice call", _ => "call" };
                    if (root.TryGetProperty("durationMs", out var d) && d.ValueKind == JsonValueKind.Number && d.TryGetInt64(out var ms) && ms > 0)
                        durationMs = ms;
                }
            }
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
        }
        if (durationMs is not { } length) return $"[{media}]";
        var time = TimeSpan.FromMilliseconds(length);
        var shown = time.TotalHours >= 1
            ? time.ToString(@"h\:mm\:ss", CultureInfo.InvariantCulture)
            : time.ToString(@"m\:ss", CultureInfo.InvariantCulture);
        return $"[{media}] {shown}";
    }

    /// <summary>
    /// A system message in words: a group's system messages (see docs/protocol.md) become "Olive added Ann";
    /// other content its own text (a string, or a <c>text</c> field), else <c>[system]</c>.
    /// </summary>
    private static string SystemText(string? content)
    {
        if (StringContent(content) is { Length: > 0 } text) return Shorten(text);
        try
        {
            if (!string.IsNullOrEmpty(content))
            {
                using var document = JsonDocument.Parse(content);
                var root = document.RootElement;
                if (root.ValueKind == JsonValueKind.Object)
                {
                    if (GroupEventText(root) is { Length: > 0 } happened) return Shorten(happened);
                    if (root.TryGetProperty("text", out var t) && t.ValueKind == JsonValueKind.String && t.GetString() is { Length: > 0 } said)
                        return Shorten(said);
                }
            }
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
        }
        return "[system]";
    }

    private static string? GroupEventText(JsonElement content)
    {
        string? Field(string name) =>
            content.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

        var kind = Field("event");
        if (kind is null) return null;
        var actor = Field("actorName") is { Length: > 0 } actorName ? actorName : "Someone";
        var names = content.TryGetProperty("userNames", out var list) && list.ValueKind == JsonValueKind.Array
            ? string.Join(", ", list.EnumerateArray().Where(n => n.ValueKind == JsonValueKind.String).Select(n => n.GetString()))
            : "";
        var name = Field("name");
        return kind switch
        {
            "group.created" => $"{actor} created \"{name}\"" + (names.Length > 0 ? $" with {names}" : ""),
            "member.joined" => Field("via") switch
            {
                "invitation" => $"{actor} added {names}",
                "approval" => $"{actor} let {names} in",
                _ => $"{(names.Length > 0 ? names : actor)} joined",
            },
            "member.left" => $"{actor} left",
            "member.removed" => $"{actor} removed {names}",
            "name.changed" => $"{actor} renamed the group \"{name}\"",
            "notice.changed" => Field("notice") is { Length: > 0 } notice ? $"{actor} changed the notice: {notice}" : $"{actor} cleared the notice",
            "owner.changed" => $"{actor} made {names} the owner",
            "role.changed" => string.Equals(Field("role"), "admin", StringComparison.OrdinalIgnoreCase)
                ? $"{actor} made {names} an admin"
                : $"{actor} made {names} a member",
            "group.muted" => $"{actor} muted the group",
            "group.unmuted" => $"{actor} unmuted the group",
            _ => null,
        };
    }
}
