using Parley.Server.Storage;

namespace Parley.Server.Tests;

/// <summary>
/// The order in which SQLite's writers take their turns: those that messages wait for in arrival order, the search
/// indexer's turns behind them, but never overtaken more than <see cref="SqliteWriteGate.MaxOvertakes"/> times.
/// </summary>
public sealed class SqliteWriteGateTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private static Task<SqliteWriteGate.Turn> Enter(SqliteWriteGate gate, bool background, CancellationToken cancellationToken = default) =>
        gate.EnterAsync(background, cancellationToken).AsTask();

    [Fact]
    public async Task WritersThatMessagesWaitForGoInArrivalOrderAheadOfABackgroundWriter()
    {
        var gate = new SqliteWriteGate();
        var holder = await Enter(gate, background: false);
        var indexer = Enter(gate, background: true);
        var first = Enter(gate, background: false);
        var second = Enter(gate, background: false);

        holder.Dispose();
        var turn = await first.WaitAsync(Patience);
        Assert.False(second.IsCompleted);
        Assert.False(indexer.IsCompleted);
        turn.Dispose();
        turn = await second.WaitAsync(Patience);
        Assert.False(indexer.IsCompleted);
        turn.Dispose();
        (await indexer.WaitAsync(Patience)).Dispose();

        // Free again: the next writer has it at once.
        var free = Enter(gate, background: false);
        Assert.True(free.IsCompletedSuccessfully);
        (await free).Dispose();
    }

    [Fact]
    public async Task ABackgroundWriterOvertakenTheMostTimesAllowedGoesNext()
    {
        var gate = new SqliteWriteGate();
        var turn = await Enter(gate, background: false);
        var indexer = Enter(gate, background: true);
        for (var i = 0; i < SqliteWriteGate.MaxOvertakes; i++)
        {
            var next = Enter(gate, background: false);
            turn.Dispose();
            turn = await next.WaitAsync(Patience);
            Assert.False(indexer.IsCompleted);
        }

        // One more writer waits, but the indexer has been overtaken enough.
        var waiting = Enter(gate, background: false);
        turn.Dispose();
        var indexerTurn = await indexer.WaitAsync(Patience);
        Assert.False(waiting.IsCompleted);
        indexerTurn.Dispose();
        (await waiting.WaitAsync(Patience)).Dispose();
    }

    [Fact]
    public async Task AWaiterThatGaveUpIsPassedOverAndTheGateDoesNotJam()
    {
        var gate = new SqliteWriteGate();
        var holder = await Enter(gate, background: false);
        using var giveUp = new CancellationTokenSource();
        var cancelled = Enter(gate, background: false, giveUp.Token);
        var cancelledInBackground = Enter(gate, background: true, giveUp.Token);
        var after = Enter(gate, background: false);
        await giveUp.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled.WaitAsync(Patience));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelledInBackground.WaitAsync(Patience));

        holder.Dispose();
        (await after.WaitAsync(Patience)).Dispose();
        var free = Enter(gate, background: true);
        Assert.True(free.IsCompletedSuccessfully);
        (await free).Dispose();
    }

    [Fact]
    public async Task ManyWritersEachGetTheTurnAloneAndAllGetIt()
    {
        var gate = new SqliteWriteGate();
        var inside = 0;
        var most = 0;
        var done = 0;
        await Task.WhenAll(Enumerable.Range(0, 200).Select(i => Task.Run(async () =>
        {
            using var turn = await gate.EnterAsync(background: i % 3 == 0, CancellationToken.None);
            var now = Interlocked.Increment(ref inside);
            InterlockedMax(ref most, now);
            await Task.Yield();
            Interlocked.Decrement(ref inside);
            Interlocked.Increment(ref done);
        }))).WaitAsync(Patience);
        Assert.Equal(1, most);
        Assert.Equal(200, done);
        var free = Enter(gate, background: false);
        Assert.True(free.IsCompletedSuccessfully);
        (await free).Dispose();
    }

    private static void InterlockedMax(ref int field, int value)
    {
        var seen = Volatile.Read(ref field);
        while (value > seen)
        {
            var was = Interlocked.CompareExchange(ref field, value, seen);
            if (was == seen) return;
            seen = was;
        }
    }
}
