using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Parley.Server.Http;
using Parley.Server.Storage;

namespace Parley.Server.Platform.Webhooks;

public sealed record CreateWebhookBody(string? Url, List<string>? Events, string? Secret, int? TimeoutMs, bool? FailOpen);

public sealed record WebhookView(string Id, string Url, List<string> Events, string Secret, int TimeoutMs, bool FailOpen, DateTimeOffset CreatedAt)
{
    public static WebhookView Of(WebhookSubscription s) => new(Ids.Format(s.Id), s.Url, [.. s.EventList], s.Secret, s.TimeoutMs, s.FailOpen, s.CreatedAt);
}

/// <summary>Subscriptions: <c>/api/v1/admin/webhooks</c>.</summary>
public static class WebhooksApi
{
    public const int DefaultTimeoutMs = 1000, MaxTimeoutMs = 10_000;

    public static RouteGroupBuilder MapWebhooksApi(this RouteGroupBuilder admin)
    {
        var webhooks = admin.MapGroup("/webhooks").WithTags("Platform");
        webhooks.MapPost("/", Create).WithSummary("Subscribe an endpoint to event types")
            .WithDescription("HTTPS, or HTTP for loopback and private hosts. `secret` (the HMAC key of `Parley-Signature`) is generated when absent. `timeoutMs` (default 1000) and `failOpen` (default true) apply to `message.before_send`.");
        webhooks.MapGet("/", List).WithSummary("The subscriptions");
        webhooks.MapDelete("/{id}", Delete).WithSummary("Remove a subscription (its undelivered events go with it)");
        return admin;
    }

    private static async Task<Created<WebhookView>> Create(
        CreateWebhookBody body, ParleyDb db, IdGenerator ids, WebhookSubscriptions subscriptions, TimeProvider time, CancellationToken cancellationToken)
    {
        var url = CheckUrl(body.Url);
        var events = (body.Events ?? []).Select(e => e?.Trim() ?? "").Distinct().ToList();
        if (events.Count == 0) throw ApiProblem.Invalid("events", "Name at least one event type.");
        if (events.FirstOrDefault(e => !WebhookEventTypes.All.Contains(e)) is { } unknown)
            throw ApiProblem.Invalid("events", $"'{unknown}' is not an event type; see the Webhooks section of the API.");
        var secret = body.Secret ?? Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        if (secret.Length is < 16 or > 256) throw ApiProblem.Invalid("secret", "A secret has 16 to 256 characters (leave it out to have one made).");
        var timeoutMs = body.TimeoutMs ?? DefaultTimeoutMs;
        if (timeoutMs is < 1 or > MaxTimeoutMs) throw ApiProblem.Invalid("timeoutMs", $"timeoutMs is between 1 and {MaxTimeoutMs}.");
        var subscription = new WebhookSubscription
        {
            Id = ids.Next(), Url = url, Events = string.Join(' ', events), Secret = secret, TimeoutMs = timeoutMs,
            FailOpen = body.FailOpen ?? true, CreatedAt = time.GetUtcNow(),
        };
        db.WebhookSubscriptions.Add(subscription);
        await db.SaveChangesAsync(cancellationToken);
        // In force on this node before the answer (the next message is in the outbox), on the others through the change feed.
        await subscriptions.ChangedAsync(CancellationToken.None);
        return TypedResults.Created($"/api/v1/admin/webhooks/{subscription.Id}", WebhookView.Of(subscription));
    }

    private static async Task<Ok<List<WebhookView>>> List(ParleyDb db, CancellationToken cancellationToken) =>
        TypedResults.Ok((await db.WebhookSubscriptions.AsNoTracking().OrderBy(s => s.Id).ToListAsync(cancellationToken)).Select(WebhookView.Of).ToList());

    private static async Task<NoContent> Delete(string id, ParleyDb db, WebhookSubscriptions subscriptions, CancellationToken cancellationToken)
    {
        var subscriptionId = Ids.Parse(id, "id");
        if (await db.WebhookSubscriptions.Where(s => s.Id == subscriptionId).ExecuteDeleteAsync(cancellationToken) == 0)
            throw ApiProblem.NotFound("webhook_not_found", "There is no such webhook subscription.");
        await subscriptions.ChangedAsync(CancellationToken.None);
        return TypedResults.NoContent();
    }

    /// <summary>An absolute http(s) URL; plain HTTP only to loopback and private addresses (a product's own network).</summary>
    private static string CheckUrl(string? text)
    {
        if (text is null || text.Length > 2048 || !Uri.TryCreate(text.Trim(), UriKind.Absolute, out var uri)
            || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp) || !string.IsNullOrEmpty(uri.UserInfo))
            throw ApiProblem.Invalid("url", "url is an absolute https:// URL (http:// for loopback and private hosts), without credentials.");
        if (uri.Scheme == Uri.UriSchemeHttp && !IsLoopbackOrPrivate(uri))
            throw ApiProblem.Invalid("url", "Plain http:// is allowed only for loopback and private hosts; use https://.");
        return uri.AbsoluteUri;
    }

    private static bool IsLoopbackOrPrivate(Uri uri)
    {
        if (uri.IsLoopback) return true;
        if (!IPAddress.TryParse(uri.IdnHost, out var address)) return false;
        if (address.IsIPv4MappedToIPv6) address = address.MapToIPv4();
        if (address.AddressFamily == AddressFamily.InterNetworkV6) return address.IsIPv6UniqueLocal || address.IsIPv6LinkLocal;
        var b = address.GetAddressBytes();
        return b[0] == 10 || (b[0] == 172 && b[1] is >= 16 and <= 31) || (b[0] == 192 && b[1] == 168);
    }
}
