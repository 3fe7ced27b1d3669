using Parley.Client;
using Parley.IntegrationTests.ScaleOut;

namespace Parley.IntegrationTests.Platform;

/// <summary>The platform API on two nodes sharing PostgreSQL and Redis: broadcasts delivered live across nodes, stats over both.</summary>
public sealed class PlatformAcrossNodesTests
{
    [Fact]
    public async Task ARecipientConnectedToTheOtherNodeGetsTheBroadcastLive()
    {
        await using var nodes = await TwoNodes.StartAsync();
        using var admin = await nodes.A.NewAdminAsync();
        using var reader = await nodes.NewUserAsync("Reader");
        await using var onB = await TwoNodes.ConnectAsync(reader.OnB);

        var accepted = await admin.BroadcastAsync("Across the cluster", [reader.Id]);
        Assert.Equal(1, accepted.Recipients);
        var live = await onB.NextEventAsync("msg.new", TimeSpan.FromSeconds(30));
        Assert.Equal(("system", "Across the cluster"), (live.Data.GetProperty("type").GetString(), live.Data.GetProperty("content").GetString()));
    }

    [Fact]
    public async Task StatsAddUpTheConnectionsOfBothNodes()
    {
        await using var nodes = await TwoNodes.StartAsync();
        using var admin = await nodes.A.NewAdminAsync();
        using var ann = await nodes.NewUserAsync("Ann");
        using var ben = await nodes.NewUserAsync("Ben");
        await using var annOnA = await TwoNodes.ConnectAsync(ann.OnA);
        await using var annOnB = await TwoNodes.ConnectAsync(ann.OnB);
        await using var benOnB = await TwoNodes.ConnectAsync(ben.OnB);

        // Node B publishes its count every heartbeat interval (250 ms here).
        var stats = await BroadcastTests.EventuallyAsync(async () =>
            await admin.GetStatsAsync() is { Connections: 3, Nodes: 2 } both ? both : null, TimeSpan.FromSeconds(30));
        Assert.Equal((2L, 2L), (stats.Users, stats.OnlineUsers));
    }
}
