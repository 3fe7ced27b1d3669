using System.Buffers.Binary;
using System.Buffers.Text;
using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Parley.Client;

namespace Parley.IntegrationTests.Push;

/// <summary>One push message as the push service saw it: its headers checked, its body decrypted.</summary>
public sealed record ReceivedPush(string Browser, PushPayload Payload, string Urgency, int TimeToLive, string? Topic, string VapidKey);

/// <summary>
/// A push service and the browsers behind it, in the test: a real HTTP server on loopback that holds each fake
/// browser's subscription keys (a P-256 key pair and an auth secret, as a browser makes them), and for every POST
/// checks the VAPID token (RFC 8292: an ES256 JWT for this origin, signed by the key in <c>k</c>) and decrypts the
/// body (RFC 8291 over RFC 8188 aes128gcm) with .NET's own ECDH, HKDF and AES-GCM. A browser can be told to answer
/// 410 Gone, as a push service does for a subscription that no longer exists.
/// </summary>
public sealed class WebPushReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, Browser> _browsers = new();

    private WebPushReceiver(WebApplication app, Uri address)
    {
        _app = app;
        Address = address;
    }

    public Uri Address { get; }

    /// <summary>Requests the receiver refused (bad VAPID, undecryptable): a test that sees any of these fails.</summary>
    public ConcurrentQueue<string> Rejected { get; } = new();

    public static async Task<WebPushReceiver> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        WebPushReceiver? receiver = null;
        app.MapPost("/push/{browser}", (string browser, HttpContext http) => receiver!.ReceiveAsync(browser, http));
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        receiver = new WebPushReceiver(app, new Uri(address.TrimEnd('/') + "/"));
        return receiver;
    }

    /// <summary>A new browser: what <c>PushManager.subscribe</c> would give its page.</summary>
    public Browser NewBrowser(string name)
    {
        var browser = new Browser(name, new Uri(Address, $"push/{name}-{Guid.NewGuid():N}"));
        _browsers[browser.Endpoint.Segments[^1]] = browser;
        return browser;
    }

    private async Task<IResult> ReceiveAsync(string id, HttpContext http)
    {
        if (!_browsers.TryGetValue(id, out var browser)) return Results.NotFound();
        using var body = new MemoryStream();
        await http.Request.Body.CopyToAsync(body);
        browser.Requests++;
        if (browser.Gone) return Results.StatusCode(StatusCodes.Status410Gone);
        try
        {
            var vapidKey = CheckVapid(http.Request.Headers.Authorization.ToString(), Address);
            if (http.Request.Headers.ContentEncoding.ToString() != "aes128gcm") throw new InvalidOperationException("Content-Encoding is not aes128gcm.");
            var plain = browser.Decrypt(body.ToArray());
            var payload = JsonSerializer.Deserialize<PushPayload>(plain, new JsonSerializerOptions(JsonSerializerDefaults.Web))!;
            var ttl = int.Parse(http.Request.Headers["TTL"].ToString(), System.Globalization.CultureInfo.InvariantCulture);
            await browser.Received.Writer.WriteAsync(new ReceivedPush(browser.Name, payload, http.Request.Headers["Urgency"].ToString(), ttl,
                http.Request.Headers["Topic"].FirstOrDefault(), vapidKey));
            return Results.Created();
        }
        catch (Exception e)
        {
            Rejected.Enqueue($"{browser.Name}: {e.Message}");
            return Results.BadRequest();
        }
    }

    /// <summary>Checks <c>vapid t=&lt;jwt&gt;, k=&lt;key&gt;</c> and returns <c>k</c>.</summary>
    private static string CheckVapid(string header, Uri origin)
    {
        if (!header.StartsWith("vapid ", StringComparison.Ordinal)) throw new InvalidOperationException("No vapid Authorization header.");
        var parts = header["vapid ".Length..].Split(',', StringSplitOptions.TrimEntries)
            .Select(p => p.Split('=', 2)).ToDictionary(p => p[0], p => p[1]);
        var (jwt, k) = (parts["t"], parts["k"]);
        var sections = jwt.Split('.');
        using var key = ECDsa.Create(new ECParameters
        {
            Curve = ECCurve.NamedCurves.nistP256,
            Q = PointOf(Base64Url.DecodeFromChars(k)),
        });
        if (!key.VerifyData(Encoding.ASCII.GetBytes(sections[0] + "." + sections[1]), Base64Url.DecodeFromChars(sections[2]),
                HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation))
            throw new InvalidOperationException("The VAPID signature does not verify.");
        using var header0 = JsonDocument.Parse(Base64Url.DecodeFromChars(sections[0]));
        if (header0.RootElement.GetProperty("alg").GetString() != "ES256") throw new InvalidOperationException("The VAPID token is not ES256.");
        using var claims = JsonDocument.Parse(Base64Url.DecodeFromChars(sections[1]));
        var aud = claims.RootElement.GetProperty("aud").GetString();
        // The origin of the push service. Lib.Net.Http.WebPush leaves a non-default port out of it; real push services
        // listen on 443, where the two forms are the same, so this test service (on a free port) accepts both.
        if (aud != origin.GetLeftPart(UriPartial.Authority) && aud != $"{origin.Scheme}://{origin.Host}") throw new InvalidOperationException($"The VAPID audience is {aud}.");
        var exp = DateTimeOffset.FromUnixTimeSeconds(claims.RootElement.GetProperty("exp").GetInt64());
        if (exp < DateTimeOffset.UtcNow || exp > DateTimeOffset.UtcNow.AddHours(24.5)) throw new InvalidOperationException("The VAPID token's exp is out of range.");
        if (!claims.RootElement.TryGetProperty("sub", out _)) throw new InvalidOperationException("The VAPID token has no sub.");
        return k;
    }

    internal static ECPoint PointOf(byte[] uncompressed) =>
        uncompressed.Length == 65 && uncompressed[0] == 4
            ? new ECPoint { X = uncompressed[1..33], Y = uncompressed[33..] }
            : throw new InvalidOperationException("Not an uncompressed P-256 point.");

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    /// <summary>A browser's subscription: its endpoint at this push service and its keys.</summary>
    public sealed class Browser
    {
        private readonly ECDiffieHellman _key = ECDiffieHellman.Create(ECCurve.NamedCurves.nistP256);
        private readonly byte[] _auth = RandomNumberGenerator.GetBytes(16);

        internal Browser(string name, Uri endpoint)
        {
            Name = name;
            Endpoint = endpoint;
            var q = _key.ExportParameters(false).Q;
            PublicKey = [4, .. q.X!, .. q.Y!];
        }

        public string Name { get; }
        public Uri Endpoint { get; }
        public byte[] PublicKey { get; }
        public string P256dh => Base64Url.EncodeToString(PublicKey);
        public string Auth => Base64Url.EncodeToString(_auth);

        /// <summary>Answer 410 Gone from now on.</summary>
        public bool Gone { get; set; }

        public int Requests { get; set; }

        public Channel<ReceivedPush> Received { get; } = Channel.CreateUnbounded<ReceivedPush>();

        public Task<PushSubscriptionView> SubscribeAsync(ParleyClient client) => client.SubscribeWebPushAsync(Endpoint.ToString(), P256dh, Auth);

        /// <summary>The next notification, or a failure after <paramref name="timeout"/> (default 20 s: the machine may be busy).</summary>
        public async Task<ReceivedPush> NextAsync(TimeSpan? timeout = null)
        {
            using var cancel = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(20));
            try
            {
                return await Received.Reader.ReadAsync(cancel.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"No push reached {Name}.");
            }
        }

        /// <summary>RFC 8291: the receiver's side of the key agreement, then RFC 8188's one-record aes128gcm.</summary>
        internal byte[] Decrypt(byte[] body)
        {
            var salt = body[..16];
            var recordSize = BinaryPrimitives.ReadUInt32BigEndian(body.AsSpan(16, 4));
            var keyIdLength = body[20];
            var senderKey = body[21..(21 + keyIdLength)];
            var cipher = body[(21 + keyIdLength)..];
            if (cipher.Length > recordSize) throw new InvalidOperationException("More than one record.");

            using var sender = ECDiffieHellman.Create(new ECParameters { Curve = ECCurve.NamedCurves.nistP256, Q = PointOf(senderKey) });
            var shared = _key.DeriveRawSecretAgreement(sender.PublicKey);
            var keyInfo = (byte[])[.. "WebPush: info\0"u8, .. PublicKey, .. senderKey];
            var ikm = HKDF.DeriveKey(HashAlgorithmName.SHA256, shared, 32, _auth, keyInfo);
            var prk = HKDF.Extract(HashAlgorithmName.SHA256, ikm, salt);
            var contentKey = HKDF.Expand(HashAlgorithmName.SHA256, prk, 16, "Content-Encoding: aes128gcm\0"u8.ToArray());
            var nonce = HKDF.Expand(HashAlgorithmName.SHA256, prk, 12, "Content-Encoding: nonce\0"u8.ToArray());

            var plain = new byte[cipher.Length - 16];
            using var aes = new AesGcm(contentKey, 16);
            aes.Decrypt(nonce, cipher[..^16], cipher[^16..], plain);
            var end = Array.FindLastIndex(plain, b => b != 0);
            if (end < 0 || plain[end] != 2) throw new InvalidOperationException("The last record's padding delimiter is not 2.");
            return plain[..end];
        }
    }
}
