using System.Text.Json;

namespace Parley.Server.Realtime;

/// <summary>The <c>id</c> of a client frame, read from its top level only: for refusals that must stay cheap.</summary>
public static class FrameIdReader
{
    /// <summary>The top-level string <c>id</c>, or null when there is none or the frame is not a JSON object.</summary>
    public static string? TryRead(ReadOnlySpan<byte> frame)
    {
        if (frame.IsEmpty) return null;
        try
        {
            var reader = new Utf8JsonReader(frame);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject) return null;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var isId = reader.ValueTextEquals("id"u8);
                if (!reader.Read()) return null;
                if (isId) return reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
                reader.Skip();
            }
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            // Not JSON, or an id that is no valid text: no id to give back.
        }
        return null;
    }
}
