using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Parley.Server.Http;
using Parley.Server.Messaging;
using Parley.Server.Storage;

namespace Parley.Server.Platform.Webhooks;

/// <summary>What a <c>message.before_send</c> subscriber is asked about: the message as it would be stored.</summary>
public sealed record BeforeSendData(string SenderId, string ConversationId, string ClientMsgId, MessageType Type, JsonElement Content);

/// <summary>
/// <c>message.before_send</c>: each subscription is called, one after the other, before a message is stored, with a
/// signed POST like any event; it answers <c>{"action": "allow" | "deny" | "replace", "reason"?, "content"?}</c>.
/// No answer within its <c>timeoutMs</c> (or a failure, or an answer that is not one of these) counts as allow when
/// <c>failOpen</c>, as deny otherwise. Nothing is paid while no one subscribes (<see cref="Active"/>).
/// </summary>
public sealed partial class BeforeSendGate(
    WebhookSubscriptions subscriptions, IdGenerator ids, IHttpClientFactory clients, TimeProvider time,
    IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions> json, ILogger<BeforeSendGate> logger) : IMessageGate
{
    public const string HttpClientName = "parley-before-send";
    private readonly JsonSerializerOptions _json = json.Value.SerializerOptions;

    public bool Active => subscriptions.For(WebhookEventTypes.MessageBeforeSend).Length > 0;

    public async ValueTask<GateVerdict> CheckAsync(
        long senderId, long conversationId, string clientMsgId, MessageType type, string content, CancellationToken cancellationToken)
    {
        var subscribers = subscriptions.For(WebhookEventTypes.MessageBeforeSend);
        if (subscribers.Length == 0) return GateVerdict.Allow;
        var eventId = Ids.Format(ids.Next());
        using var parsed = JsonDocument.Parse(content);
        var data = new BeforeSendData(Ids.Format(senderId), Ids.Format(conversationId), clientMsgId, type, parsed.RootElement.Clone());
        var body = JsonSerializer.Serialize(new WebhookEnvelope<BeforeSendData>(eventId, WebhookEventTypes.MessageBeforeSend, time.GetUtcNow(), data), _json);
        var verdict = GateVerdict.Allow;
        foreach (var subscription in subscribers)
        {
            var answer = await AskAsync(subscription, eventId, body, cancellationToken);
            if (answer.Action == GateAction.Deny) return answer;
            if (answer.Action == GateAction.Replace) verdict = answer;
        }
        return verdict;
    }

    private async Task<GateVerdict> AskAsync(WebhookSubscription subscription, string eventId, string body, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromMilliseconds(subscription.TimeoutMs));
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, subscription.Url) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
            request.Headers.Add("Parley-Event-Id", eventId);
            request.Headers.Add("Parley-Signature", WebhookDispatcher.Signature(subscription.Secret, time.GetUtcNow().ToUnixTimeSeconds(), body));
            using var response = await clients.CreateClient(HttpClientName).SendAsync(request, timeout.Token);
            if (response.IsSuccessStatusCode)
            {
                using var answer = await JsonDocument.ParseAsync(await response.Content.ReadAsStreamAsync(timeout.Token), cancellationToken: timeout.Token);
                var root = answer.RootElement;
                var action = root.ValueKind == JsonValueKind.Object && root.TryGetProperty("action", out var a) && a.ValueKind == JsonValueKind.String ? a.GetString() : null;
                switch (action)
                {
                    case "allow":
                        return GateVerdict.Allow;
                    case "deny":
                        return new GateVerdict(GateAction.Deny, root.TryGetProperty("reason", out var r) && r.ValueKind == JsonValueKind.String ? r.GetString() : null);
                    case "replace" when root.TryGetProperty("content", out var c) && c.ValueKind == JsonValueKind.String:
                        return new GateVerdict(GateAction.Replace, c.GetString());
                }
            }
            LogUnclearAnswer(logger, subscription.Url, (int)response.StatusCode);
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested && e is HttpRequestException or OperationCanceledException or JsonException)
        {
            LogNoAnswer(logger, subscription.Url, e.GetType().Name);
        }
        return subscription.FailOpen ? GateVerdict.Allow : new GateVerdict(GateAction.Deny, "The message could not be checked; try again later.");
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "message.before_send at {Url} gave no usable answer (HTTP {Status})")]
    private static partial void LogUnclearAnswer(ILogger logger, string url, int status);

    [LoggerMessage(Level = LogLevel.Warning, Message = "message.before_send at {Url} did not answer in time or failed ({Failure})")]
    private static partial void LogNoAnswer(ILogger logger, string url, string failure);
}
