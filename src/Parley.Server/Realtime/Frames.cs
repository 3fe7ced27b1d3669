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
    public static byte[] Encode<T>(string type, string? id, T data, JsonTypeInfo<T> info) =>
        Write((type, id, data, info), static (writer, frame) =>
        {
            Start(writer, frame.type, frame.id);
            JsonSerializer.Serialize(writer, frame.data, frame.info);
            writer.WriteEndObject();
        });

    public static byte[] Empty(string type, string? id) =>
        Write((type, id), static (writer, frame) =>
        {
            Start(writer, frame.type, frame.id);
            writer.WriteStartObject();
            writer.WriteEndObject();
            writer.WriteEndObject();
        });

    public static byte[] Error(string? id, string code, string message) =>
        Encode("error", id, new FrameError(code, message), RealtimeJsonContext.Default.FrameError);

    /// <summary><c>msg.new</c> with the stored content copied in as it is: no parse, no re-serialisation.</summary>
    public static byte[] NewMessage(Message message) =>
        Write(message, static (writer, message) =>
        {
            Start(writer, "msg.new", null);
            WriteMessage(writer, message);
            writer.WriteEndObject();
        });

    /// <summary><c>msg.batch</c>: part of a sync, one conversation's messages in seq order.</summary>
    public static byte[] Batch(long conversationId, IReadOnlyList<Message> messages, bool hasMore) =>
        Write((conversationId, messages, hasMore), static (writer, page) =>
        {
            Start(writer, "msg.batch", null);
            writer.WriteStartObject();
            writer.WriteString("conversationId", page.conversationId.ToString(CultureInfo.InvariantCulture));
            writer.WriteBoolean("hasMore", page.hasMore);
            writer.WriteStartArray("messages");
            foreach (var message in page.messages) WriteMessage(writer, message);
            writer.WriteEndArray();
            writer.WriteEndObject();
            writer.WriteEndObject();
        });

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

    /// <summary>
    /// Writes one frame into the thread's scratch buffer and returns a copy of exactly its bytes, so that encoding
    /// allocates the frame and nothing else. A fresh buffer per frame was two thirds of the server's allocations at
    /// 20,000 msgs/s: whenever its worst-case estimate overflows, <see cref="Utf8JsonWriter"/> asks for 4 KiB more.
    /// </summary>
    private static byte[] Write<TState>(TState state, Action<Utf8JsonWriter, TState> write)
    {
        // Taken while in use (a frame written from inside another's writing) or after a failure: a fresh one.
        var scratch = t_scratch ?? new Scratch();
        t_scratch = null;
        scratch.Buffer.ResetWrittenCount();
        scratch.Writer.Reset(scratch.Buffer);
        write(scratch.Writer, state);
        scratch.Writer.Flush();
        var frame = scratch.Buffer.WrittenSpan.ToArray();
        // A rare large frame (a sync page) does not keep its buffer: each thread holds at most ScratchKeptBytes.
        if (scratch.Buffer.Capacity <= ScratchKeptBytes) t_scratch = scratch;
        return frame;
    }

    private const int ScratchKeptBytes = 16 * 1024;

    [ThreadStatic]
    private static Scratch? t_scratch;

    private sealed class Scratch
    {
        public ArrayBufferWriter<byte> Buffer { get; } = new(1024);
        public Utf8JsonWriter Writer { get; } = new(Stream.Null);
    }

    private static void Start(Utf8JsonWriter writer, string type, string? id)
    {
        writer.WriteStartObject();
        writer.WriteString("type", type);
        if (id is not null) writer.WriteString("id", id);
        writer.WritePropertyName("data");
    }
}

public sealed record FrameError(string Code, string Message);
