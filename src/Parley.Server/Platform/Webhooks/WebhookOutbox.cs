using System.Text.Json;
using Microsoft.Extensions.Options;
using Parley.Server.Http;
using Parley.Server.Messaging;
using Parley.Server.Storage;

namespace Parley.Server.Platform.Webhooks;

/// <summary>The body POSTed for each event.</summary>
public sealed record WebhookEnvelope<T>(string Id, string Type, DateTimeOffset CreatedAt, T Data);

/// <summary>
/// Writes events into the outbox (<see cref="WebhookDelivery"/>), one row per subscription, only for types someone
/// subscribes to. Stored messages come through <see cref="IStoredMessageOutbox"/>, in the committer's batch
/// transaction; changes made through EF (a user created) add their rows to the same unit of work with <see cref="Add{T}"/>.
/// </summary>
public sealed class WebhookOutbox(WebhookSubscriptions subscriptions, IdGenerator ids, TimeProvider time, IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions> json)
    : IStoredMessageOutbox
{
    private readonly JsonSerializerOptions _json = json.Value.SerializerOptions;

    public bool Wants(string type) => subscriptions.For(type).Length > 0;

    /// <summary>Adds the event's rows to the context (saved with the change that caused it). Nothing when no one subscribes.</summary>
    public void Add<T>(ParleyDb db, string type, long orderKey, T data)
    {
        var subscribers = subscriptions.For(type);
        if (subscribers.Length == 0) return;
        var now = time.GetUtcNow();
        var eventId = Ids.Format(ids.Next());
        var body = JsonSerializer.Serialize(new WebhookEnvelope<T>(eventId, type, now, data), _json);
        foreach (var subscription in subscribers)
            db.WebhookDeliveries.Add(new WebhookDelivery
            {
                Id = ids.Next(), SubscriptionId = subscription.Id, EventId = eventId, Type = type, OrderKey = orderKey, Body = body,
                NextAttemptAt = now, CreatedAt = now,
            });
    }

    // IStoredMessageOutbox: message.created, in the committer's transaction, ordered per conversation.
    public bool Active => Wants(WebhookEventTypes.MessageCreated);

    public string InsertSql =>
        "INSERT INTO \"WebhookDeliveries\" (\"Id\", \"SubscriptionId\", \"EventId\", \"Type\", \"OrderKey\", \"Body\", \"Attempts\", \"NextAttemptAt\", \"CreatedAt\") " +
        "VALUES ($1, $2, $3, $4, $5, $6, 0, $7, $8)";

    public IEnumerable<object?[]> Rows(IReadOnlyList<Message> messages, object now)
    {
        var subscribers = subscriptions.For(WebhookEventTypes.MessageCreated);
        if (subscribers.Length == 0) yield break;
        foreach (var message in messages)
        {
            var eventId = Ids.Format(ids.Next());
            var body = JsonSerializer.Serialize(
                new WebhookEnvelope<MessageView>(eventId, WebhookEventTypes.MessageCreated, message.SentAt, MessageView.From(message)), _json);
            foreach (var subscription in subscribers)
                yield return [ids.Next(), subscription.Id, eventId, WebhookEventTypes.MessageCreated, message.ConversationId, body, now, now];
        }
    }
}
