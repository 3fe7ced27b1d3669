namespace Parley.Server.Storage;

/// <summary>
/// Issues 64-bit, roughly time-ordered ids (the Snowflake layout: 41 bits of milliseconds since 2025-01-01,
/// 10 bits of worker id, 12 bits of sequence). Ids are made in the process, so inserts need no round trip
/// to learn their key, and several nodes never collide as long as each has its own worker id.
/// </summary>
public sealed class IdGenerator
{
    private static readonly long Epoch = new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds();
    private const int WorkerBits = 10;
    private const int SequenceBits = 12;
    private const long MaxSequence = (1L << SequenceBits) - 1;

    private readonly TimeProvider _time;
    private readonly long _worker;
    private readonly Lock _gate = new();
    private long _lastMs;
    private long _sequence;

    public IdGenerator(int workerId, TimeProvider time)
    {
        if (workerId is < 0 or >= 1 << WorkerBits)
            throw new ArgumentOutOfRangeException(nameof(workerId), $"The worker id must be between 0 and {(1 << WorkerBits) - 1}.");
        _worker = workerId;
        _time = time;
        // Ids never go below the start, even should the clock step back: so MadeHere knows an earlier process's ids.
        _lastMs = Math.Max(0, time.GetUtcNow().ToUnixTimeMilliseconds() - Epoch);
        _firstOwnId = _lastMs << (WorkerBits + SequenceBits);
    }

    // Every id this process makes is at least this: ids of this worker below it were made by an earlier process.
    private readonly long _firstOwnId;

    public int WorkerId => (int)_worker;

    /// <summary>The worker id an id was made by.</summary>
    public static int WorkerOf(long id) => (int)((id >> SequenceBits) & ((1L << WorkerBits) - 1));

    /// <summary>Whether this process made <paramref name="id"/> (not another node, nor this node before a restart).</summary>
    public bool MadeHere(long id) => WorkerOf(id) == WorkerId && id >= _firstOwnId;

    /// <summary>The smallest id made at or after <paramref name="time"/>: every id made before it is smaller.</summary>
    public static long FirstIdAt(DateTimeOffset time) =>
        Math.Max(0, time.ToUnixTimeMilliseconds() - Epoch) << (WorkerBits + SequenceBits);

    public long Next()
    {
        lock (_gate)
        {
            var now = Math.Max(_time.GetUtcNow().ToUnixTimeMilliseconds() - Epoch, _lastMs);
            if (now == _lastMs)
            {
                _sequence = (_sequence + 1) & MaxSequence;
                // 4,096 ids in one millisecond: borrow the next millisecond rather than wait for the clock.
                if (_sequence == 0) now++;
            }
            else
            {
                _sequence = 0;
            }
            _lastMs = now;
            return (now << (WorkerBits + SequenceBits)) | (_worker << SequenceBits) | _sequence;
        }
    }
}
