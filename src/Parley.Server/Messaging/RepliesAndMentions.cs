using System.Buffers;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Parley.Server.Http;
using Parley.Server.Storage;

namespace Parley.Server.Messaging;

/// <summary>A send's reply quote and mentions, checked and ready to store.</summary>
public sealed record ReplyAndMentions(string? ReplyTo, long? ReplyToId, string? Mentions, IReadOnlyList<long> MentionedUserIds, bool MentionsAll)
{
    public static readonly ReplyAndMentions None = new(null, null, null, [], false);
}

/// <summary>
/// Checks a send's <c>replyTo</c> and <c>mentions</c> against the conversation it goes to. A reply costs one
/// primary-key lookup of the quoted message; mentions are checked against the group's cached members.
/// </summary>
public static class RepliesAndMentions
{
    public const int MaxMentions = 50;

    public const string All = "all";

    public static async Task<ReplyAndMentions> CheckAsync(
        ParleyDb db, ConversationAccessGrant grant, string? replyTo, IReadOnlyList<string?>? mentions, CancellationToken cancellationToken)
    {
        if (replyTo is null && mentions is null) return ReplyAndMentions.None;
        var (mentionsJson, userIds, all) = CheckMentions(grant, mentions);
        if (replyTo is null) return new ReplyAndMentions(null, null, mentionsJson, userIds, all);
        if (!Ids.TryParse(replyTo, out var messageId)) throw InvalidReply();
        var quote = await QuoteAsync(db, grant.ConversationId, messageId, cancellationToken);
        return new ReplyAndMentions(quote, messageId, mentionsJson, userIds, all);
    }

    /// <summary>The quote <c>{messageId, seq, senderId, type, preview, recalled}</c> of a message of the same conversation.</summary>
    private static async Task<string> QuoteAsync(ParleyDb db, long conversationId, long messageId, CancellationToken cancellationToken)
    {
        var quoted = await db.Messages.AsNoTracking()
            .Where(m => m.Id == messageId)
            .Select(m => new { m.ConversationId, m.Seq, m.SenderId, m.Type, m.Content, m.File, m.Recalled })
            .FirstOrDefaultAsync(cancellationToken);
        // A message of another conversation is refused like an unknown one: nothing is said about it.
        if (quoted is null || quoted.ConversationId != conversationId) throw InvalidReply();
        return Quote(messageId, quoted.Seq, quoted.SenderId, quoted.Type,
            MessagePreview.Of(quoted.Type, quoted.Content, quoted.File, quoted.Recalled), quoted.Recalled);
    }

    /// <summary>The quote's JSON text; a recalled message's quote has an empty preview (see <see cref="Recalls"/>).</summary>
    internal static string Quote(long messageId, long seq, long senderId, MessageType type, string preview, bool recalled)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("messageId", Ids.Format(messageId));
            writer.WriteNumber("seq", seq);
            writer.WriteString("senderId", Ids.Format(senderId));
            writer.WriteString("type", MessageTypes.Name(type));
            writer.WriteString("preview", preview);
            writer.WriteBoolean("recalled", recalled);
            writer.WriteEndObject();
        }
        return System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private static (string? Json, IReadOnlyList<long> UserIds, bool All) CheckMentions(ConversationAccessGrant grant, IReadOnlyList<string?>? mentions)
    {
        if (mentions is null || mentions.Count == 0) return (null, [], false);
        if (grant.Kind != ConversationKind.Group)
            throw ApiProblem.BadRequest("invalid_mentions", "Mentions are for group conversations only.");
        if (mentions.Count > MaxMentions)
            throw ApiProblem.BadRequest("invalid_mentions", $"A message mentions at most {MaxMentions} members.");

        var all = false;
        var userIds = new List<long>(mentions.Count);
        HashSet<long>? members = null;
        foreach (var mention in mentions)
        {
            if (string.Equals(mention, All, StringComparison.Ordinal))
            {
                all = true;
                continue;
            }
            if (!Ids.TryParse(mention, out var userId))
                throw ApiProblem.BadRequest("invalid_mentions", "mentions holds user ids (strings of digits) or \"all\".");
            members ??= [.. grant.MemberIds];
            if (!members.Contains(userId))
                throw ApiProblem.BadRequest("invalid_mentions", $"User {userId} is not a member of this group.");
            if (!userIds.Contains(userId)) userIds.Add(userId);
        }
        if (all && !grant.SenderManages)
            throw ApiProblem.Forbidden("insufficient_role", "Only the group's owner and admins can mention everyone.");

        var buffer = new ArrayBufferWriter<byte>(32 + userIds.Count * 24);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartArray();
            if (all) writer.WriteStringValue(All);
            foreach (var userId in userIds) writer.WriteStringValue(Ids.Format(userId));
            writer.WriteEndArray();
        }
        return (System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan), userIds, all);
    }

    private static ApiProblem InvalidReply() =>
        ApiProblem.BadRequest("invalid_reply", "replyTo must be the id of a message in the same conversation.");
}
