using Parley.Client;
using Parley.IntegrationTests.Infrastructure;

namespace Parley.IntegrationTests.Realtime;

/// <summary>An acknowledged message survives the server being killed outright (SIGKILL), on the run's database.</summary>
public sealed class DurabilityTests : IAsyncLifetime
{
    private readonly RestartableServer _host = new();

    public Task InitializeAsync() => _host.InitializeAsync();

    public Task DisposeAsync() => _host.DisposeAsync();

    [Fact]
    public async Task EveryAckedMessageSurvivesAKillAndResendingTheRestCompletesTheConversation()
    {
        const int total = 400;
        var clientIds = Enumerable.Range(0, total).Select(i => $"durable-{i:D4}").ToArray();
        var acked = new System.Collections.Concurrent.ConcurrentDictionary<string, MessageAck>();
        string alicePhone, bobId;

        await using (var server = await _host.StartAsync())
        {
            var (alice, bob) = await RestartableServer.FriendsAsync(server.BaseAddress, "kill -9 proof");
            using var aliceClient = alice;
            using var bobClient = bob;
            alicePhone = alice.Session!.User.Phone!;
            bobId = bob.UserId;

            var socket = await ParleyRealtime.ConnectAsync(alice);
            var sends = clientIds.Select(async id =>
            {
                try
                {
                    acked[id] = await socket.SendMessageAsync(SendTarget.User(bobId), "text", id, clientMsgId: id);
                }
                catch (Exception)
                {
                    // Unacknowledged: the server died first. The client will resend it.
                }
            }).ToList();

            // Kill the server while sends are still in flight.
            var deadline = DateTime.UtcNow.AddSeconds(20);
            while (acked.Count < total / 4 && DateTime.UtcNow < deadline) await Task.Delay(5);
            server.Kill();
            await Task.WhenAll(sends);
            await socket.DisposeAsync();
        }
        Assert.True(acked.Count >= total / 4, $"only {acked.Count} acks before the kill");

        await using (var restarted = await _host.StartAsync())
        {
            using var alice = new ParleyClient(restarted.BaseAddress);
            await alice.LoginAsync(alicePhone, "kill -9 proof");
            var conversationId = acked.Values.First().ConversationId;

            var stored = await ReadAllAsync(alice, conversationId);
            Assert.Equal(Enumerable.Range(1, stored.Count).Select(i => (long)i), stored.Select(m => m.Seq));
            Assert.Equal(stored.Count, stored.Select(m => m.ClientMsgId).Distinct().Count());
            foreach (var ack in acked.Values)
            {
                var message = stored.SingleOrDefault(m => m.Id == ack.MessageId);
                Assert.True(message is not null, $"acked message {ack.ClientMsgId} (seq {ack.Seq}) was lost");
                Assert.Equal(ack.Seq, message.Seq);
            }

            // The client resends everything it has no ack for, with the same clientMsgIds.
            await using var socket = await ParleyRealtime.ConnectAsync(alice);
            foreach (var id in clientIds.Where(id => !acked.ContainsKey(id)))
                acked[id] = await socket.SendMessageAsync(SendTarget.User(bobId), "text", id, clientMsgId: id);

            var complete = await ReadAllAsync(alice, conversationId);
            Assert.Equal(Enumerable.Range(1, total).Select(i => (long)i), complete.Select(m => m.Seq));
            Assert.Equal(clientIds.Order(), complete.Select(m => m.ClientMsgId).Order());
        }
    }

    [Fact]
    public async Task OnSigtermEverySendInFlightIsAnsweredWithItsAckOrServerStoppingAndEveryAckIsStored()
    {
        const int total = 300;
        var clientIds = Enumerable.Range(0, total).Select(i => $"drain-{i:D4}").ToArray();
        var acked = new System.Collections.Concurrent.ConcurrentDictionary<string, MessageAck>();
        var refusals = new System.Collections.Concurrent.ConcurrentBag<string>();
        string alicePhone;

        await using (var server = await _host.StartAsync())
        {
            var (alice, bob) = await RestartableServer.FriendsAsync(server.BaseAddress, "sigterm proof");
            using var aliceClient = alice;
            using var bobClient = bob;
            alicePhone = alice.Session!.User.Phone!;
            var bobId = bob.UserId;

            // Many HTTP sends at once, so that some are queued for the committer when the signal comes.
            using var inFlight = new SemaphoreSlim(32);
            var sends = clientIds.Select(async id =>
            {
                await inFlight.WaitAsync();
                try
                {
                    acked[id] = await alice.SendMessageAsync(SendTarget.User(bobId), "text", id, clientMsgId: id);
                }
                catch (ParleyApiException refused)
                {
                    refusals.Add($"{(int)refused.Status} {refused.Code}");
                }
                catch (HttpRequestException)
                {
                    // Sent after the node stopped listening: never reached it, and the client resends it elsewhere.
                }
                finally
                {
                    inFlight.Release();
                }
            }).ToList();

            var deadline = DateTime.UtcNow.AddSeconds(60);
            while (acked.Count < total / 6 && DateTime.UtcNow < deadline) await Task.Delay(5);
            var terminated = server.TerminateAsync(TimeSpan.FromSeconds(30));
            await Task.WhenAll(sends);
            Assert.Equal(0, await terminated);
        }
        Assert.True(acked.Count >= total / 6, $"only {acked.Count} acks before the signal");
        // A send the stopping node took is stored and acknowledged; one it no longer takes is refused as stopping. Nothing else.
        Assert.All(refusals, refusal => Assert.Equal("503 server_stopping", refusal));

        await using var restarted = await _host.StartAsync();
        using var again = new ParleyClient(restarted.BaseAddress);
        await again.LoginAsync(alicePhone, "sigterm proof");
        var stored = await ReadAllAsync(again, acked.Values.First().ConversationId);
        Assert.Equal(Enumerable.Range(1, stored.Count).Select(i => (long)i), stored.Select(m => m.Seq));
        foreach (var ack in acked.Values)
            Assert.True(stored.Any(m => m.Id == ack.MessageId && m.Seq == ack.Seq), $"acked message {ack.ClientMsgId} (seq {ack.Seq}) was lost");
    }

    private static async Task<List<MessageView>> ReadAllAsync(ParleyClient client, string conversationId)
    {
        var all = new List<MessageView>();
        while (true)
        {
            var page = await client.GetMessagesAsync(conversationId, afterSeq: all.Count == 0 ? 0 : all[^1].Seq, limit: 200);
            all.AddRange(page);
            if (page.Count < 200) return all;
        }
    }
}
