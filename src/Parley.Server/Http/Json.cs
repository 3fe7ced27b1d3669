using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Parley.Server.Http;

public static class Json
{
    /// <summary>camelCase, enums as camelCase strings (numbers accepted on input), times as UTC with milliseconds.</summary>
    public static void Configure(JsonSerializerOptions options)
    {
        options.PropertyNamingPolicy = JsonNamingPolicy.CamelCase;
        options.DefaultIgnoreCondition = JsonIgnoreCondition.Never;
        options.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.CamelCase, allowIntegerValues: true));
        options.Converters.Add(new UtcMillisecondsConverter());
        options.Converters.Add(new TextConverter());
        options.Converters.Add(new FreeFormConverter());
        options.TypeInfoResolverChain.Insert(0, ParleyJsonContext.Default);
    }

    /// <summary>Writes <c>2026-11-23T09:12:00.123Z</c>, as the API promises; reads any ISO 8601 form.</summary>
    public sealed class UtcMillisecondsConverter : JsonConverter<DateTimeOffset>
    {
        public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            var text = reader.GetString();
            if (text is null || !DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var value))
                throw new JsonException("Expected an ISO 8601 date and time, such as 2026-01-31T12:00:00.000Z.");
            return value.ToUniversalTime();
        }

        public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options) =>
            writer.WriteStringValue(value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture));
    }

    /// <summary>
    /// Every string the API reads, in HTTP bodies and socket frames alike (see <see cref="InputText"/>): text that is no
    /// valid Unicode (an escaped lone surrogate) or holds NUL, which PostgreSQL cannot store, is refused at the door
    /// (a 400, or <c>validation_failed</c> on the socket) instead of failing deep in a handler or a write.
    /// </summary>
    public sealed class TextConverter : JsonConverter<string>
    {
        public override string? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            if (reader.TokenType is not (JsonTokenType.String or JsonTokenType.Null or JsonTokenType.PropertyName))
                throw new JsonException($"Expected a string, not {reader.TokenType}.");
            string? text;
            try
            {
                text = reader.GetString();
            }
            catch (InvalidOperationException)
            {
                // An escape such as \ud800 with no partner: no text at all.
                throw new BadTextException(InputText.NotUnicode);
            }
            if (text is not null && InputText.Problem(text) is { } problem) throw new BadTextException(problem);
            return text;
        }

        public override void Write(Utf8JsonWriter writer, string value, JsonSerializerOptions options) => writer.WriteStringValue(value);

        // Strings as dictionary keys too (the `errors` of a validation problem is a dictionary): without these a
        // converter for string cannot write a key, and every validation_failed answer became a 500.
        public override string ReadAsPropertyName(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            Read(ref reader, typeToConvert, options) ?? "";

        public override void WriteAsPropertyName(Utf8JsonWriter writer, string value, JsonSerializerOptions options) =>
            writer.WritePropertyName(value);
    }
}

/// <summary>
/// Free-form JSON from outside (a <see cref="JsonElement"/> field: a message's content or file, a frame's data, a call's
/// sdp): every property name in it, however deep, is valid Unicode without NUL, or the whole body or frame is refused at
/// the door. Without it, the first handler that looked up a property of an object holding a name such as "\ud800"
/// threw (found by Security/FuzzTests). String values are left to the handler that reads them
/// (<see cref="InputText.GetString"/>, which names the field); those relayed verbatim (a call's sdp) are never decoded.
/// </summary>
public sealed class FreeFormConverter : JsonConverter<JsonElement>
{
    public override JsonElement Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        var element = JsonElement.ParseValue(ref reader);
        Check(element);
        return element;
    }

    public override void Write(Utf8JsonWriter writer, JsonElement value, JsonSerializerOptions options) => value.WriteTo(writer);

    private static void Check(JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Array:
                foreach (var item in element.EnumerateArray()) Check(item);
                break;
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                {
                    CheckText(property, static p => p.Name);
                    Check(property.Value);
                }
                break;
        }
    }

    private static void CheckText<T>(T item, Func<T, string> read)
    {
        string text;
        try
        {
            text = read(item);
        }
        catch (InvalidOperationException)
        {
            throw new BadTextException(InputText.NotUnicode);
        }
        if (InputText.Problem(text) is { } problem) throw new BadTextException(problem);
    }
}

/// <summary>JSON that parses but holds text <see cref="InputText"/> refuses: bad input of the right shape, not a malformed document.</summary>
public sealed class BadTextException(string message) : JsonException(message);

/// <summary>
/// An enum as the HTTP API writes it, camelCase (<c>owner</c>, <c>pending</c>), for source-generated contexts that do
/// not go through <see cref="Json.Configure"/> (socket frames, stored message content).
/// </summary>
internal sealed class CamelCaseEnumConverter<TEnum>() : JsonStringEnumConverter<TEnum>(JsonNamingPolicy.CamelCase)
    where TEnum : struct, Enum;
