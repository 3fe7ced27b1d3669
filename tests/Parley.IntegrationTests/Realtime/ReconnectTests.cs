using Parley.Client;
using Parley.IntegrationTests.Infrastructure;

namespace Parley.IntegrationTests.Realtime;

/// <summary>The SDK's reconnecting device (ParleyChat) across a server crash: nothing lost, nothing twice.</summary>
public sealed class ReconnectTests : IAsyncLifetime
{
    private readonly string _workingDirectory = Directory.CreateTempSubdirectory("parley-reconnect-").FullName;
    private TestDatabase _database = null!;

    public async Task InitializeAsync() => _database = await TestDatabase.CreateAsync(Path.Combine(_workingDirectory, "data"));

    public async Task DisposeAsync() => await _database.DisposeAsync();

    [Fact]
    public async Task AfterACrashBothDevicesReconnectResendAndSyncToTheSameConversation()
    {
        var port = ServerProcess.FreePort();
        string[] settings =
        [
            $"--Database:Provider={_database.Provider}", $"--ConnectionStrings:Database={_database.ConnectionString}",
            "--Gateway:FramesPerSecond=100000",
        ];
        const int total = 200;
        var server = await ServerProcess.StartAsync(_workingDirectory, port, settings);
        try
        {
            using var alice = new ParleyClient(server.BaseAddress);
            using var bob = new ParleyClient(server.BaseAddress);
            await alice.RegisterAsync(new RegisterRequest { Phone = $"+8613{Random.Shared.Next(100_000_000, 999_999_999)}", Password = "reconnects", Nickname = "alice" });
            await bob.RegisterAsync(new RegisterRequest { Phone = $"+8613{Random.Shared.Next(100_000_000, 999_999_999)}", Password = "reconnects", Nickname = "bob" });
            await TestServer.MakeFriendsAsync(alice, bob);

            await using var aliceDevice = await ParleyChat.StartAsync(alice);
            await using var bobDevice = await ParleyChat.StartAsync(bob);
            var sends = Enumerable.Range(0, total).Select(i => aliceDevice.SendAsync(MessageTarget.User(bob.UserId), "text", $"m{i}")).ToList();

            while (sends.Count(s => s.IsCompleted) < total / 4) await Task.Delay(5);
            server.Kill();
            await server.DisposeAsync();
            server = await ServerProcess.StartAsync(_workingDirectory, port, settings);

            var acks = await Task.WhenAll(sends).WaitAsync(TimeSpan.FromSeconds(60));
            Assert.Equal(Enumerable.Range(1, total).Select(i => (long)i), acks.Select(a => a.Seq).Order());
            Assert.True(aliceDevice.Reconnects >= 1);

            var received = new List<ChatMessage>();
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
