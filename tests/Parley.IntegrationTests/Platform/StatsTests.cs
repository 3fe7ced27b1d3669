using Parley.Client;
using Parley.IntegrationTests.Infrastructure;

namespace Parley.IntegrationTests.Platform;

/// <summary><c>GET /admin/stats</c> on one node (its own server, so that the counts are this test's).</summary>
public sealed class StatsTests
{
    [Fact]
    public async Task StatsCountEveryAccountBotsIncludedAndWhoIsConnectedOnHowManySockets()
    {
        await using var server = await TestServer.StartAsync();
        using var admin = await server.NewAdminAsync();
        var bot = await admin.CreateUserAsync(new CreateUserRequest { Nickname = "Bot", Bot = true });
        var ann = await admin.CreateUserAsync(new CreateUserRequest { Nickname = "Ann" });
        var ben = await admin.CreateUserAsync(new CreateUserRequest { Nickname = "Ben" });
        Assert.Equal(new StatsView(3, 0, 0, 0, 1), await admin.GetStatsAsync());

        using var annApp = await server.SignInAsync(admin, ann.Id);
        using var benApp = await server.SignInAsync(admin, ben.Id);
        await using var annPhone = await Connected(annApp);
        await using var annLaptop = await Connected(annApp);
        await using var benPhone = await Connected(benApp);
        foreach (var i in Enumerable.Range(1, 2))
            await admin.SendMessageAsync(new AdminMessageRequest { SenderId = bot.Id, To = SendTarget.User(ann.Id), ClientMsgId = $"s-{i}", Type = "text", Content = "hi" });

        Assert.Equal(new StatsView(3, 2, 3, 2, 1), await admin.GetStatsAsync());
    }

    internal static async Task<ParleyRealtime> Connected(ParleyClient client)
    {
        var socket = await ParleyRealtime.ConnectAsync(client);
        await socket.RequestAsync("ping", null);
        return socket;
    }
}
