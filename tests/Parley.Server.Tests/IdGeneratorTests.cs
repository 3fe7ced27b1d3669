using Microsoft.Extensions.Time.Testing;
using Parley.Server.Storage;

namespace Parley.Server.Tests;

public sealed class IdGeneratorTests
{
    [Fact]
    public void IdsStrictlyIncreaseEvenPastFourThousandInOneMillisecond()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var ids = new IdGenerator(7, clock);
        var previous = 0L;
        for (var i = 0; i < 10_000; i++)
        {
            var id = ids.Next();
            Assert.True(id > previous);
            previous = id;
        }
    }

    [Fact]
    public void IdsKeepIncreasingWhenTheClockStepsBack()
    {
        var clock = new SettableClock { Now = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero) };
        var ids = new IdGenerator(1, clock);
        var before = ids.Next();
        clock.Now = clock.Now.AddSeconds(-5);
        Assert.True(ids.Next() > before);
    }

    [Fact]
    public void AnIdIsMadeHereOnlyByThisProcessNotByAnotherWorkerNorBeforeARestart()
    {
        var clock = new SettableClock { Now = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero) };
        var before = new IdGenerator(3, clock).Next();
        clock.Now = clock.Now.AddSeconds(10);
        var restarted = new IdGenerator(3, clock);
        var other = new IdGenerator(4, clock).Next();
        clock.Now = clock.Now.AddSeconds(-5);
        var afterClockStepBack = restarted.Next();

        Assert.True(restarted.MadeHere(afterClockStepBack));
        Assert.False(restarted.MadeHere(before));
        Assert.False(restarted.MadeHere(other));
    }

    [Fact]
    public void TwoWorkersNeverIssueTheSameId()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var a = new IdGenerator(1, clock);
        var b = new IdGenerator(2, clock);
        var seen = new HashSet<long>();
        for (var i = 0; i < 5_000; i++)
        {
            Assert.True(seen.Add(a.Next()));
            Assert.True(seen.Add(b.Next()));
        }
    }

    [Fact]
    public void AWorkerIdOutsideTenBitsIsRefused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new IdGenerator(1024, TimeProvider.System));
        Assert.Throws<ArgumentOutOfRangeException>(() => new IdGenerator(-1, TimeProvider.System));
    }

    [Fact]
    public void IdsFitInJavaScriptSafeIntegersForDecades()
    {
        // Not required (ids travel as strings) but keeps them readable in logs and tools.
        var clock = new FakeTimeProvider(new DateTimeOffset(2060, 1, 1, 0, 0, 0, TimeSpan.Zero));
        Assert.True(new IdGenerator(1023, clock).Next() > 0);
    }

    /// <summary>A wall clock that can be stepped back, as NTP sometimes does.</summary>
    private sealed class SettableClock : TimeProvider
    {
        public DateTimeOffset Now { get; set; }
        public override DateTimeOffset GetUtcNow() => Now;
    }
}
