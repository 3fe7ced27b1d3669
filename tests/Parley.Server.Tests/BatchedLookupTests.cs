using Parley.Server.Storage;

namespace Parley.Server.Tests;

public sealed class BatchedLookupTests
{
    [Fact]
    public async Task AsksMadeWhileAReadIsUnderWayAreAnsweredByOneMoreRead()
    {
        var reads = new List<IReadOnlyList<int>>();
        var firstStarted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var firstRead = new TaskCompletionSource();
        var lookup = new BatchedLookup<int, string>(async keys =>
        {
            int count;
            lock (reads)
            {
                reads.Add(keys);
                count = reads.Count;
            }
            if (count == 1)
            {
                firstStarted.SetResult();
                await firstRead.Task; // hold the first read until everyone else has asked
            }
            return keys.Where(k => k % 2 == 0).ToDictionary(k => k, k => $"value {k}");
        }, absent: "none");

        var first = lookup.GetAsync(0);
        await firstStarted.Task;
        var others = Enumerable.Range(1, 100).Select(lookup.GetAsync).ToList();
        var again = lookup.GetAsync(7); // the same key twice in one batch: one read of it, both askers answered
        firstRead.SetResult();

        Assert.Equal("value 0", await first);
        var answers = await Task.WhenAll(others);
        for (var i = 1; i <= 100; i++) Assert.Equal(i % 2 == 0 ? $"value {i}" : "none", answers[i - 1]);
        Assert.Equal("none", await again);
        Assert.Equal(2, reads.Count);
        Assert.Equal([0], reads[0]);
        Assert.Equal(Enumerable.Range(1, 100), reads[1].Order());
    }

    [Fact]
    public async Task AFailedReadFailsOnlyItsOwnAskersAndTheNextAskReadsAgain()
    {
        var calls = 0;
        var lookup = new BatchedLookup<int, int>(keys =>
            Interlocked.Increment(ref calls) == 1
                ? Task.FromException<IReadOnlyDictionary<int, int>>(new InvalidOperationException("database down"))
                : Task.FromResult<IReadOnlyDictionary<int, int>>(keys.ToDictionary(k => k, k => k * 10)), absent: -1);

        await Assert.ThrowsAsync<InvalidOperationException>(() => lookup.GetAsync(1));
        Assert.Equal(20, await lookup.GetAsync(2));
        Assert.Equal(2, calls);
    }

    [Fact]
    public async Task ALargeBurstIsReadInChunksOfTheBatchSize()
    {
        var sizes = new List<int>();
        var firstStarted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var gate = new TaskCompletionSource();
        var lookup = new BatchedLookup<int, int>(async keys =>
        {
            lock (sizes) sizes.Add(keys.Count);
            firstStarted.TrySetResult();
            await gate.Task;
            return keys.ToDictionary(k => k, k => k);
        }, absent: -1, maxBatch: 10);

        var asks = new List<Task<int>> { lookup.GetAsync(0) };
        await firstStarted.Task; // the first read holds key 0 alone; the other 25 wait for the next
        asks.AddRange(Enumerable.Range(1, 25).Select(lookup.GetAsync));
        gate.SetResult();
        Assert.Equal(Enumerable.Range(0, 26), await Task.WhenAll(asks));
        Assert.Equal([1, 10, 10, 5], sizes);
    }
}
