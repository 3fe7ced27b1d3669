using System.Globalization;
using System.Text;

namespace Parley.Server.ScaleOut.Redis;

/// <summary>
/// The bytes nodes send each other over Redis pub/sub. An envelope (one Redis message) is one or more records,
/// back to back; each record starts with a one-letter kind, then ASCII header fields separated by single spaces,
/// then <c>\n</c>, then (for the kinds that carry one) exactly <c>length</c> bytes of frame, untouched:
/// <code>
/// F{except} {user},{user},… {length}\n{frame}   frames for these users' devices on the receiving node, but not device {except} (0: none)
/// C{topic} {id}\n                               a change made on another node (<see cref="IChangeFeed"/>)
/// D{user} {device} {length}\n{frame}            one frame for one device of the receiving node
/// R{node} {user} {device} {length}\n{frame}     a call frame from that device on node {node}, for a call of the receiving node
/// G{node} {user} {device}\n                     that device on node {node}, which had forwarded call frames, is gone
/// </code>
/// Numbers are 1 to 19 decimal digits (no sign, no spaces) that fit a <see cref="long"/>; a node is 1 to 64 of
/// <c>A-Z a-z 0-9 _ -</c>; a topic follows <see cref="ChangeTopics"/>; an F record lists at least one user.
/// <para>Node channels (<c>{prefix}node:{node}</c>) carry F, C and D; worker channels (<c>{prefix}worker:{worker}</c>)
/// carry R and G. F and C records are also written by the Publish script (<see cref="RedisScripts.Publish"/>),
/// byte for byte as <see cref="Frames"/> and <see cref="Change"/> write them. The reader takes an envelope whole or
/// not at all: anything malformed (unknown kind, bad number, a length past the end, trailing bytes) is refused
/// with a <see cref="FormatException"/>, and no record of it is delivered. Frames are slices of the received
/// array, never copied.</para>
/// </summary>
public static class Envelopes
{
    public const int MaxNodeLength = 64;
    private const int MaxDigits = 19;

    public static byte[] Frames(long except, IReadOnlyList<long> users, ReadOnlySpan<byte> frame)
    {
        if (users.Count == 0) throw new ArgumentException("An F record names at least one user.", nameof(users));
        var header = new StringBuilder("F").Append(Number(except)).Append(' ');
        for (var i = 0; i < users.Count; i++) header.Append(i == 0 ? "" : ",").Append(Number(users[i]));
        return WithFrame(header.Append(' ').Append(frame.Length).Append('\n').ToString(), frame);
    }

    public static byte[] Change(string topic, long id)
    {
        ChangeTopics.Check(topic);
        return Encoding.ASCII.GetBytes($"C{topic} {Number(id)}\n");
    }

    public static byte[] DeviceFrame(long userId, long deviceId, ReadOnlySpan<byte> frame) =>
        WithFrame($"D{Number(userId)} {Number(deviceId)} {frame.Length}\n", frame);

    public static byte[] CallFrame(string node, long userId, long deviceId, ReadOnlySpan<byte> frame) =>
        WithFrame($"R{Node(node)} {Number(userId)} {Number(deviceId)} {frame.Length}\n", frame);

    public static byte[] DeviceGone(string node, long userId, long deviceId) =>
        Encoding.ASCII.GetBytes($"G{Node(node)} {Number(userId)} {Number(deviceId)}\n");

    /// <summary>Every record of the envelope, in order; <see cref="FormatException"/> when any part of it is malformed.</summary>
    public static IReadOnlyList<EnvelopeRecord> Read(ReadOnlyMemory<byte> envelope)
    {
        if (envelope.IsEmpty) throw new FormatException("An envelope holds at least one record.");
        var records = new List<EnvelopeRecord>(1);
        var reader = new Reader(envelope);
        while (!reader.AtEnd) records.Add(reader.Next());
        return records;
    }

    private static string Number(long value) =>
        value >= 0 ? value.ToString(CultureInfo.InvariantCulture) : throw new ArgumentOutOfRangeException(nameof(value), "Numbers in envelopes are not negative.");

    private static string Node(string node) =>
        IsNode(node) ? node : throw new ArgumentException($"A node is 1 to {MaxNodeLength} of A-Z a-z 0-9 _ - (got '{node}').", nameof(node));

    public static bool IsNode(ReadOnlySpan<char> node)
    {
        if (node.Length is 0 or > MaxNodeLength) return false;
        foreach (var c in node)
            if (!(c is >= 'a' and <= 'z' or >= 'A' and <= 'Z' or >= '0' and <= '9' or '_' or '-')) return false;
        return true;
    }

    private static byte[] WithFrame(string header, ReadOnlySpan<byte> frame)
    {
        var bytes = new byte[header.Length + frame.Length];
        Encoding.ASCII.GetBytes(header, bytes);
        frame.CopyTo(bytes.AsSpan(header.Length));
        return bytes;
    }

    /// <summary>A cursor over one envelope.</summary>
    private struct Reader(ReadOnlyMemory<byte> envelope)
    {
        private int _at;

        public readonly bool AtEnd => _at >= envelope.Length;

        public EnvelopeRecord Next()
        {
            var start = _at;
            var kind = envelope.Span[_at++];
            switch (kind)
            {
                case (byte)'F':
                {
                    var except = ReadNumber((byte)' ');
                    var users = ReadUsers();
                    var frame = ReadFrame();
                    return new FramesRecord(except, users, frame);
                }
                case (byte)'C':
                {
                    var topic = ReadText((byte)' ', ChangeTopics.MaxLength, "topic");
                    if (!ChangeTopics.IsValid(topic)) throw Malformed("topic");
                    return new ChangeRecord(topic, ReadNumber((byte)'\n'));
                }
                case (byte)'D':
                {
                    var user = ReadNumber((byte)' ');
                    var device = ReadNumber((byte)' ');
                    return new DeviceFrameRecord(user, device, ReadFrame());
                }
                case (byte)'R':
                {
                    var node = ReadNode((byte)' ');
                    var user = ReadNumber((byte)' ');
                    var device = ReadNumber((byte)' ');
                    return new CallFrameRecord(node, user, device, ReadFrame());
                }
                case (byte)'G':
                {
                    var node = ReadNode((byte)' ');
                    var user = ReadNumber((byte)' ');
                    return new DeviceGoneRecord(node, user, ReadNumber((byte)'\n'));
                }
                default:
                    throw new FormatException($"Unknown record kind 0x{kind:X2} at byte {start}.");
            }
        }

        private ReadOnlyMemory<byte> ReadFrame()
        {
            var length = ReadNumber((byte)'\n');
            if (length > envelope.Length - _at) throw Malformed("length (past the end of the envelope)");
            var frame = envelope.Slice(_at, (int)length);
            _at += (int)length;
            return frame;
        }

        private long[] ReadUsers()
        {
            var users = new List<long>(1);
            while (true)
            {
                var (value, end) = Digits(envelope.Span, _at, "user");
                _at = end + 1;
                users.Add(value);
                var separator = envelope.Span[end];
                if (separator == (byte)' ') return [.. users];
                if (separator != (byte)',') throw Malformed("user list");
            }
        }

        private long ReadNumber(byte terminator)
        {
            var (value, end) = Digits(envelope.Span, _at, "number");
            if (envelope.Span[end] != terminator) throw Malformed("number");
            _at = end + 1;
            return value;
        }

        private string ReadNode(byte terminator)
        {
            var node = ReadText(terminator, MaxNodeLength, "node");
            return IsNode(node) ? node : throw Malformed("node");
        }

        private string ReadText(byte terminator, int maxLength, string what)
        {
            var span = envelope.Span[_at..];
            var end = span.IndexOf(terminator);
            if (end <= 0 || end > maxLength) throw Malformed(what);
            _at += end + 1;
            return Encoding.ASCII.GetString(span[..end]);
        }

        /// <summary>Digits from <paramref name="at"/>; returns the value and the index of the first byte after them (which must exist).</summary>
        private readonly (long Value, int End) Digits(ReadOnlySpan<byte> bytes, int at, string what)
        {
            long value = 0;
            var i = at;
            for (; i < bytes.Length && bytes[i] is >= (byte)'0' and <= (byte)'9'; i++)
            {
                var digit = bytes[i] - '0';
                if (i - at == MaxDigits || value > (long.MaxValue - digit) / 10) throw Malformed(what);
                value = value * 10 + digit;
            }
            if (i == at || i == bytes.Length) throw Malformed(what);
            return (value, i);
        }

        private readonly FormatException Malformed(string what) => new($"Malformed {what} in the record before byte {_at}.");
    }
}

/// <summary>One record of an envelope (<see cref="Envelopes"/>).</summary>
public abstract record EnvelopeRecord;

/// <summary>F: a frame for these users' devices on the receiving node, except one device (0: none).</summary>
public sealed record FramesRecord(long Except, long[] Users, ReadOnlyMemory<byte> Frame) : EnvelopeRecord;

/// <summary>C: a change made on another node.</summary>
public sealed record ChangeRecord(string Topic, long Id) : EnvelopeRecord;

/// <summary>D: one frame for one device of the receiving node.</summary>
public sealed record DeviceFrameRecord(long UserId, long DeviceId, ReadOnlyMemory<byte> Frame) : EnvelopeRecord;

/// <summary>R: a call frame from a device on another node, for a call of the receiving node.</summary>
public sealed record CallFrameRecord(string Node, long UserId, long DeviceId, ReadOnlyMemory<byte> Frame) : EnvelopeRecord;

/// <summary>G: a device on another node, which had forwarded call frames, is gone.</summary>
public sealed record DeviceGoneRecord(string Node, long UserId, long DeviceId) : EnvelopeRecord;
