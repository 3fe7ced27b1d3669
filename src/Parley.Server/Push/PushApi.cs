using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Parley.Server.Http;
using Parley.Server.Storage;

namespace Parley.Server.Push;

public sealed record PushKeysBody(string? P256dh, string? Auth);

/// <summary><c>{kind: "web", endpoint, keys: {p256dh, auth}}</c> or <c>{kind: "fcm" | "apns", token}</c>.</summary>
public sealed record PushSubscriptionBody(string? Kind, string? Endpoint, PushKeysBody? Keys, string? Token);

/// <summary>The address to drop: a Web Push <c>endpoint</c> or an fcm/apns <c>token</c>.</summary>
public sealed record PushUnsubscribeBody(string? Endpoint, string? Token);

public sealed record PushSubscriptionView(string Id, string Kind, DateTimeOffset CreatedAt);

public sealed record VapidPublicKeyView(string PublicKey);

/// <summary>
/// A device's push address (<c>/api/v1/push/…</c>). Registering belongs to the signed-in device: the address is
/// used while that session lasts. Registering an address again is not an error (and moves it to the caller when
/// another account had it: the same browser, signed in as someone else).
/// </summary>
public static class PushApi
{
    public static RouteGroupBuilder MapPushApi(this RouteGroupBuilder api)
    {
        var push = api.MapGroup("/push").WithTags("Push");
        push.MapGet("/web/vapid-public-key", GetVapidPublicKey).AllowAnonymous()
            .WithSummary("The server's VAPID public key, for PushManager.subscribe (the same on every node).");
        push.MapPost("/subscriptions", Subscribe).RequireAuthorization()
            .WithSummary("Registers this device's push address: a Web Push subscription or an fcm/apns token.")
            .WithDescription("201 for a new address, 200 when it was known. Web Push endpoints must be https on public addresses (400 invalid_push_endpoint).");
        push.MapDelete("/subscriptions", Unsubscribe).RequireAuthorization()
            .WithSummary("Drops one of the caller's push addresses (204, also when it was not registered).");
        return api;
    }

    private static async Task<Ok<VapidPublicKeyView>> GetVapidPublicKey(VapidKeys keys, CancellationToken cancellationToken) =>
        TypedResults.Ok(new VapidPublicKeyView((await keys.GetAsync(cancellationToken)).PublicKey));

    private static async Task<Results<Created<PushSubscriptionView>, Ok<PushSubscriptionView>>> Subscribe(
        PushSubscriptionBody body, HttpContext http, ParleyDb db, IdGenerator ids, IOptions<PushOptions> options, TimeProvider time,
        CancellationToken cancellationToken)
    {
        if (!PushKinds.IsKnown(body.Kind)) throw ApiProblem.Invalid("kind", "kind must be \"web\", \"fcm\" or \"apns\".");
        string address;
        string? p256dh = null, auth = null;
        if (body.Kind == PushKinds.Web)
        {
            var endpoint = await PushAddressRules.CheckWebEndpointAsync(
                body.Endpoint, body.Keys?.P256dh, body.Keys?.Auth, options.Value.AllowLoopbackEndpoints, cancellationToken);
            address = endpoint.AbsoluteUri;
            (p256dh, auth) = (body.Keys!.P256dh!.TrimEnd('='), body.Keys.Auth!.TrimEnd('='));
        }
        else
        {
            address = PushAddressRules.CheckToken(body.Token);
        }

        var me = http.User.UserId();
        var session = http.User.SessionId();
        var existing = await db.PushSubscriptions.FirstOrDefaultAsync(s => s.Address == address, cancellationToken);
        if (existing is { } known && known.UserId == me && known.Kind == body.Kind)
        {
            (known.SessionId, known.P256dh, known.Auth) = (session, p256dh, auth);
            await db.SaveChangesAsync(cancellationToken);
            return TypedResults.Ok(View(known));
        }
        if (existing is not null) db.PushSubscriptions.Remove(existing);

        // One address per device; a user with too many loses the oldest (a device long gone that never logged out).
        var mine = await db.PushSubscriptions.Where(s => s.UserId == me).OrderByDescending(s => s.CreatedAt).Skip(options.Value.MaxSubscriptionsPerUser - 1)
            .ToListAsync(cancellationToken);
        db.PushSubscriptions.RemoveRange(mine);

        var subscription = new DevicePushSubscription
        {
            Id = ids.Next(), UserId = me, SessionId = session, Kind = body.Kind!, Address = address,
            P256dh = p256dh, Auth = auth, CreatedAt = time.GetUtcNow(),
        };
        db.PushSubscriptions.Add(subscription);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException e) when (DbErrors.IsUniqueViolation(e))
        {
            throw ApiProblem.Conflict("push_subscription_conflict", "The address was registered at the same moment by another request; try again.");
        }
        return TypedResults.Created("/api/v1/push/subscriptions", View(subscription));
    }

    private static async Task<NoContent> Unsubscribe(
        [FromBody] PushUnsubscribeBody body, HttpContext http, ParleyDb db, CancellationToken cancellationToken)
    {
        var address = body.Endpoint ?? body.Token;
        if (string.IsNullOrWhiteSpace(address)) throw ApiProblem.Invalid("endpoint", "Give the endpoint (web) or the token (fcm, apns) to drop.");
        if (body.Endpoint is not null && Uri.TryCreate(body.Endpoint, UriKind.Absolute, out var uri)) address = uri.AbsoluteUri;
        var me = http.User.UserId();
        await db.PushSubscriptions.Where(s => s.UserId == me && s.Address == address).ExecuteDeleteAsync(cancellationToken);
        return TypedResults.NoContent();
    }

    private static PushSubscriptionView View(DevicePushSubscription s) => new(Ids.Format(s.Id), s.Kind, s.CreatedAt);
}
