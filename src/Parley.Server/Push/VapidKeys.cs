using System.Buffers.Text;
using System.Security.Cryptography;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Parley.Server.Storage;

namespace Parley.Server.Push;

/// <summary>
/// The cluster's VAPID key pair: from configuration when given, otherwise the one kept in the database, made by the
/// first node that needs it (the others read the same row; a race is settled by the primary key).
/// </summary>
public sealed class VapidKeys(IServiceScopeFactory scopes, IOptions<PushOptions> options, TimeProvider time)
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private (string PublicKey, string PrivateKey)? _pair;

    public async ValueTask<(string PublicKey, string PrivateKey)> GetAsync(CancellationToken cancellationToken)
    {
        if (_pair is { } known) return known;
        await _gate.WaitAsync(cancellationToken);
        try
        {
            return _pair ??= await LoadAsync(cancellationToken);
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task<(string, string)> LoadAsync(CancellationToken cancellationToken)
    {
        var configured = options.Value;
        if (!string.IsNullOrEmpty(configured.VapidPublicKey) || !string.IsNullOrEmpty(configured.VapidPrivateKey))
        {
            if (string.IsNullOrEmpty(configured.VapidPublicKey) || string.IsNullOrEmpty(configured.VapidPrivateKey))
                throw new InvalidOperationException("Push:VapidPublicKey and Push:VapidPrivateKey must be given together.");
            return (configured.VapidPublicKey, configured.VapidPrivateKey);
        }

        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ParleyDb>();
        if (await db.VapidKeys.AsNoTracking().FirstOrDefaultAsync(k => k.Id == 1, cancellationToken) is { } stored)
            return (stored.PublicKey, stored.PrivateKey);

        var (publicKey, privateKey) = Generate();
        db.VapidKeys.Add(new VapidKeyPair { Id = 1, PublicKey = publicKey, PrivateKey = privateKey, CreatedAt = time.GetUtcNow() });
        try
        {
            await db.SaveChangesAsync(cancellationToken);
            return (publicKey, privateKey);
        }
        catch (DbUpdateException e) when (DbErrors.IsUniqueViolation(e))
        {
            // Another node made the pair first: everyone signs with that one.
            db.ChangeTracker.Clear();
            var winner = await db.VapidKeys.AsNoTracking().FirstAsync(k => k.Id == 1, cancellationToken);
            return (winner.PublicKey, winner.PrivateKey);
        }
    }

    /// <summary>A new P-256 pair: the public key as an uncompressed point (0x04 ‖ X ‖ Y), the private key as its scalar, both unpadded base64url.</summary>
    public static (string PublicKey, string PrivateKey) Generate()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var parameters = key.ExportParameters(includePrivateParameters: true);
        var point = new byte[65];
        point[0] = 0x04;
        parameters.Q.X!.CopyTo(point, 1);
        parameters.Q.Y!.CopyTo(point, 33);
        return (Base64Url.EncodeToString(point), Base64Url.EncodeToString(parameters.D!));
    }
}
