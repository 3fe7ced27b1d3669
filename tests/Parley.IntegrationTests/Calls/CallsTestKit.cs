using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Parley.Client;
using Parley.IntegrationTests.Infrastructure;
using CallClock = Parley.Server.Calls.CallClock;

namespace Parley.IntegrationTests.Calls;

/// <summary>A server whose calls run on a fake clock (ring timeouts, reconnect grace, durations); tokens and rate limits keep the real one.</summary>
public sealed class CallsFixture : IAsyncLifetime
{
    public static readonly TimeSpan RingTimeout = TimeSpan.FromSeconds(45);
    public static readonly TimeSpan ReconnectGrace = TimeSpan.FromSeconds(15);

    public FakeTimeProvider Clock { get; } = new(DateTimeOffset.UtcNow);
    public TestServer Server { get; private set; } = null!;

    public async Task InitializeAsync() =>
        Server = await TestServer.StartAsync(adjust: builder => builder.Services.AddSingleton(new CallClock(Clock)));

    public async Task DisposeAsync() => await Server.DisposeAsync();
}

public static class CallKit
{
    public static async Task<(ParleyClient Alice, ParleyClient Bob)> FriendsAsync(TestServer server)
    {
        var alice = await server.NewUserAsync("alice");
        var bob = await server.NewUserAsync("bob");
        await TestServer.MakeFriendsAsync(alice, bob);
        return (alice, bob);
    }

    /// <summary>Every event up to and including the first of <paramref name="type"/> (to check what did not arrive before it).</summary>
    public static async Task<List<ServerFrame>> UntilAsync(ParleyRealtime device, string type, TimeSpan? timeout = null, bool sendPing = false)
    {
        // A ping without an id comes back as a pong event after everything the server queued before it.
        if (sendPing) await device.SendRawAsync("{\"type\":\"ping\"}");
        using var cancel = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(10));
        var seen = new List<ServerFrame>();
        while (true)
        {
            var frame = await device.Events.ReadAsync(cancel.Token);
            seen.Add(frame);
            if (frame.Type == type) return seen;
        }
    }

    public static async Task<CallEndedData> EndedAsync(ParleyRealtime device, string callId, string reason)
    {
        var ended = await device.NextEventAsync<CallEndedData>("call.ended");
        Assert.Equal(callId, ended.CallId);
        Assert.Equal(reason, ended.EndReason);
        return ended;
    }

    /// <summary>The call record delivered as msg.new; checks it is a <c>call</c> message and returns it with its content.</summary>
    public static async Task<(JsonElement Message, CallRecord Content)> RecordAsync(ParleyRealtime device)
    {
        var message = await device.NextEventAsync("msg.new");
        Assert.Equal("call", message.Data.GetProperty("type").GetString());
        return (message.Data, message.Data.GetProperty("content").Deserialize<CallRecord>(ParleyClient.JsonOptions)!);
    }

    /// <summary>The call record in a user's history (the last call message of the conversation).</summary>
    public static async Task<CallRecord> StoredRecordAsync(ParleyClient client, string conversationId, string callId)
    {
        var history = await client.GetMessagesAsync(conversationId);
        var message = Assert.Single(history, m => m.ClientMsgId == $"call:{callId}");
        Assert.Equal("call", message.Type);
        return message.Content.Deserialize<CallRecord>(ParleyClient.JsonOptions)!;
    }

    public static async Task RefusedAsync(string code, Func<Task> action)
    {
        var refusal = await Assert.ThrowsAsync<ParleyRealtimeException>(action);
        Assert.Equal(code, refusal.Code);
    }
}
