using Parley.Client;
using Parley.IntegrationTests.ScaleOut;

namespace Parley.IntegrationTests.Platform;

/// <summary>The platform API on two nodes sharing PostgreSQL and Redis: broadcasts delivered live across nodes.</summary>
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
}
