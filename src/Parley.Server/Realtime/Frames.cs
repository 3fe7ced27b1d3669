using System.Buffers;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Parley.Server.Messaging;

namespace Parley.Server.Realtime;

/// <summary>
/// Server-to-client frames, <c>{"type", "id"?, "data"}</c>, written straight to UTF-8 bytes. A frame is
/// encoded once and the same bytes go to every recipient.
/// </summary>
public static class Frames
{
    public static byte[] Encode<T>(string type, string? id, T data, JsonTypeInfo<T> info)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            Start(writer, type, id);
            JsonSerializer.Serialize(writer, data, info);
            writer.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }

    public static byte[] Empty(string type, string? id)
    {
        var buffer = new ArrayBufferWriter<byte>(64);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            Start(writer, type, id);
            writer.WriteStartObject();
            writer.WriteEndObject();
            writer.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }

    public static byte[] Error(string? id, string code, string message) =>
        Encode("error", id, new FrameError(code, message), RealtimeJsonContext.Default.FrameError);

    /// <summary><c>msg.new</c> with the stored content copied in as it is: no parse, no re-serialisation.</summary>
    public static byte[] NewMessage(Message message)
    {
        var buffer = new ArrayBufferWriter<byte>(256 + message.Content.Length);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            Start(writer, "msg.new", null);
            WriteMessage(writer, message);
            writer.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary><c>msg.batch</c>: part of a sync, one conversation's messages in seq order.</summary>
    public static byte[] Batch(long conversationId, IReadOnlyList<Message> messages, bool hasMore)
    {
        var buffer = new ArrayBufferWriter<byte>(1024);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            Start(writer, "msg.batch", null);
            writer.WriteStartObject();
            writer.WriteString("conversationId", conversationId.ToString(CultureInfo.InvariantCulture));
            writer.WriteBoolean("hasMore", hasMore);
            writer.WriteStartArray("messages");
            foreach (var message in messages) WriteMessage(writer, message);
            writer.WriteEndArray();
            writer.WriteEndObject();
            writer.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>One message as the API describes it (the same fields as <see cref="MessageView"/>).</summary>
    public static void WriteMessage(Utf8JsonWriter writer, Message message)
    {
        writer.WriteStartObject();
        writer.WriteString("id", message.Id.ToString(CultureInfo.InvariantCulture));
        writer.WriteString("conversationId", message.ConversationId.ToString(CultureInfo.InvariantCulture));
        writer.WriteNumber("seq", message.Seq);
        writer.WriteString("senderId", message.SenderId.ToString(CultureInfo.InvariantCulture));
        writer.WriteString("clientMsgId", message.ClientMsgId);
        writer.WriteString("type", MessageTypes.Name(message.Type));
        writer.WritePropertyName("content");
        writer.WriteRawValue(message.Content, skipInputValidation: true);
        writer.WritePropertyName("file");
        if (message.File is null) writer.WriteNullValue();
        else writer.WriteRawValue(message.File, skipInputValidation: true);
        writer.WriteString("sentAt", Time(message.SentAt));
        writer.WriteBoolean("recalled", message.Recalled);
        if (message.ReplyTo is not null)
        {
            writer.WritePropertyName("replyTo");
            writer.WriteRawValue(message.ReplyTo, skipInputValidation: true);
        }
        if (message.Mentions is not null)
        {
            writer.WritePropertyName("mentions");
            writer.WriteRawValue(message.Mentions, skipInputValidation: true);
        }
        // Disappearing messages say when (docs/messages.md, "Retention"); the others write nothing more.
        if (message.ExpiresAt is { } expiresAt)
            writer.WriteString("expiresAt", expiresAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture));
        if (message.EditedAt is { } editedAt) writer.WriteString("editedAt", Time(editedAt));
        if (message.Reactions is { } reactions)
        {
            writer.WriteStartArray("reactions");
            foreach (var reaction in reactions)
            {
                writer.WriteStartObject();
                writer.WriteString("emoji", reaction.Emoji);
                writer.WriteNumber("count", reaction.Count);
                writer.WriteBoolean("me", reaction.Me);
                writer.WriteEndObject();
            }
            writer.WriteEndArray();
        }
        if (message.Forwarded) writer.WriteBoolean("forwarded", true);
        writer.WriteEndObject();
    }

    private static string Time(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    private static void Start(Utf8JsonWriter writer, string type, string? id)
    {
        writer.WriteStartObject();
        writer.WriteString("type", type);
        if (id is not null) writer.WriteString("id", id);
        writer.WritePropertyName("data");
    }
}

public sealed record FrameError(string Code, string Message);
