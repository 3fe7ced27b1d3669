using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Parley.Server.Accounts;

namespace Parley.Server.Push;

/// <summary>The kinds of push address a device registers (API.md, "Push to devices that are not connected").</summary>
public static class PushKinds
{
    /// <summary>A browser's Web Push subscription: an endpoint URL and its encryption keys. The server sends these itself.</summary>
    public const string Web = "web";

    /// <summary>Firebase and Apple device tokens: handed to the operator's push provider through the <c>push.requested</c> event.</summary>
    public const string Fcm = "fcm";

    public const string Apns = "apns";

    public static bool IsKnown(string? kind) => kind is Web or Fcm or Apns;
}

/// <summary>
/// One device's push address. It belongs to the session (the signed-in device) that registered it: when that
/// session ends (logout, a password change or reset, a ban, account deletion) the address is no longer used and
/// is dropped. <see cref="Address"/> is the Web Push endpoint URL or the fcm/apns token; one address belongs to
/// one device at a time (a browser that signs in as someone else moves its subscription to them).
/// </summary>
public sealed class DevicePushSubscription
{
    public long Id { get; set; }
    public long UserId { get; set; }
    public long SessionId { get; set; }
    public required string Kind { get; set; }
    public required string Address { get; set; }

    /// <summary>Web Push only: the browser's P-256 public key and auth secret (RFC 8291), base64url.</summary>
    public string? P256dh { get; set; }

    public string? Auth { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}

/// <summary>
/// The cluster's one VAPID key pair (RFC 8292), made on first need and kept here so that every node signs with the
/// same key (a browser's subscription is bound to the public key it was made with). Configuration
/// (<c>Push:VapidPublicKey</c>, <c>Push:VapidPrivateKey</c>) takes precedence.
/// </summary>
public sealed class VapidKeyPair
{
    /// <summary>Always 1: there is one row.</summary>
    public int Id { get; set; }

    public required string PublicKey { get; set; }
    public required string PrivateKey { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}

internal sealed class DevicePushSubscriptionConfiguration : IEntityTypeConfiguration<DevicePushSubscription>
{
    public void Configure(EntityTypeBuilder<DevicePushSubscription> subscription)
    {
        subscription.ToTable("PushSubscriptions");
        subscription.Property(s => s.Id).ValueGeneratedNever();
        subscription.Property(s => s.Kind).HasMaxLength(8);
        subscription.Property(s => s.Address).HasMaxLength(PushAddressRules.MaxAddressLength);
        subscription.Property(s => s.P256dh).HasMaxLength(128);
        subscription.Property(s => s.Auth).HasMaxLength(64);
        subscription.HasIndex(s => s.Address).IsUnique();
        subscription.HasIndex(s => s.UserId);
        subscription.HasOne<User>().WithMany().HasForeignKey(s => s.UserId).OnDelete(DeleteBehavior.Cascade);
        subscription.HasOne<Session>().WithMany().HasForeignKey(s => s.SessionId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class VapidKeyPairConfiguration : IEntityTypeConfiguration<VapidKeyPair>
{
    public void Configure(EntityTypeBuilder<VapidKeyPair> key)
    {
        key.ToTable("VapidKeys");
        key.Property(k => k.Id).ValueGeneratedNever();
        key.Property(k => k.PublicKey).HasMaxLength(128);
        key.Property(k => k.PrivateKey).HasMaxLength(64);
    }
}
