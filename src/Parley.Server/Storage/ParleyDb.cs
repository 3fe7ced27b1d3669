using Microsoft.EntityFrameworkCore;
using Parley.Server.Accounts;
using Parley.Server.Files;
using Parley.Server.Messaging;
using Parley.Server.Social.Friends;
using Parley.Server.Social.Groups;

namespace Parley.Server.Storage;

/// <summary>
/// The one database of a Parley deployment. Features use it directly; each entity's mapping sits beside the
/// entity in its feature folder. The provider-specific subclasses exist so that each provider has its own
/// migrations (SQLite and PostgreSQL differ in types and in what ALTER TABLE can do).
/// </summary>
public abstract class ParleyDb(DbContextOptions options) : DbContext(options)
{
    public DbSet<User> Users => Set<User>();
    public DbSet<Session> Sessions => Set<Session>();
    public DbSet<RefreshToken> RefreshTokens => Set<RefreshToken>();
    public DbSet<VerificationCode> VerificationCodes => Set<VerificationCode>();
    public DbSet<Friendship> Friendships => Set<Friendship>();
    public DbSet<FriendRequest> FriendRequests => Set<FriendRequest>();
    public DbSet<Block> Blocks => Set<Block>();
    public DbSet<Group> Groups => Set<Group>();
    public DbSet<GroupMember> GroupMembers => Set<GroupMember>();
    public DbSet<GroupJoinRequest> GroupJoinRequests => Set<GroupJoinRequest>();
    public DbSet<GroupRemoval> GroupRemovals => Set<GroupRemoval>();
    public DbSet<Conversation> Conversations => Set<Conversation>();
    public DbSet<ConversationMember> ConversationMembers => Set<ConversationMember>();
    public DbSet<Message> Messages => Set<Message>();
    public DbSet<MessageDeletion> MessageDeletions => Set<MessageDeletion>();
    public DbSet<MessageReaction> MessageReactions => Set<MessageReaction>();
    public DbSet<ForwardedFile> ForwardedFiles => Set<ForwardedFile>();
    public DbSet<StoredFile> Files => Set<StoredFile>();
    public DbSet<Calls.ActiveCall> ActiveCalls => Set<Calls.ActiveCall>();
    public DbSet<Push.DevicePushSubscription> PushSubscriptions => Set<Push.DevicePushSubscription>();
    public DbSet<Push.VapidKeyPair> VapidKeys => Set<Push.VapidKeyPair>();
    public DbSet<Platform.ApiKeys.ApiKey> ApiKeys => Set<Platform.ApiKeys.ApiKey>();
    public DbSet<Platform.Webhooks.WebhookSubscription> WebhookSubscriptions => Set<Platform.Webhooks.WebhookSubscription>();
    public DbSet<Platform.Webhooks.WebhookDelivery> WebhookDeliveries => Set<Platform.Webhooks.WebhookDelivery>();
    public DbSet<Platform.Broadcasts.Broadcast> Broadcasts => Set<Platform.Broadcasts.Broadcast>();

    protected override void OnModelCreating(ModelBuilder modelBuilder) =>
        modelBuilder.ApplyConfigurationsFromAssembly(typeof(ParleyDb).Assembly);
}

public sealed class SqliteParleyDb(DbContextOptions<SqliteParleyDb> options) : ParleyDb(options)
{
    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        // SQLite has no date type and cannot compare or order DateTimeOffset stored as text;
        // Unix milliseconds sort and compare as integers and keep the API's millisecond precision.
        configurationBuilder.Properties<DateTimeOffset>().HaveConversion<UnixMillisecondsConverter>();
        configurationBuilder.Properties<DateTimeOffset?>().HaveConversion<UnixMillisecondsConverter>();
    }
}

public sealed class PostgresParleyDb(DbContextOptions<PostgresParleyDb> options) : ParleyDb(options)
{
    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        base.OnModelCreating(modelBuilder);
        // Search walks this index and tests the folded text in the index itself (an index-only scan), about 8x
        // faster per message than fetching each row; the id lets search across conversations order and page a
        // user's hits without reading their rows (MessageSearcher).
        modelBuilder.Entity<Messaging.Message>().HasIndex(m => new { m.ConversationId, m.Seq })
            .IncludeProperties(m => new { m.Id, m.SearchText });
    }
}

internal sealed class UnixMillisecondsConverter()
    : Microsoft.EntityFrameworkCore.Storage.ValueConversion.ValueConverter<DateTimeOffset, long>(
        value => value.ToUnixTimeMilliseconds(),
        value => DateTimeOffset.FromUnixTimeMilliseconds(value));
