using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.EntityFrameworkCore;
using Parley.Server.Events;
using Parley.Server.Http;
using Parley.Server.Social.Groups;
using Parley.Server.Storage;

namespace Parley.Server.Messaging;

/// <summary>
/// A conversation's disappearing-messages setting (<c>PATCH /api/v1/conversations/{id}</c> <c>{messageTtlSeconds}</c>):
/// shared by its members, changed by either party of a direct conversation or a group's owner and admins. New
/// messages take it when they are stored (the committer reads it in the statement that gives them their seqs);
/// messages already sent keep theirs. Every member's devices hear <c>conversation.updated</c>
/// <c>{conversationId, messageTtlSeconds}</c>.
/// </summary>
public sealed class ConversationRetention(ParleyDb db, DomainEvents events)
{
    /// <summary>Sets the time-to-live (null: off). The caller has checked that the user may read the conversation.</summary>
    public async Task SetAsync(long me, long conversationId, int? ttlSeconds, CancellationToken cancellationToken)
    {
        if (ttlSeconds is { } ttl && (ttl < MessageRetention.MinTtlSeconds || ttl > MessageRetention.MaxTtlSeconds))
            throw ApiProblem.Invalid("messageTtlSeconds",
                $"messageTtlSeconds is a whole number of seconds from {MessageRetention.MinTtlSeconds} to {MessageRetention.MaxTtlSeconds}, or null to turn it off.");
        var conversation = await db.Conversations.FirstOrDefaultAsync(c => c.Id == conversationId, cancellationToken)
            ?? throw ApiProblem.NotFound("conversation_not_found", "There is no such conversation.");
        if (conversation.Kind == ConversationKind.Group) await GroupChecks.RequireManagerAsync(db, conversationId, me, cancellationToken);
        if (conversation.MessageTtlSeconds == ttlSeconds) return;

        conversation.MessageTtlSeconds = ttlSeconds;
        await db.SaveChangesAsync(cancellationToken);
        var members = await db.ConversationMembers.AsNoTracking().Where(m => m.ConversationId == conversationId)
            .Select(m => m.UserId).ToListAsync(cancellationToken);
        await events.PublishAsync(new ConversationRetentionChanged(conversationId, ttlSeconds, me, members), CancellationToken.None);
    }
}

/// <summary>A conversation's disappearing-messages setting changed; <see cref="Members"/> are its members.</summary>
public sealed record ConversationRetentionChanged(long ConversationId, int? MessageTtlSeconds, long ChangedBy, IReadOnlyList<long> Members) : IDomainEvent;

/// <summary>
/// A field that may be absent (leave the setting as it is), <c>null</c> (turn it off) or a whole number: JSON tells the
/// three apart, a plain <c>int?</c> would not.
/// </summary>
[JsonConverter(typeof(TtlSettingConverter))]
public readonly record struct TtlSetting(bool IsSet, int? Seconds);

public sealed class TtlSettingConverter : JsonConverter<TtlSetting>
{
    public override bool HandleNull => true;

    public override TtlSetting Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.Null) return new TtlSetting(true, null);
        if (reader.TokenType == JsonTokenType.Number && reader.TryGetInt32(out var seconds)) return new TtlSetting(true, seconds);
        throw new JsonException("messageTtlSeconds is a whole number of seconds, or null.");
    }

    public override void Write(Utf8JsonWriter writer, TtlSetting value, JsonSerializerOptions options)
    {
        if (value.Seconds is { } seconds) writer.WriteNumberValue(seconds);
        else writer.WriteNullValue();
    }
}
