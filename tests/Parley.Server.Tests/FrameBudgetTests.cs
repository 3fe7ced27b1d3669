using Microsoft.Extensions.Time.Testing;
using Parley.Server.Realtime;

namespace Parley.Server.Tests;

public sealed class FrameBudgetTests
{
    [Fact]
    public void ABurstIsAllowedThenFramesComeBackWithTime()
    {
        var clock = new FakeTimeProvider();
        var budget = new FrameBudget(perSecond: 10, burst: 20, clock);
        for (var i = 0; i < 20; i++) Assert.True(budget.TryTake());
        Assert.False(budget.TryTake());

        clock.Advance(TimeSpan.FromMilliseconds(100));
        Assert.True(budget.TryTake());
        Assert.False(budget.TryTake());

        clock.Advance(TimeSpan.FromMinutes(1));
        for (var i = 0; i < 20; i++) Assert.True(budget.TryTake());
        Assert.False(budget.TryTake());
    }
}
