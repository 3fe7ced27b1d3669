using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Parley.IntegrationTests.Security;

/// <summary>
/// Random requests and frames from one seeded <see cref="Random"/>: text written by hand (JSON escapes and
/// percent-encoding), so that what no well-behaved client can produce (a lone surrogate, invalid UTF-8) gets through.
/// </summary>
internal sealed class Fuzz(Random random, string[] realIds)
{
    private static readonly string[] Nasty =
    [
        "\0", "a\0b", "\uD800", "x\uDC00y", "\u202E", "evil\u202Egpj.exe", "\u2066\u2069", "\u200F", "\uFEFF", "\uFFFF",
        "𝕏", "👩‍👩‍👧", "\r\n", "\t", " ", "", "%", "%00", "_", "\\", "'", "\"", "' OR 1=1 --", "<script>alert(1)</script>",
        "../../etc/passwd", "-1", "0", "1", "99999999999999999999999", "9223372036854775808", "-9223372036854775809", "1e309",
        "NaN", "Infinity", "null", "true", "{}", "[]", "\u0085", "\u2028", "ÿ", "ﬀ", "İ", "ß",
    ];

    private static readonly string[] Numbers = ["0", "-1", "1", "1e308", "-1e308", "1e400", "99999999999999999999999999999", "9223372036854775807", "0.5", "-0"];

    public bool Chance(double p) => random.NextDouble() < p;

    private T Pick<T>(T[] items) => items[random.Next(items.Length)];

    /// <summary>A string: a real id, something nasty, several nasty things, a long run, or random code points.</summary>
    public string Text() => random.Next(8) switch
    {
        0 => Pick(realIds),
        1 => Pick(realIds) + Pick(Nasty),
        2 => new string(Pick(Nasty).FirstOrDefault('x'), random.Next(1, 5000)),
        3 => string.Concat(Enumerable.Range(0, random.Next(1, 5)).Select(_ => Pick(Nasty))),
        4 => RandomCodePoints(random.Next(1, 40)),
        _ => Pick(Nasty),
    };

    private string RandomCodePoints(int count)
    {
        var text = new StringBuilder();
        for (var i = 0; i < count; i++)
        {
            var c = random.Next(4) switch
            {
                0 => random.Next(0, 0x80),
                1 => random.Next(0x80, 0x800),
                2 => random.Next(0x800, 0x10000),
                _ => random.Next(0x10000, 0x110000),
            };
            if (c < 0x10000) text.Append((char)c);
            else text.Append(char.ConvertFromUtf32(c));
        }
        return text.ToString();
    }

    /// <summary>Any JSON value, of any type, as text.</summary>
    public string Value(int depth = 0) => random.Next(depth > 2 ? 3 : 7) switch
    {
        0 => JsonString(Text()),
        1 => Pick(Numbers),
        2 => Pick(["true", "false", "null"]),
        3 => JsonString(Pick(realIds)),
        4 => "[" + string.Join(",", Enumerable.Range(0, random.Next(0, 4)).Select(_ => Value(depth + 1))) + "]",
        5 => Object(Enumerable.Range(0, random.Next(0, 4)).Select(_ => Text()).ToList(), depth + 1),
        _ => JsonString(Text()),
    };

    /// <summary>An object with some of <paramref name="names"/> (and sometimes a stranger), each with any value.</summary>
    public string Object(IReadOnlyList<string> names, int depth = 0)
    {
        var fields = names.Where(_ => Chance(0.7)).Select(n => JsonString(n) + ":" + Value(depth + 1)).ToList();
        if (Chance(0.2)) fields.Add(JsonString(Text()) + ":" + Value(depth + 1));
        return "{" + string.Join(",", fields) + "}";
    }

    /// <summary>A JSON string literal; every character outside printable ASCII is a \u escape, lone surrogates included.</summary>
    public static string JsonString(string text)
    {
        var json = new StringBuilder("\"");
        foreach (var c in text)
        {
            if (c is >= ' ' and <= '~' and not '"' and not '\\') json.Append(c);
            else json.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
        }
        return json.Append('"').ToString();
    }

    /// <summary>Percent-encoded UTF-8, with a lone surrogate written as the three bytes it would be (invalid UTF-8).</summary>
    public static string UrlEncode(string text)
    {
        var url = new StringBuilder();
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            int code = c;
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1])) code = char.ConvertToUtf32(c, text[++i]);
            if (code < 0x80 && (char.IsAsciiLetterOrDigit((char)code) || code is '-' or '.' or '_' or '~'))
            {
                url.Append((char)code);
                continue;
            }
            foreach (var b in Utf8(code)) url.Append('%').Append(b.ToString("X2", CultureInfo.InvariantCulture));
        }
        return url.ToString();
    }

    private static byte[] Utf8(int code) => code switch
    {
        < 0x80 => [(byte)code],
        < 0x800 => [(byte)(0xC0 | (code >> 6)), (byte)(0x80 | (code & 0x3F))],
        < 0x10000 => [(byte)(0xE0 | (code >> 12)), (byte)(0x80 | ((code >> 6) & 0x3F)), (byte)(0x80 | (code & 0x3F))],
        _ => [(byte)(0xF0 | (code >> 18)), (byte)(0x80 | ((code >> 12) & 0x3F)), (byte)(0x80 | ((code >> 6) & 0x3F)), (byte)(0x80 | (code & 0x3F))],
    };

    /// <summary>One request to an OpenAPI operation: its path with fuzzed parameters, a fuzzed query and maybe a body.</summary>
    public (string Url, byte[]? Body, string? ContentType) Request(string template, JsonElement operation, JsonElement document)
    {
        var path = new StringBuilder();
        foreach (var segment in template.TrimStart('/').Split('/'))
        {
            if (path.Length > 0) path.Append('/');
            path.Append(segment.StartsWith('{') ? UrlEncode(Chance(0.4) ? Pick(realIds) : Text()) : segment);
        }
        var query = new List<string>();
        if (operation.TryGetProperty("parameters", out var parameters))
            foreach (var parameter in parameters.EnumerateArray())
                if (parameter.GetProperty("in").GetString() == "query" && Chance(0.7))
                    query.Add(parameter.GetProperty("name").GetString() + "=" + UrlEncode(Text()));
        if (Chance(0.1)) query.Add(UrlEncode(Text()) + "=" + UrlEncode(Text()));
        var url = path + (query.Count > 0 ? "?" + string.Join("&", query) : "");

        if (!operation.TryGetProperty("requestBody", out var body) || !body.TryGetProperty("content", out var content)) return (url, null, null);
        var mediaType = content.EnumerateObject().First();
        if (mediaType.Name != "application/json" || Chance(0.1))
        {
            // Uploads and the like: bytes that are not what they should be, under the declared type or another.
            var bytes = Encoding.UTF8.GetBytes(Text());
            return (url, bytes, Chance(0.5) ? mediaType.Name.Split(';')[0] + "; boundary=x" : "application/octet-stream");
        }
        var names = Properties(mediaType.Value.TryGetProperty("schema", out var schema) ? schema : default, document);
        var json = random.Next(10) switch
        {
            0 => Value(),
            1 => "{\"unterminated\": ",
            _ => Object(names),
        };
        return (url, Encoding.UTF8.GetBytes(json), "application/json");
    }

    /// <summary>The property names a schema declares (following a $ref into components), or none.</summary>
    private static List<string> Properties(JsonElement schema, JsonElement document)
    {
        if (schema.ValueKind != JsonValueKind.Object) return [];
        if (schema.TryGetProperty("$ref", out var reference))
        {
            var name = reference.GetString()!.Split('/')[^1];
            if (!document.GetProperty("components").GetProperty("schemas").TryGetProperty(name, out schema)) return [];
        }
        return schema.TryGetProperty("properties", out var properties) ? properties.EnumerateObject().Select(p => p.Name).ToList() : [];
    }

    /// <summary>A frame of the type with fuzzed data; now and then something that is not a well-formed frame at all.</summary>
    public byte[] Frame(string type, IReadOnlyList<string> fieldNames)
    {
        var id = Chance(0.8) ? JsonString(Text()) : Value();
        var text = random.Next(12) switch
        {
            0 => Text(),
            1 => "{\"type\":" + JsonString(type) + ",\"id\":" + id + ",\"data\":" + Value() + "}",
            2 => "{\"type\":" + Value() + ",\"data\":{}}",
            _ => "{\"type\":" + JsonString(type) + ",\"id\":" + id + ",\"data\":" + Object(fieldNames) + "}",
        };
        return Encoding.UTF8.GetBytes(text);
    }
}
