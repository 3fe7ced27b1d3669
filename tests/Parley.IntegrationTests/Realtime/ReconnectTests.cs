using Parley.Client;
using Parley.IntegrationTests.Infrastructure;

namespace Parley.IntegrationTests.Realtime;

/// <summary>The SDK's reconnecting device (ParleyChat) across a server crash: nothing lost, nothing twice.</summary>
public sealed class ReconnectTests : IAsyncLifetime
{
    private readonly RestartableServer _host = new();

    public Task InitializeAsync() => _host.InitializeAsync();

    public Task DisposeAsync() => _host.DisposeAsync();

    [Fact]
    public async Task AfterACrashBothDevicesReconnectResendAndSyncToTheSameConversation()
    {
        const int total = 200;
        var server = await _host.StartAsync();
        try
        {
            var (alice, bob) = await RestartableServer.FriendsAsync(server.BaseAddress, "reconnects");
            using var aliceClient = alice;
            using var bobClient = bob;

            await using var aliceDevice = await ParleyChat.StartAsync(alice);
            await using var bobDevice = await ParleyChat.StartAsync(bob);
            var sends = Enumerable.Range(0, total).Select(i => aliceDevice.SendAsync(SendTarget.User(bob.UserId), "text", $"m{i}")).ToList();

            while (sends.Count(s => s.IsCompleted) < total / 4) await Task.Delay(5);
            server.Kill();
            await server.DisposeAsync();
            server = await _host.StartAsync();

            var acks = await Task.WhenAll(sends).WaitAsync(TimeSpan.FromSeconds(60));
            Assert.Equal(Enumerable.Range(1, total).Select(i => (long)i), acks.Select(a => a.Seq).Order());
            Assert.True(aliceDevice.Reconnects >= 1);

            var received = new List<MessageView>();
            using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            while (received.Count < total) received.Add(await bobDevice.Messages.ReadAsync(deadline.Token));
            Assert.Equal(Enumerable.Range(1, total).Select(i => (long)i), received.Select(m => m.Seq).Order());
            Assert.Equal(Enumerable.Range(0, total).Select(i => $"m{i}").Order(), received.Select(m => m.Content.GetString()!).Order());
            Assert.False(bobDevice.Messages.TryRead(out var extra), $"a message came twice: seq {extra?.Seq}");
        }
        finally
        {
            await server.DisposeAsync();
        }
    }
}
