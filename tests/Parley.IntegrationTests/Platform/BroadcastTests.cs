using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Parley.Client;
using Parley.IntegrationTests.Infrastructure;
using Parley.Server.Storage;

namespace Parley.IntegrationTests.Platform;

/// <summary>Broadcasts: into each recipient's read-only system conversation, live, synced, counted unread, resumed after a restart.</summary>
public sealed class BroadcastTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private TestServer Server => fixture.Server;

    [Fact]
    public async Task ABroadcastToAListReachesThoseUsersLiveAndInAReadOnlySystemConversationAndNobodyElse()
    {
        using var admin = await Server.NewAdminAsync();
        var ann = await admin.CreateUserAsync(new CreateUserRequest { Nickname = "Ann" });
        var ben = await admin.CreateUserAsync(new CreateUserRequest { Nickname = "Ben" });
        var cat = await admin.CreateUserAsync(new CreateUserRequest { Nickname = "Cat" });
        using var annApp = await Server.SignInAsync(admin, ann.Id);
        using var benApp = await Server.SignInAsync(admin, ben.Id);
        using var catApp = await Server.SignInAsync(admin, cat.Id);
        await using var annSocket = await ParleyRealtime.ConnectAsync(annApp);
        await annSocket.RequestAsync("ping", null);

        var accepted = await admin.BroadcastAsync("Maintenance tonight at 22:00", [ann.Id, ben.Id, ann.Id]);
        Assert.Equal(2, accepted.Recipients);
        Assert.NotEmpty(accepted.BroadcastId);

        var live = await annSocket.NextEventAsync("msg.new", TimeSpan.FromSeconds(30));
        Assert.Equal(("system", "0", "Maintenance tonight at 22:00", 1L),
            (live.Data.GetProperty("type").GetString(), live.Data.GetProperty("senderId").GetString(),
             live.Data.GetProperty("content").GetString(), live.Data.GetProperty("seq").GetInt64()));
        var systemId = live.Data.GetProperty("conversationId").GetString()!;

        var listed = Assert.Single((await annApp.ListConversationsAsync()).Conversations, c => c.Id == systemId);
        Assert.Equal(("system", 1L, 1L), (listed.Kind, listed.UnreadCount, listed.LastSeq));
        Assert.Equal("Maintenance tonight at 22:00", listed.LastMessage?.Preview);

        // Read-only for its owner, invisible to anyone else.
        await Refused.WithAsync(HttpStatusCode.Forbidden, "conversation_read_only",
            () => annApp.SendMessageAsync(SendTarget.Conversation(systemId), "text", "can I answer?"));
        var overSocket = await Assert.ThrowsAsync<ParleyRealtimeException>(
            () => annSocket.SendMessageAsync(SendTarget.Conversation(systemId), "text", "over the socket?"));
        Assert.Equal("conversation_read_only", overSocket.Code);
        await Refused.WithAsync(HttpStatusCode.NotFound, "conversation_not_found",
            () => catApp.SendMessageAsync(SendTarget.Conversation(systemId), "text", "or I?"));
        await Refused.WithAsync(HttpStatusCode.NotFound, "conversation_not_found", () => catApp.GetMessagesAsync(systemId));

        // Ben was not connected: it waits for him in his own system conversation, and sync brings it.
        var benSystem = await EventuallyAsync(async () =>
            (await benApp.ListConversationsAsync()).Conversations.FirstOrDefault(c => c.Kind == "system"));
        Assert.NotEqual(systemId, benSystem.Id);
        Assert.Equal(1, benSystem.UnreadCount);
        await using (var benSocket = await ParleyRealtime.ConnectAsync(benApp))
        {
            await benSocket.RequestAsync("msg.sync", new { });
            var batch = await benSocket.NextEventAsync("msg.batch");
            var synced = Assert.Single(batch.Data.GetProperty("messages").EnumerateArray());
            Assert.Equal("Maintenance tonight at 22:00", synced.GetProperty("content").GetString());
        }
        Assert.DoesNotContain((await catApp.ListConversationsAsync()).Conversations, c => c.Kind == "system");

        // Like any conversation: it can be muted and read, and the next broadcast lands in the same one.
        Assert.True((await annApp.UpdateConversationAsync(systemId, muted: true)).Muted);
        await annApp.MarkReadAsync(systemId, 1);
        await admin.BroadcastAsync("Done, thank you", [ann.Id]);
        var second = await annSocket.NextEventAsync("msg.new", TimeSpan.FromSeconds(30));
        Assert.Equal((systemId, 2L), (second.Data.GetProperty("conversationId").GetString(), second.Data.GetProperty("seq").GetInt64()));
        var after = await annApp.GetConversationAsync(systemId);
        Assert.Equal((1L, true), (after.UnreadCount, after.Muted));
        Assert.Equal(["Maintenance tonight at 22:00", "Done, thank you"],
            (await annApp.GetMessagesAsync(systemId)).OrderBy(m => m.Seq).Select(m => m.Content.GetString()));
    }

    [Fact]
    public async Task ABroadcastIsRefusedWithoutTextOrWithUnknownOrTooManyUsers()
    {
        using var admin = await Server.NewAdminAsync();
        var user = await admin.CreateUserAsync(new CreateUserRequest { Nickname = "Someone" });
        await Refused.WithAsync(HttpStatusCode.BadRequest, "validation_failed", () => admin.BroadcastAsync("", [user.Id]));
        await Refused.WithAsync(HttpStatusCode.BadRequest, "validation_failed", () => admin.BroadcastAsync("   ", [user.Id]));
        await Refused.WithAsync(HttpStatusCode.BadRequest, "validation_failed", () => admin.BroadcastAsync(new string('x', 4001), [user.Id]));
        await Refused.WithAsync(HttpStatusCode.BadRequest, "validation_failed", () => admin.BroadcastAsync("hello", []));
        await Refused.WithAsync(HttpStatusCode.BadRequest, "validation_failed", () => admin.BroadcastAsync("hello", ["not an id"]));
        await Refused.WithAsync(HttpStatusCode.NotFound, "user_not_found", () => admin.BroadcastAsync("hello", [user.Id, "987654321987"]));
        await Refused.WithAsync(HttpStatusCode.BadRequest, "validation_failed",
            () => admin.BroadcastAsync("hello", Enumerable.Range(1, 10_001).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture))));

        using var app = await Server.SignInAsync(admin, user.Id);
        using var asUser = await app.SendRawAsync(HttpMethod.Post, "api/v1/admin/broadcasts", new { content = "not mine to send" });
        Assert.True(asUser.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden, asUser.StatusCode.ToString());
    }

    [Fact]
    public async Task ABroadcastToEveryoneReachesEveryAccountBotsIncludedOnce()
    {
        await using var server = await TestServer.StartAsync(new Dictionary<string, string?> { ["Broadcasts:BatchSize"] = "4" });
        using var admin = await server.NewAdminAsync();
        var users = new List<AdminUserView>();
        for (var i = 0; i < 9; i++) users.Add(await admin.CreateUserAsync(new CreateUserRequest { Nickname = $"User {i}", Bot = i == 0 }));

        var accepted = await admin.BroadcastAsync("Hello, everyone");
        Assert.Equal(9, accepted.Recipients);
        await server.WaitForBroadcastAsync(accepted.BroadcastId);
        Assert.Equal(users.Select(u => u.Id).Order(), (await server.BroadcastCopiesAsync()).Select(c => c.UserId).Order());
        Assert.All(await server.BroadcastCopiesAsync(), c => Assert.Equal(1, c.Copies));

        using var last = await server.SignInAsync(admin, users[^1].Id);
        var system = Assert.Single((await last.ListConversationsAsync()).Conversations, c => c.Kind == "system");
        Assert.Equal("Hello, everyone", Assert.Single(await last.GetMessagesAsync(system.Id)).Content.GetString());

        // An erased account's announcements go with it; the next broadcast to everyone leaves it out.
        await admin.DeleteUserAsync(users[0].Id);
        Assert.DoesNotContain(users[0].Id, (await server.BroadcastCopiesAsync()).Select(c => c.UserId));
        Assert.Equal(8, (await admin.BroadcastAsync("Without the erased")).Recipients);
    }

    [Fact]
    public async Task ABroadcastStoppedByARestartResumesWhereItWasAndNobodyGetsASecondCopy()
    {
        var directory = Directory.CreateTempSubdirectory("parley-broadcast-restart-").FullName;
        await using var database = await TestDatabase.CreateAsync(directory);
        var slow = new Dictionary<string, string?> { ["Broadcasts:BatchSize"] = "3", ["Broadcasts:RecipientsPerSecond"] = "5" };
        var ids = new List<string>();
        string broadcastId, key;
        LogSink firstLog;
        await using (var first = await TestServer.StartAsync(slow, sharedDatabase: database))
        {
            firstLog = first.Log;
            var (exit, output, error) = await first.ApiKeyAsync("create", "restart-test");
            Assert.True(exit == 0, error);
            key = output.Trim();
            using var admin = new ParleyAdminClient(first.BaseAddress, key);
            for (var i = 0; i < 30; i++) ids.Add((await admin.CreateUserAsync(new CreateUserRequest { Nickname = $"Reader {i}" })).Id);
            broadcastId = (await admin.BroadcastAsync("Resumed, not repeated", ids)).BroadcastId;
            // Stopped after some batches, well before the last (30 recipients at 5 a second take 6 s).
            await EventuallyAsync(async () => await first.BroadcastProgressAsync(broadcastId) is { Delivered: >= 6 } progress ? progress : null);
        }
        Assert.DoesNotContain(firstLog.Lines, line => line.Contains($"Broadcast {broadcastId} done", StringComparison.Ordinal));

        await using var second = await TestServer.StartAsync(new Dictionary<string, string?> { ["Broadcasts:BatchSize"] = "4" }, sharedDatabase: database);
        await second.WaitForBroadcastAsync(broadcastId);
        var copies = await second.BroadcastCopiesAsync();
        Assert.Equal(ids.Order(), copies.Select(c => c.UserId).Order());
        Assert.All(copies, c => Assert.Equal(1, c.Copies));
        Assert.Equal(30, (await second.BroadcastProgressAsync(broadcastId)).Delivered);
        using var adminAgain = new ParleyAdminClient(second.BaseAddress, key);
        using var reader = await second.SignInAsync(adminAgain, ids[^1]);
        var system = Assert.Single((await reader.ListConversationsAsync()).Conversations, c => c.Kind == "system");
        Assert.Equal((1L, 1L), (system.LastSeq, system.UnreadCount));
    }

    internal static async Task<T> EventuallyAsync<T>(Func<Task<T?>> probe, TimeSpan? timeout = null) where T : class
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(60));
        while (true)
        {
            if (await probe() is { } found) return found;
            if (DateTime.UtcNow > deadline) throw new TimeoutException("The condition did not come true in time.");
            await Task.Delay(100);
        }
    }
}
