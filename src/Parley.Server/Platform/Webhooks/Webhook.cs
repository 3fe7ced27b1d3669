using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Parley.Server.Platform.Webhooks;

/// <summary>A product's endpoint subscribed to event types (<c>POST /api/v1/admin/webhooks</c>).</summary>
public sealed class WebhookSubscription
{
    public long Id { get; set; }
    public required string Url { get; set; }

    /// <summary>The event types, space-separated (a short list, read once into the cache).</summary>
    public required string Events { get; set; }

    /// <summary>The HMAC key (its UTF-8 bytes), shown to the product when it subscribes.</summary>
    public required string Secret { get; set; }

    /// <summary>For <c>message.before_send</c>: how long to wait for the verdict, and what to do without one.</summary>
    public int TimeoutMs { get; set; }
    public bool FailOpen { get; set; }
    public DateTimeOffset CreatedAt { get; set; }

    public IReadOnlyList<string> EventList => Events.Split(' ', StringSplitOptions.RemoveEmptyEntries);
}

/// <summary>
/// One event waiting to reach one subscription (the outbox). Written in the transaction of what caused it; deleted
/// once the endpoint answers 2xx. Rows of one subscription and <see cref="OrderKey"/> (a conversation, a group, a
/// user) go out one at a time in id order; a failure pushes <see cref="NextAttemptAt"/> back (the long-term retry
/// schedule lives here, in the database, so a restart or a crash loses nothing).
/// </summary>
public sealed class WebhookDelivery
{
    public long Id { get; set; }
    public long SubscriptionId { get; set; }
    public required string EventId { get; set; }
    public required string Type { get; set; }
    public long OrderKey { get; set; }

    /// <summary>The exact body to POST: <c>{id, type, createdAt, data}</c>.</summary>
    public required string Body { get; set; }
    public int Attempts { get; set; }
    public DateTimeOffset NextAttemptAt { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}

internal sealed class WebhookSubscriptionConfiguration : IEntityTypeConfiguration<WebhookSubscription>
{
    public void Configure(EntityTypeBuilder<WebhookSubscription> subscription)
    {
        subscription.ToTable("WebhookSubscriptions");
        subscription.Property(s => s.Id).ValueGeneratedNever();
        subscription.Property(s => s.Url).HasMaxLength(2048);
        subscription.Property(s => s.Events).HasMaxLength(1024);
        subscription.Property(s => s.Secret).HasMaxLength(256);
        subscription.Ignore(s => s.EventList);
    }
}

internal sealed class WebhookDeliveryConfiguration : IEntityTypeConfiguration<WebhookDelivery>
{
    public void Configure(EntityTypeBuilder<WebhookDelivery> delivery)
    {
        delivery.ToTable("WebhookDeliveries");
        delivery.Property(d => d.Id).ValueGeneratedNever();
        delivery.Property(d => d.EventId).HasMaxLength(32);
        delivery.Property(d => d.Type).HasMaxLength(64);
        delivery.HasIndex(d => d.NextAttemptAt);
        delivery.HasIndex(d => new { d.SubscriptionId, d.OrderKey, d.Id });
        delivery.HasOne<WebhookSubscription>().WithMany().HasForeignKey(d => d.SubscriptionId).OnDelete(DeleteBehavior.Cascade);
    }
}
