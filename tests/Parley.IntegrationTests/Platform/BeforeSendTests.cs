using System.Net;
using Microsoft.AspNetCore.Http;
using Parley.Client;
using Parley.IntegrationTests.Infrastructure;

namespace Parley.IntegrationTests.Platform;

/// <summary><c>message.before_send</c>: a real HTTP moderator allows, denies or replaces; its timeout and failOpen hold.</summary>
public sealed class BeforeSendTests
{
    [Fact]
    public async Task TheModeratorDeniesOverHttpAndTheSocketAndReplacesWhatIsStored()
    {
        await using var server = await TestServer.StartAsync();
        await using var moderator = await WebhookReceiver.StartAsync();
        moderator.Respond = received => received.Data.GetProperty("content").GetString() switch
        {
            "buy cheap pills" => Results.Json(new { action = "deny", reason = "spam" }),
            "darn" => Results.Json(new { action = "replace", content = "d**n" }),
            _ => Results.Json(new { action = "allow" }),
        };
        using var admin = await server.NewAdminAsync();
        var hook = await admin.CreateWebhookAsync(new CreateWebhookRequest { Url = moderator.Url.ToString(), Events = ["message.before_send"] });
        using var alice = await server.NewUserAsync();
        using var bob = await server.NewUserAsync();
        await TestServer.MakeFriendsAsync(alice, bob);

        var ok = await alice.SendMessageAsync(SendTarget.User(bob.UserId), "text", "hello");
        var refusal = await Refused.WithAsync(HttpStatusCode.Forbidden, "message_rejected",
            () => alice.SendMessageAsync(SendTarget.User(bob.UserId), "text", "buy cheap pills"));
        Assert.Equal("spam", refusal.Detail);
        await using var socket = await ParleyRealtime.ConnectAsync(alice);
        var error = await Assert.ThrowsAsync<ParleyRealtimeException>(
            () => socket.RequestAsync("msg.send", new { to = new { userId = bob.UserId }, clientMsgId = "socket-spam", type = "text", content = "buy cheap pills" }));
        Assert.Equal("message_rejected", error.Code);
        await alice.SendMessageAsync(SendTarget.User(bob.UserId), "text", "darn");

        var stored = await bob.GetMessagesAsync(ok.ConversationId, afterSeq: 0);
        Assert.Equal(["hello", "d**n"], stored.Select(m => m.Content.GetString()));
        var asked = moderator.Accepted.First();
        Assert.True(ParleyWebhooks.VerifySignature(hook.Secret, asked.Signature, asked.Body));
        Assert.Equal(alice.UserId, asked.Data.GetProperty("senderId").GetString());
    }

    [Fact]
    public async Task AModeratorThatDoesNotAnswerInTimeLetsMessagesThroughOnlyWhenFailOpen()
    {
        await using var server = await TestServer.StartAsync();
        await using var moderator = await WebhookReceiver.StartAsync();
        moderator.Respond = _ =>
        {
            Thread.Sleep(1500); // Slower than the subscription's timeout below.
            return Results.Json(new { action = "deny" });
        };
        using var admin = await server.NewAdminAsync();
        var hook = await admin.CreateWebhookAsync(new CreateWebhookRequest
        {
            Url = moderator.Url.ToString(), Events = ["message.before_send"], TimeoutMs = 200, FailOpen = true,
        });
        using var alice = await server.NewUserAsync();
        using var bob = await server.NewUserAsync();
        await TestServer.MakeFriendsAsync(alice, bob);
        await alice.SendMessageAsync(SendTarget.User(bob.UserId), "text", "through while the moderator sleeps");

        await admin.DeleteWebhookAsync(hook.Id);
        await admin.CreateWebhookAsync(new CreateWebhookRequest
        {
            Url = moderator.Url.ToString(), Events = ["message.before_send"], TimeoutMs = 200, FailOpen = false,
        });
        await Refused.WithAsync(HttpStatusCode.Forbidden, "message_rejected",
            () => alice.SendMessageAsync(SendTarget.User(bob.UserId), "text", "held back while the moderator sleeps"));
    }
}
