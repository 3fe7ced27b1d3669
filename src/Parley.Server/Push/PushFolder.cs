namespace Parley.Server.Push;

/// <summary>A notification waiting for its fold window to close: the newest message, and how many it stands for.</summary>
public sealed class FoldedNotification(long userId, MessageForMember first, DateTimeOffset dueAt)
{
    public long UserId { get; } = userId;
    public MessageForMember Latest { get; set; } = first;
    public int Count { get; set; } = first.Count;
    public DateTimeOffset DueAt { get; } = dueAt;
}

/// <summary>
/// Folds a burst into one notification per member and conversation: the first message opens a window
/// (<see cref="PushOptions.FoldWindow"/>), the ones that follow within it only replace the preview and raise the
/// count, and one notification goes when it closes. Used by the dispatcher's loop alone, so it takes no lock.
/// </summary>
public sealed class PushFolder(TimeSpan window)
{
    private readonly Dictionary<(long UserId, long ConversationId), FoldedNotification> _pending = [];

    public int Count => _pending.Count;

    public void Add(MessageForMember item, DateTimeOffset now)
    {
        var key = (item.UserId, item.Message.ConversationId);
        if (_pending.TryGetValue(key, out var folded))
        {
            if (item.Message.Seq > folded.Latest.Message.Seq) folded.Latest = item;
            folded.Count += item.Count;
        }
        else
        {
            _pending[key] = new FoldedNotification(item.UserId, item, now + window);
        }
    }

    /// <summary>When the earliest window closes; null when nothing waits.</summary>
    public DateTimeOffset? NextDue => _pending.Count == 0 ? null : _pending.Values.Min(f => f.DueAt);

    /// <summary>Removes and returns the notifications whose window has closed (all of them when <paramref name="everything"/>).</summary>
    public List<FoldedNotification> TakeDue(DateTimeOffset now, bool everything = false)
    {
        var due = _pending.Where(p => everything || p.Value.DueAt <= now).ToList();
        foreach (var entry in due) _pending.Remove(entry.Key);
        return due.Select(p => p.Value).ToList();
    }
}
