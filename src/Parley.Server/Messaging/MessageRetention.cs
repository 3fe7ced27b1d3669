using Microsoft.Extensions.Options;

namespace Parley.Server.Messaging;

/// <summary>Disappearing messages and the server's retention (configuration section <c>Retention</c>; docs/messages.md, "Retention").</summary>
public sealed class RetentionOptions
{
    public const string Section = "Retention";

    /// <summary>Every message older than this is gone for everyone, whatever its conversation says; unset keeps messages for ever.</summary>
    public TimeSpan? MaxAge { get; set; }

    /// <summary>How often the sweeper looks for expired messages.</summary>
    public TimeSpan SweepInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Messages deleted per statement: small, so that each delete holds its locks (SQLite's write lock) only briefly.</summary>
    public int SweepBatch { get; set; } = 200;

    /// <summary>The sweeper's rest between two batches, so that chat traffic gets the database in between.</summary>
    public TimeSpan SweepPause { get; set; } = TimeSpan.FromMilliseconds(100);
}

/// <summary>
/// Which messages still exist for readers: those whose conversation's time-to-live (<see cref="Message.ExpiresAt"/>,
/// set when it was stored) has not run out, and, with <see cref="RetentionOptions.MaxAge"/>, those younger than that.
/// Every read of messages (history, sync, search, the list's preview, the export) goes through here, so an expired
/// message is gone the moment it expires, whether or not <see cref="RetentionSweeper"/> has deleted its row yet.
/// </summary>
public sealed class MessageRetention(IOptions<RetentionOptions> options, TimeProvider time)
{
    public const int MinTtlSeconds = 5;

    /// <summary>Ten years: long enough for anyone, short enough that no date overflows.</summary>
    public const int MaxTtlSeconds = 315_360_000;

    /// <summary>Now, and the oldest send time still kept (null: no maximum age).</summary>
    public (DateTimeOffset Now, DateTimeOffset? OldestKept) Bounds()
    {
        var now = time.GetUtcNow();
        return (now, options.Value.MaxAge is { } maxAge ? now - maxAge : null);
    }

    /// <summary>The messages of <paramref name="messages"/> that have not expired.</summary>
    public IQueryable<Message> Live(IQueryable<Message> messages)
    {
        var (now, oldest) = Bounds();
        messages = messages.Where(m => m.ExpiresAt == null || m.ExpiresAt > now);
        return oldest is { } cutoff ? messages.Where(m => m.SentAt > cutoff) : messages;
    }

    public bool IsLive(Message message)
    {
        var (now, oldest) = Bounds();
        return (message.ExpiresAt is null || message.ExpiresAt > now) && (oldest is null || message.SentAt > oldest);
    }
}
