namespace Parley.Server.Storage;

/// <summary>
/// SQLite's one write lock, taken in turn inside this process by the writers that run all the time: the message
/// committer, the broadcast writer and the search indexer. SQLite's own lock is not fair: a writer that finds it taken
/// backs off (1, 2, 5, 10 ms and more, <c>busy_timeout</c>) and another that comes back often can take it again in
/// between, so a broadcast raised the 1:1 p99 by 20 to 200 ms. Here a writer waits asynchronously for at most the
/// transaction in front of it. Per transaction, not per message. On PostgreSQL (row locks, many writers) it is never taken.
/// <para>Writers that no message waits for (the search indexer: <see cref="EnterInBackgroundAsync"/>) go after those that
/// messages wait for, which go in arrival order: measured, the indexer's turns taken in arrival order were the rest of
/// the 1:1 p99 at 5,000 msgs/s over the issue-4 build's (docs/benchmarks.md). So that a busy committer cannot keep a
/// background writer out for ever, one that has been overtaken <see cref="MaxOvertakes"/> times goes next.</para>
/// </summary>
public sealed class SqliteWriteGate
{
    /// <summary>
    /// How many turns may go ahead of a waiting background writer. Measured at 20,000 msgs/s, where the committer always
    /// waits: with 8 the indexer and its merges fell behind and the 1:1 p50 went from 57 to 86-267 ms; with 2, as before.
    /// </summary>
    public const int MaxOvertakes = 2;

    private readonly Lock _lock = new();
    private readonly Queue<Waiter> _first = new();
    private readonly Queue<Waiter> _background = new();
    private bool _held;
    private int _overtakes;

    /// <summary>Waits for the turn when <paramref name="db"/> is SQLite; dispose the result once the transaction has ended.</summary>
    public ValueTask<Turn> EnterAsync(ParleyDb db, CancellationToken cancellationToken) =>
        db is SqliteParleyDb ? EnterAsync(background: false, cancellationToken) : default;

    /// <summary>As <see cref="EnterAsync(ParleyDb, CancellationToken)"/>, behind every writer that messages wait for.</summary>
    public ValueTask<Turn> EnterInBackgroundAsync(ParleyDb db, CancellationToken cancellationToken) =>
        db is SqliteParleyDb ? EnterAsync(background: true, cancellationToken) : default;

    /// <summary>Waits for the turn, in arrival order or <paramref name="background"/> (for callers that only run on SQLite).</summary>
    public ValueTask<Turn> EnterAsync(bool background, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        Waiter waiter;
        lock (_lock)
        {
            if (!_held)
            {
                _held = true;
                return ValueTask.FromResult(new Turn(this));
            }
            waiter = new Waiter(this);
            (background ? _background : _first).Enqueue(waiter);
        }
        return waiter.WaitAsync(cancellationToken);
    }

    /// <summary>Hands the turn to the next waiter that still wants it, or frees the gate.</summary>
    private void Release()
    {
        while (true)
        {
            Waiter? next;
            lock (_lock)
            {
                if (_background.Count > 0 && (_first.Count == 0 || _overtakes >= MaxOvertakes))
                {
                    next = _background.Dequeue();
                    _overtakes = 0;
                }
                else if (_first.Count > 0)
                {
                    next = _first.Dequeue();
                    if (_background.Count > 0) _overtakes++;
                }
                else
                {
                    _held = false;
                    return;
                }
            }
            // A waiter whose wait was cancelled meanwhile declines; the turn goes on to the one after it.
            if (next.Grant()) return;
        }
    }

    private sealed class Waiter(SqliteWriteGate gate)
    {
        // Its continuation never runs inside Release, on the thread of the turn that just ended.
        private readonly TaskCompletionSource<Turn> _granted = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public bool Grant() => _granted.TrySetResult(new Turn(gate));

        public async ValueTask<Turn> WaitAsync(CancellationToken cancellationToken)
        {
            if (!cancellationToken.CanBeCanceled) return await _granted.Task;
            await using (cancellationToken.UnsafeRegister(static (state, token) => ((TaskCompletionSource<Turn>)state!).TrySetCanceled(token), _granted))
            {
                return await _granted.Task;
            }
        }
    }

    public readonly struct Turn(SqliteWriteGate? gate) : IDisposable
    {
        public void Dispose() => gate?.Release();
    }
}
