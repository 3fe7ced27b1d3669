namespace Parley.Server.ScaleOut;

/// <summary>One node: there is no other node to tell, and none to hear from.</summary>
public sealed class InMemoryChangeFeed : IChangeFeed
{
    public void Publish(string topic, long id) => ChangeTopics.Check(topic);

    public void Subscribe(string topic, Action<long> onChangeElsewhere) => ChangeTopics.Check(topic);
}

/// <summary>The rule for a topic's name (it travels in the envelopes' text headers).</summary>
public static class ChangeTopics
{
    public const int MaxLength = 64;

    public static bool IsValid(ReadOnlySpan<char> topic)
    {
        if (topic.Length is 0 or > MaxLength) return false;
        foreach (var c in topic)
            if (!(c is >= 'a' and <= 'z' or >= '0' and <= '9' or '.' or '_' or '-')) return false;
        return true;
    }

    public static void Check(string topic)
    {
        if (!IsValid(topic)) throw new ArgumentException($"A change topic is 1 to {MaxLength} characters of a-z 0-9 . _ - (got '{topic}').", nameof(topic));
    }
}
