using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Parley.Client;
using Parley.IntegrationTests.Infrastructure;
using Parley.Server.Calls;
using Parley.Server.Storage;

namespace Parley.IntegrationTests.Calls;

/// <summary>
/// The stop's part in calls, driven directly (the step the host runs on SIGTERM, while sockets are still open), so
/// that "an invite arrives after the stop ended the calls" needs no timing: each test has a server of its own.
/// </summary>
public sealed class CallShutdownTests : IAsyncLifetime
{
    private TestServer _server = null!;

    public async Task InitializeAsync() => _server = await TestServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task TheStopEndsLiveCallsAsDroppedLeavesNoRowAndRefusesLaterInvites()
    {
        var (alice, bob) = await CallKit.FriendsAsync(_server);
        var (carol, dave) = await CallKit.FriendsAsync(_server);
        await using var alicePhone = await ParleyRealtime.ConnectAsync(alice);
        await using var bobPhone = await ParleyRealtime.ConnectAsync(bob);
        await using var carolPhone = await ParleyRealtime.ConnectAsync(carol);
        var connected = await alicePhone.InviteCallAsync(bob.UserId, "video");
        await bobPhone.AcceptCallAsync(connected);
        Assert.Equal(1, await ActiveRowsAsync());

        await _server.Services.GetRequiredService<CallSignalling>().EndAllAsync(CancellationToken.None);

        await CallKit.EndedAsync(alicePhone, connected, "dropped");
        var (_, record) = await CallKit.RecordAsync(alicePhone);
        Assert.Equal("dropped", record.EndReason);
        Assert.NotNull(record.StartedAt);
        Assert.Equal(0, await ActiveRowsAsync());

        // An invite that comes in after that would ring with nobody left to end it, and leave its row behind.
        var refusal = await Assert.ThrowsAsync<ParleyRealtimeException>(() => carolPhone.InviteCallAsync(dave.UserId, "audio"));
        Assert.Equal("server_stopping", refusal.Code);
        Assert.Equal(0, await ActiveRowsAsync());
        Assert.Equal(0, _server.Services.GetRequiredService<CallSignalling>().LiveCount);
        // The socket stays up for the rest of the stop.
        Assert.Equal("pong", (await carolPhone.RequestAsync("ping", null)).Type);
    }

    [Fact]
    public async Task ALeftoverRowIsRecordedAsDroppedOnceEvenWhenItsRecordWasStoredBefore()
    {
        var (alice, bob) = await CallKit.FriendsAsync(_server);
        var conversationId = (await alice.SendMessageAsync(SendTarget.User(bob.UserId), "text", "call me")).ConversationId;
        var now = DateTimeOffset.UtcNow;
        var row = new ActiveCall
        {
            Id = _server.Services.GetRequiredService<IdGenerator>().Next(),
            ConversationId = long.Parse(conversationId, System.Globalization.CultureInfo.InvariantCulture),
            CallerId = long.Parse(alice.UserId, System.Globalization.CultureInfo.InvariantCulture),
            CalleeId = long.Parse(bob.UserId, System.Globalization.CultureInfo.InvariantCulture),
            Media = "audio",
            InvitedAt = now.AddMinutes(-2),
            AcceptedAt = now.AddMinutes(-1),
        };
        var callRecords = _server.Services.GetRequiredService<CallRecords>();

        // A row left by a crash: the start records the call as dropped and removes the row.
        await WithDbAsync(async db =>
        {
            db.ActiveCalls.Add(row);
            return await db.SaveChangesAsync();
        });
        await callRecords.RecordLeftoverAsync(row);
        Assert.Equal(0, await ActiveRowsAsync());

        // The process died after storing the record and before removing the row: the next start stores nothing new.
        await WithDbAsync(async db =>
        {
            db.ActiveCalls.Add(row);
            return await db.SaveChangesAsync();
        });
        await callRecords.RecordLeftoverAsync(row);
        Assert.Equal(0, await ActiveRowsAsync());

        var records = (await alice.GetMessagesAsync(conversationId)).Where(m => m.Type == "call").ToList();
        var record = Assert.Single(records);
        Assert.Equal(("dropped", alice.UserId), (record.Content.GetProperty("endReason").GetString(), record.Content.GetProperty("initiatorId").GetString()));
        Assert.True(record.Content.GetProperty("durationMs").GetInt64() >= 60_000);
    }

    private Task<int> ActiveRowsAsync() => WithDbAsync(db => db.ActiveCalls.CountAsync());

    private async Task<T> WithDbAsync<T>(Func<ParleyDb, Task<T>> action)
    {
        await using var scope = _server.Services.CreateAsyncScope();
        return await action(scope.ServiceProvider.GetRequiredService<ParleyDb>());
    }
}
