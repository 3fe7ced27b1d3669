using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.WebSockets;
using System.Text;

namespace Parley.Bench;

/// <summary>
/// One open-loop run of messages: what was sent when, what was acknowledged and delivered, and the latencies.
/// Each message's state lives in arrays indexed by its sequence number, so the receive loops record without
/// allocating. Frames carry a tag that is unique to the run, so late frames of an earlier run are not counted.
/// </summary>
public sealed class MessageRun : IFrameHandler
{
    /// <summary>Request ids are <c>tag * IdBase + seq</c>.</summary>
    public const long IdBase = 1_000_000_000;

    private readonly long[] _sentAt;
    private readonly byte[] _acked;
    private readonly byte[] _errored;
    private readonly int[] _received;
    // Messages a reconnected device fetched from the history (failover): a live copy that arrives as well is not a duplicate.
    private readonly byte[] _recovered;
    private readonly long[]? _lastDelivery;
    private readonly double _ticksPerMessage;
    private long _nextSeq = -1;
    private long _measuredSent, _measuredAcked, _measuredComplete, _measuredErrored;
    private long _deliveredInWindow, _ackedInWindow, _duplicates, _foreign, _overflow, _recoveredCount, _alsoLive;

    public MessageRun(long tag, double rate, long scheduleStart, double warmupSeconds, double durationSeconds, int receiversPerMessage)
    {
        Tag = tag;
        Rate = rate;
        ReceiversPerMessage = receiversPerMessage;
        ScheduleStart = scheduleStart;
        WindowStart = scheduleStart + (long)(warmupSeconds * Stopwatch.Frequency);
        WindowEnd = WindowStart + (long)(durationSeconds * Stopwatch.Frequency);
        DurationSeconds = durationSeconds;
        var capacity = (long)(rate * (warmupSeconds + durationSeconds) * 1.02) + 1_000;
        if (capacity >= IdBase) throw new ArgumentException("Too many messages for one run.");
        _sentAt = new long[capacity];
        _acked = new byte[capacity];
        _errored = new byte[capacity];
        _received = new int[capacity];
        _recovered = new byte[capacity];
        if (receiversPerMessage > 1) _lastDelivery = new long[capacity];
        _ticksPerMessage = Stopwatch.Frequency / rate;
    }

    public long Tag { get; }
    public double Rate { get; }
    public int ReceiversPerMessage { get; }
    public long ScheduleStart { get; }
    public long WindowStart { get; }
    public long WindowEnd { get; }
    public double DurationSeconds { get; }

    /// <summary>Every delivery of a message sent in the measured window: send → msg.new at the receiver.</summary>
    public Histogram Latency { get; } = new();

    /// <summary>Send → msg.ack, for messages sent in the window: the server's accept-and-commit time.</summary>
    public Histogram AckLatency { get; } = new();

    /// <summary>How late the generator sent each message against its schedule.</summary>
    public Histogram Lag { get; } = new();

    public ConcurrentDictionary<string, int> ErrorCodes { get; } = new();

    public long Sent => Math.Min(Interlocked.Read(ref _nextSeq) + 1, _sentAt.Length);
    public long MeasuredSent => Interlocked.Read(ref _measuredSent);
    public long MeasuredAcked => Interlocked.Read(ref _measuredAcked);
    public long MeasuredComplete => Interlocked.Read(ref _measuredComplete);
    public long MeasuredErrored => Interlocked.Read(ref _measuredErrored);
    public long DeliveredInWindow => Interlocked.Read(ref _deliveredInWindow);
    public long AckedInWindow => Interlocked.Read(ref _ackedInWindow);
    public long Duplicates => Interlocked.Read(ref _duplicates);
    public long Foreign => Interlocked.Read(ref _foreign);
    public long Overflow => Interlocked.Read(ref _overflow);
    public long RecoveredCount => Interlocked.Read(ref _recoveredCount);
    public long AlsoLive => Interlocked.Read(ref _alsoLive);

    public bool InWindow(long ticks) => ticks >= WindowStart && ticks < WindowEnd;

    /// <summary>The next sequence number, or -1 when the run's arrays are full (counted; should not happen).</summary>
    public long NextSeq()
    {
        var seq = Interlocked.Increment(ref _nextSeq);
        if (seq < _sentAt.Length) return seq;
        Interlocked.Increment(ref _overflow);
        return -1;
    }

    /// <summary>Called just before the frame goes out (an ack can come back before the send call returns).</summary>
    public void MarkSent(long seq, long now)
    {
        Volatile.Write(ref _sentAt[seq], now);
        if (!InWindow(now)) return;
        Interlocked.Increment(ref _measuredSent);
        Lag.RecordTicks(now - (ScheduleStart + (long)(seq * _ticksPerMessage)));
    }

    public void OnFrame(BenchSocket socket, ReadOnlySpan<byte> frame, long receivedAt)
    {
        var parsed = ParsedFrame.Parse(frame);
        switch (parsed.Kind)
        {
            case FrameKind.MessageNew:
                OnMessage(parsed.Content, receivedAt);
                break;
            case FrameKind.Ack:
                if (Own(parsed.Id, out var acked) && Interlocked.Exchange(ref _acked[acked], 1) == 0)
                {
                    var sentAt = Volatile.Read(ref _sentAt[acked]);
                    if (InWindow(sentAt))
                    {
                        Interlocked.Increment(ref _measuredAcked);
                        AckLatency.RecordTicks(receivedAt - sentAt);
                    }
                    if (InWindow(receivedAt)) Interlocked.Increment(ref _ackedInWindow);
                }
                break;
            case FrameKind.Error:
                var code = parsed.Code.IsEmpty ? "error" : Encoding.UTF8.GetString(parsed.Code);
                ErrorCodes.AddOrUpdate(code, 1, (_, n) => n + 1);
                if (Own(parsed.Id, out var failed) && Interlocked.Exchange(ref _errored[failed], 1) == 0
                    && InWindow(Volatile.Read(ref _sentAt[failed])))
                    Interlocked.Increment(ref _measuredErrored);
                break;
        }
    }

    private void OnMessage(ReadOnlySpan<byte> content, long receivedAt)
    {
        if (!ParsedFrame.TryParseContent(content, Tag, out var seq, out var sentAt) || seq < 0 || seq >= _sentAt.Length)
        {
            Interlocked.Increment(ref _foreign);
            return;
        }
        var count = Interlocked.Increment(ref _received[seq]);
        if (count > ReceiversPerMessage)
        {
            Interlocked.Increment(ref Volatile.Read(ref _recovered[seq]) != 0 ? ref _alsoLive : ref _duplicates);
            return;
        }
        Record(seq, sentAt, count, receivedAt);
    }

    /// <summary>
    /// A message of a one-receiver run that a reconnected device read from the history (the failover run): counted as
    /// delivered, at the time it was read, unless it came live already. Returns whether it was new to the receiver.
    /// </summary>
    public bool Recover(ReadOnlySpan<byte> content, long receivedAt)
    {
        if (ReceiversPerMessage != 1 || !ParsedFrame.TryParseContent(content, Tag, out var seq, out var sentAt) || seq < 0 || seq >= _sentAt.Length)
            return false;
        // Marked before the claim, so that a live copy that comes after it is told from a duplicate; unmarked if the
        // receiver had it already, so that a second live copy of such a message still counts as a duplicate.
        Volatile.Write(ref _recovered[seq], 1);
        if (Interlocked.CompareExchange(ref _received[seq], 1, 0) != 0)
        {
            Volatile.Write(ref _recovered[seq], 0);
            return false;
        }
        Interlocked.Increment(ref _recoveredCount);
        Record(seq, sentAt, 1, receivedAt);
        return true;
    }

    private void Record(long seq, long sentAt, int count, long receivedAt)
    {
        if (InWindow(receivedAt)) Interlocked.Increment(ref _deliveredInWindow);
        if (!InWindow(sentAt)) return;
        var latency = receivedAt - sentAt;
        Latency.RecordTicks(latency);
        if (_lastDelivery is not null)
        {
            var max = Volatile.Read(ref _lastDelivery[seq]);
            while (latency > max)
            {
                var seen = Interlocked.CompareExchange(ref _lastDelivery[seq], latency, max);
                if (seen == max) break;
                max = seen;
            }
        }
        if (count == ReceiversPerMessage) Interlocked.Increment(ref _measuredComplete);
    }

    private bool Own(long id, out long seq)
    {
        seq = id % IdBase;
        return id >= 0 && id / IdBase == Tag && seq < _sentAt.Length;
    }

    /// <summary>True when every message sent in the window is acknowledged and delivered to all its receivers (or failed).</summary>
    public bool Settled => MeasuredAcked + MeasuredErrored >= MeasuredSent && MeasuredComplete >= MeasuredSent;

    /// <summary>For messages sent in the window: how many lack an ack, how many reached fewer than all receivers, and the deliveries missing.</summary>
    public (long NotAcked, long NotComplete, long MissingDeliveries) Losses()
    {
        long notAcked = 0, notComplete = 0, missing = 0;
        var sent = Sent;
        for (var seq = 0L; seq < sent; seq++)
        {
            if (!InWindow(_sentAt[seq])) continue;
            if (_acked[seq] == 0) notAcked++;
            var received = Math.Min(_received[seq], ReceiversPerMessage);
            if (received < ReceiversPerMessage)
            {
                notComplete++;
                missing += ReceiversPerMessage - received;
            }
        }
        return (notAcked, notComplete, missing);
    }

    /// <summary>Per message sent in the window and delivered to everyone: the latency to its last receiver.</summary>
    public Histogram LastReceiverLatency()
    {
        var histogram = new Histogram();
        if (_lastDelivery is null) return Latency;
        var sent = Sent;
        for (var seq = 0L; seq < sent; seq++)
            if (InWindow(_sentAt[seq]) && _received[seq] >= ReceiversPerMessage) histogram.RecordTicks(_lastDelivery[seq]);
        return histogram;
    }
}

/// <summary>
/// One sending device. <see cref="Offer"/> is called by the scheduler, never waits, and never starts a task
/// per message: the first offer runs the pump inline (a loopback send usually completes at once); offers
/// that arrive while a send is still in flight are counted and sent by the same pump, in order.
/// </summary>
public sealed class SenderSlot
{
    private readonly BenchSocket _socket;
    private readonly MessageRun _run;
    private readonly byte[] _buffer;
    private static readonly byte[] Head = "{\"type\":\"msg.send\",\"id\":\""u8.ToArray();
    private readonly byte[] _target;
    private readonly byte[] _pad;
    private int _pending;

    /// <param name="target">The <c>to</c> object as JSON, e.g. <c>{"userId":"123"}</c>.</param>
    public SenderSlot(BenchSocket socket, MessageRun run, string target, int pad)
    {
        _socket = socket;
        _run = run;
        _target = Encoding.UTF8.GetBytes("\",\"data\":{\"to\":" + target + ",\"clientMsgId\":\"");
        _pad = pad > 0 ? Encoding.UTF8.GetBytes(" " + new string('x', pad - 1)) : [];
        _buffer = new byte[256 + _target.Length + _pad.Length];
    }

    public int Pending => Volatile.Read(ref _pending);

    public void Offer()
    {
        if (Interlocked.Increment(ref _pending) == 1) _ = PumpAsync();
    }

    private async Task PumpAsync()
    {
        do
        {
            var seq = _run.NextSeq();
            if (seq < 0) continue;
            var now = Stopwatch.GetTimestamp();
            var length = Build(seq, now);
            _run.MarkSent(seq, now);
            // A closed socket still takes its share of the schedule: those messages count as lost.
            if (_socket.Closed) continue;
            try
            {
                await _socket.Socket.SendAsync(_buffer.AsMemory(0, length), WebSocketMessageType.Text, endOfMessage: true, CancellationToken.None);
            }
            catch (Exception e) when (e is WebSocketException or ObjectDisposedException or OperationCanceledException or InvalidOperationException)
            {
                _socket.MarkClosed("send failed: " + e.Message);
            }
        } while (Interlocked.Decrement(ref _pending) > 0);
    }

    /// <summary>{"type":"msg.send","id":"ID","data":{"to":TARGET,"clientMsgId":"TAG-SEQ","type":"text","content":"TAG:SEQ:TICKS PAD"}}</summary>
    private int Build(long seq, long ticks)
    {
        var span = _buffer.AsSpan();
        var n = Put(span, 0, Head);
        n += Number(span[n..], _run.Tag * MessageRun.IdBase + seq);
        n += Put(span, n, _target);
        n += Number(span[n..], _run.Tag);
        span[n++] = (byte)'-';
        n += Number(span[n..], seq);
        n += Put(span, n, "\",\"type\":\"text\",\"content\":\""u8);
        n += Number(span[n..], _run.Tag);
        span[n++] = (byte)':';
        n += Number(span[n..], seq);
        span[n++] = (byte)':';
        n += Number(span[n..], ticks);
        n += Put(span, n, _pad);
        n += Put(span, n, "\"}}"u8);
        return n;
    }

    private static int Put(Span<byte> span, int at, ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(span[at..]);
        return bytes.Length;
    }

    private static int Number(Span<byte> span, long value)
    {
        System.Buffers.Text.Utf8Formatter.TryFormat(value, span, out var written);
        return written;
    }
}
