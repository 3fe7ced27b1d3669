using System.Net;
using System.Text.RegularExpressions;
using Parley.Client;
using Parley.IntegrationTests.Infrastructure;

namespace Parley.IntegrationTests.Platform;

/// <summary>Webhooks to a real HTTP receiver: signed, in order per conversation, retried, and kept across a SIGKILL.</summary>
public sealed partial class WebhookTests
{
    private static readonly Dictionary<string, string?> FastRetries = new() { ["Webhooks:BackoffScale"] = "0.02" };

    private static async Task<(AdminUserView Bot, AdminUserView User)> BotAndUserAsync(ParleyAdminClient admin)
    {
        var bot = await admin.CreateUserAsync(new CreateUserRequest { Nickname = "Bot", Bot = true, ExternalId = PlatformKit.UniqueExternalId() });
        var user = await admin.CreateUserAsync(new CreateUserRequest { Nickname = "Customer", ExternalId = PlatformKit.UniqueExternalId() });
        return (bot, user);
    }

    private static Task<MessageAck[]> SendAsync(ParleyAdminClient admin, string from, string to, int count, string prefix) =>
        Task.WhenAll(Enumerable.Range(1, count).Select(i => admin.SendMessageAsync(new AdminMessageRequest
        {
            SenderId = from, To = SendTarget.User(to), ClientMsgId = $"{prefix}-{i}", Type = "text", Content = $"{prefix} {i}",
        })));

    [Fact]
    public async Task SubscribedEventsArriveSignedWithTheirIdAndInSeqOrderPerConversation()
    {
        await using var server = await TestServer.StartAsync(FastRetries);
        await using var receiver = await WebhookReceiver.StartAsync();
        using var admin = await server.NewAdminAsync();
        var hook = await admin.CreateWebhookAsync(new CreateWebhookRequest
        {
            Url = receiver.Url.ToString(), Events = ["message.created", "user.created", "friend.added"],
        });
        Assert.True(hook.Secret.Length >= 32);
        var (bot, user) = await BotAndUserAsync(admin);
        await admin.MakeFriendsAsync(bot.Id, user.Id);

        await SendAsync(admin, bot.Id, user.Id, 20, "order");
        var messages = await receiver.AcceptedAsync("message.created", 20);
        Assert.Equal(Enumerable.Range(1, 20).Select(i => (long)i), messages.Select(m => m.Data.GetProperty("seq").GetInt64()));
        Assert.All(messages, m =>
        {
            Assert.True(WebhookReceiver.SignatureIsValid(m, hook.Secret), m.Signature);
            Assert.True(ParleyWebhooks.VerifySignature(hook.Secret, m.Signature, m.Body));
            Assert.False(ParleyWebhooks.VerifySignature(hook.Secret + "x", m.Signature, m.Body));
            Assert.Equal(m.Id, m.EventId);
            Assert.Equal(bot.Id, m.Data.GetProperty("senderId").GetString());
        });
        Assert.Matches(SignatureShape(), messages[0].Signature);

        var created = await receiver.AcceptedAsync("user.created", 2);
        Assert.Equal(new[] { bot.ExternalId, user.ExternalId }.Order(), created.Select(c => c.Data.GetProperty("externalId").GetString()).Order());
        var friends = await receiver.AcceptedAsync("friend.added", 1);
        Assert.Contains(friends[0].Data.GetProperty("userId").GetString(), new[] { bot.Id, user.Id });
    }

    [Fact]
    public async Task AReceiverThatDoesNotAnswerHoldsUpNoMessageAndGetsEveryEventOnceItDoes()
    {
        await using var server = await TestServer.StartAsync(FastRetries);
        await using var receiver = await WebhookReceiver.StartAsync();
        var release = new TaskCompletionSource();
        receiver.Respond = _ => new AnswerWhenReleased(release.Task);
        using var admin = await server.NewAdminAsync();
        await admin.CreateWebhookAsync(new CreateWebhookRequest { Url = receiver.Url.ToString(), Events = ["message.created"] });
        using var alice = await server.NewUserAsync("alice");
        using var bob = await server.NewUserAsync("bob");
        await TestServer.MakeFriendsAsync(alice, bob);
        await using var aliceSocket = await ParleyRealtime.ConnectAsync(alice);
        await using var bobSocket = await ParleyRealtime.ConnectAsync(bob);

        // The first event reaches the receiver, which does not answer: the conversation's webhook queue is stuck on it.
        await aliceSocket.SendMessageAsync(SendTarget.User(bob.UserId), "text", "first");
        await bobSocket.NextEventAsync("msg.new");
        var held = await receiver.NextAsync("message.created");

        // Chat goes on all the same: every message is acknowledged and delivered while the receiver still holds its answer.
        var acks = await Task.WhenAll(Enumerable.Range(1, 200).Select(i => aliceSocket.SendMessageAsync(SendTarget.User(bob.UserId), "text", $"meanwhile {i}")));
        for (var i = 0; i < 200; i++) await bobSocket.NextEventAsync("msg.new");
        Assert.Equal(201, acks.Max(a => a.Seq));
        Assert.False(release.Task.IsCompleted);

        // Once it answers, every event arrives (the first one perhaps more than once: at least once), in seq order.
        release.SetResult();
        var seqs = new List<long> { held.Data.GetProperty("seq").GetInt64() };
        while (seqs.Distinct().Count() < 201)
        {
            var next = await receiver.NextAsync("message.created", TimeSpan.FromSeconds(120));
            seqs.Add(next.Data.GetProperty("seq").GetInt64());
        }
        var firstArrivals = seqs.Distinct().ToList();
        Assert.Equal(Enumerable.Range(1, 201).Select(i => (long)i), firstArrivals);
    }

    /// <summary>An answer that waits until the test releases it, as a receiver that hangs would.</summary>
    private sealed class AnswerWhenReleased(Task released) : Microsoft.AspNetCore.Http.IResult
    {
        public async Task ExecuteAsync(Microsoft.AspNetCore.Http.HttpContext httpContext)
        {
            await released.WaitAsync(httpContext.RequestAborted);
            httpContext.Response.StatusCode = 200;
        }
    }

    [Fact]
    public async Task AMessageForAnOfflineUserWithAnFcmTokenIsHandedToThePushRequestedWebhook()
    {
        await using var server = await TestServer.StartAsync(FastRetries);
        await using var receiver = await WebhookReceiver.StartAsync();
        using var admin = await server.NewAdminAsync();
        var hook = await admin.CreateWebhookAsync(new CreateWebhookRequest { Url = receiver.Url.ToString(), Events = ["push.requested"] });
        var (bot, user) = await BotAndUserAsync(admin);
        using var phone = await server.SignInAsync(admin, user.Id);
        var token = "fcm-" + Guid.NewGuid().ToString("N");
        await phone.SubscribeMobilePushAsync("fcm", token);

        var ack = (await SendAsync(admin, bot.Id, user.Id, 1, "shipped"))[0];
        var requested = (await receiver.AcceptedAsync("push.requested", 1))[0];
        Assert.True(WebhookReceiver.SignatureIsValid(requested, hook.Secret));
        Assert.Equal(user.Id, requested.Data.GetProperty("userId").GetString());
        Assert.Equal("fcm", requested.Data.GetProperty("kind").GetString());
        Assert.Equal(token, requested.Data.GetProperty("token").GetString());
        var notification = requested.Data.GetProperty("notification");
        Assert.Equal(ack.ConversationId, notification.GetProperty("conversationId").GetString());
        Assert.Equal(ack.Seq, notification.GetProperty("seq").GetInt64());
        Assert.Equal("Bot", notification.GetProperty("title").GetString());
        Assert.Equal("shipped 1", notification.GetProperty("body").GetString());
        Assert.Equal(1, notification.GetProperty("unreadTotal").GetInt64());
    }

    [Fact]
    public async Task AnEndpointThatFailsItsFirstAnswersGetsEveryEventAgainInOrder()
    {
        await using var server = await TestServer.StartAsync(FastRetries);
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.FailFirst = 3;
        using var admin = await server.NewAdminAsync();
        await admin.CreateWebhookAsync(new CreateWebhookRequest { Url = receiver.Url.ToString(), Events = ["message.created"] });
        var (bot, user) = await BotAndUserAsync(admin);

        await SendAsync(admin, bot.Id, user.Id, 5, "retry");
        var first = await receiver.NextAsync("message.created");
        var accepted = await receiver.AcceptedAsync("message.created", 5);
        Assert.Equal([1L, 2, 3, 4, 5], accepted.Select(m => m.Data.GetProperty("seq").GetInt64()));
        // The one that failed three times is the one that came through first, with the same event id.
        Assert.Equal(first.EventId, accepted[0].EventId);
        Assert.Contains(server.Log.Lines, line => line.Contains("attempt 3", StringComparison.Ordinal));
    }

    [Fact]
    public async Task EventsPendingWhenTheServerIsKilledAreDeliveredAfterItRestarts()
    {
        var directory = Directory.CreateTempSubdirectory("parley-webhook-kill-").FullName;
        await using var database = await TestDatabase.CreateAsync(directory);
        string[] settings = [$"--Database:Provider={database.Provider}", $"--ConnectionStrings:Database={database.ConnectionString}",
            "--Webhooks:BackoffScale=0.01", "--Webhooks:AttemptTimeout=00:00:02"];
        var (exit, output) = await ServerProcess.RunToExitAsync(directory, ["api-key", "create", "kill-test", .. settings]);
        Assert.True(exit == 0, output);
        var key = output.Trim().Split('\n').Last(l => l.StartsWith("pk_", StringComparison.Ordinal)).Trim();
        var port = ServerProcess.FreePort();
        var receiverPort = ServerProcess.FreePort();

        await using (var server = await ServerProcess.StartAsync(directory, port, settings))
        {
            using var admin = new ParleyAdminClient(server.BaseAddress, key);
            // Nothing listens there yet: every attempt fails, the events wait in the outbox.
            await admin.CreateWebhookAsync(new CreateWebhookRequest { Url = $"http://127.0.0.1:{receiverPort}/hook", Events = ["message.created"] });
            var (bot, user) = await BotAndUserAsync(admin);
            await SendAsync(admin, bot.Id, user.Id, 10, "kill");
            server.Kill();
        }

        await using var receiver = await WebhookReceiver.StartAsync(receiverPort);
        await using var restarted = await ServerProcess.StartAsync(directory, port, settings);
        var delivered = await receiver.AcceptedAsync("message.created", 10, TimeSpan.FromSeconds(90));
        Assert.Equal(Enumerable.Range(1, 10).Select(i => (long)i), delivered.Take(10).Select(m => m.Data.GetProperty("seq").GetInt64()));
    }

    [Fact]
    public async Task SubscriptionsAreListedRemovedAndCheckedAtTheDoor()
    {
        await using var server = await TestServer.StartAsync();
        using var admin = await server.NewAdminAsync();
        var hook = await admin.CreateWebhookAsync(new CreateWebhookRequest
        {
            Url = "http://127.0.0.1:9/hook", Events = ["message.before_send"], Secret = "a secret of the product", TimeoutMs = 500, FailOpen = false,
        });
        Assert.Equal(("a secret of the product", 500, false), (hook.Secret, hook.TimeoutMs, hook.FailOpen));
        var listed = Assert.Single(await admin.GetWebhooksAsync());
        Assert.Equal((hook.Id, hook.Url, "message.before_send"), (listed.Id, listed.Url, Assert.Single(listed.Events)));

        await Refused.WithAsync(HttpStatusCode.BadRequest, "validation_failed",
            () => admin.CreateWebhookAsync(new CreateWebhookRequest { Url = "http://example.com/hook", Events = ["message.created"] }));
        await Refused.WithAsync(HttpStatusCode.BadRequest, "validation_failed",
            () => admin.CreateWebhookAsync(new CreateWebhookRequest { Url = "https://example.com/hook", Events = ["message.sent"] }));
        await Refused.WithAsync(HttpStatusCode.BadRequest, "validation_failed",
            () => admin.CreateWebhookAsync(new CreateWebhookRequest { Url = "ftp://example.com/hook", Events = ["message.created"] }));
        Assert.Equal("https://example.com/hook", (await admin.CreateWebhookAsync(new CreateWebhookRequest
        {
            Url = "https://example.com/hook", Events = ["push.requested"],
        })).Url);

        await admin.DeleteWebhookAsync(hook.Id);
        await Refused.WithAsync(HttpStatusCode.NotFound, "webhook_not_found", () => admin.DeleteWebhookAsync(hook.Id));
        Assert.Single(await admin.GetWebhooksAsync());
    }

    [GeneratedRegex("^t=[0-9]+,v1=[0-9a-f]{64}$")]
    private static partial Regex SignatureShape();
}
