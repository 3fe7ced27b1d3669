using Parley.Client;
using Parley.IntegrationTests.Infrastructure;

namespace Parley.IntegrationTests.Platform;

/// <summary>Every event type reaches a real receiver, signed, with the resource API.md says (message, user, call record).</summary>
public sealed class WebhookEventTypesTests
{
    private static readonly Dictionary<string, string?> Settings = new()
    {
        ["Webhooks:BackoffScale"] = "0.02",
        ["Retention:SweepInterval"] = "00:00:00.500",
    };

    [Fact]
    public async Task EditsRecallsAndRetentionDeletionsOfMessagesAreDelivered()
    {
        await using var server = await TestServer.StartAsync(Settings);
        await using var receiver = await WebhookReceiver.StartAsync();
        using var admin = await server.NewAdminAsync();
        var hook = await admin.CreateWebhookAsync(new CreateWebhookRequest
        {
            Url = receiver.Url.ToString(), Events = ["message.edited", "message.recalled", "message.deleted_by_retention"],
        });
        var ann = await admin.CreateUserAsync(new CreateUserRequest { Nickname = "Ann" });
        var ben = await admin.CreateUserAsync(new CreateUserRequest { Nickname = "Ben" });
        await admin.MakeFriendsAsync(ann.Id, ben.Id);
        using var annApp = await server.SignInAsync(admin, ann.Id);

        var first = await annApp.SendMessageAsync(SendTarget.User(ben.Id), "text", "teh first");
        var second = await annApp.SendMessageAsync(SendTarget.User(ben.Id), "text", "oops");
        await annApp.EditMessageAsync(first.ConversationId, first.MessageId, "the first");
        await annApp.RecallAsync(second.ConversationId, second.MessageId);

        var edited = Assert.Single(await receiver.AcceptedAsync("message.edited", 1));
        Assert.True(WebhookReceiver.SignatureIsValid(edited, hook.Secret));
        Assert.Equal((first.MessageId, "the first", 1L), (edited.Data.GetProperty("id").GetString(), edited.Data.GetProperty("content").GetString(),
            edited.Data.GetProperty("seq").GetInt64()));
        Assert.True(edited.Data.TryGetProperty("editedAt", out _));
        var recalled = Assert.Single(await receiver.AcceptedAsync("message.recalled", 1));
        Assert.Equal((second.MessageId, true), (recalled.Data.GetProperty("id").GetString(), recalled.Data.GetProperty("recalled").GetBoolean()));

        // Disappearing messages: once the sweeper has deleted one for good, the product hears of it.
        await annApp.SetMessageTtlAsync(first.ConversationId, 5);
        var fleeting = await annApp.SendMessageAsync(SendTarget.User(ben.Id), "text", "gone in five seconds");
        var deleted = Assert.Single(await receiver.AcceptedAsync("message.deleted_by_retention", 1, TimeSpan.FromSeconds(60)));
        Assert.Equal((fleeting.MessageId, fleeting.ConversationId, fleeting.Seq),
            (deleted.Data.GetProperty("id").GetString(), deleted.Data.GetProperty("conversationId").GetString(), deleted.Data.GetProperty("seq").GetInt64()));
    }

    [Fact]
    public async Task ASelfRegisteredUserComesOnlineGoesOfflineAndIsDeletedAndTheProductHearsEachTime()
    {
        await using var server = await TestServer.StartAsync(Settings);
        await using var receiver = await WebhookReceiver.StartAsync();
        using var admin = await server.NewAdminAsync();
        await admin.CreateWebhookAsync(new CreateWebhookRequest
        {
            Url = receiver.Url.ToString(), Events = ["user.created", "user.online", "user.offline", "user.deleted"],
        });

        using var app = await server.NewUserAsync("Self-made");
        var created = Assert.Single(await receiver.AcceptedAsync("user.created", 1));
        Assert.Equal((app.UserId, "Self-made"), (created.Data.GetProperty("id").GetString(), created.Data.GetProperty("nickname").GetString()));

        await using (var socket = await ParleyRealtime.ConnectAsync(app))
        {
            await socket.RequestAsync("ping", null);
            var online = Assert.Single(await receiver.AcceptedAsync("user.online", 1));
            Assert.Equal((app.UserId, true), (online.Data.GetProperty("id").GetString(), online.Data.GetProperty("online").GetBoolean()));
        }
        var offline = Assert.Single(await receiver.AcceptedAsync("user.offline", 1));
        Assert.Equal((app.UserId, false), (offline.Data.GetProperty("id").GetString(), offline.Data.GetProperty("online").GetBoolean()));

        var imported = await admin.CreateUserAsync(new CreateUserRequest { Nickname = "Imported", ExternalId = "shop-42" });
        await app.DeleteAccountAsync("correct horse 1");
        await admin.DeleteUserAsync(imported.Id);
        // Ordered per user, not across users.
        var deleted = (await receiver.AcceptedAsync("user.deleted", 2)).ToDictionary(d => d.Data.GetProperty("id").GetString()!);
        Assert.Equal(new[] { app.UserId, imported.Id }.Order(), deleted.Keys.Order());
        Assert.Equal("shop-42", deleted[imported.Id].Data.GetProperty("externalId").GetString());
        Assert.Equal(2, (await receiver.AcceptedAsync("user.created", 2)).Count);
    }

    [Fact]
    public async Task AnEndedCallIsDeliveredAsItsRecord()
    {
        await using var server = await TestServer.StartAsync(Settings);
        await using var receiver = await WebhookReceiver.StartAsync();
        using var admin = await server.NewAdminAsync();
        await admin.CreateWebhookAsync(new CreateWebhookRequest { Url = receiver.Url.ToString(), Events = ["call.ended"] });
        var ann = await admin.CreateUserAsync(new CreateUserRequest { Nickname = "Ann" });
        var ben = await admin.CreateUserAsync(new CreateUserRequest { Nickname = "Ben" });
        await admin.MakeFriendsAsync(ann.Id, ben.Id);
        using var annApp = await server.SignInAsync(admin, ann.Id);
        using var benApp = await server.SignInAsync(admin, ben.Id);
        await using var annPhone = await StatsTests.Connected(annApp);
        await using var benPhone = await StatsTests.Connected(benApp);

        var callId = await annPhone.InviteCallAsync(ben.Id, "video");
        await benPhone.NextEventAsync("call.incoming");
        await annPhone.HangupCallAsync(callId);

        var ended = Assert.Single(await receiver.AcceptedAsync("call.ended", 1));
        Assert.Equal((callId, ann.Id, ben.Id, ann.Id, "video", "cancelled", 0L),
            (ended.Data.GetProperty("callId").GetString(), ended.Data.GetProperty("callerId").GetString(), ended.Data.GetProperty("calleeId").GetString(),
             ended.Data.GetProperty("initiatorId").GetString(), ended.Data.GetProperty("media").GetString(), ended.Data.GetProperty("endReason").GetString(),
             ended.Data.GetProperty("durationMs").GetInt64()));
    }
}
