using Parley.Client;
using Parley.IntegrationTests.Infrastructure;

namespace Parley.IntegrationTests.ScaleOut;

/// <summary>
/// Two real server nodes in this process, sharing one fresh PostgreSQL database and the test run's Redis
/// (PARLEY_TEST_REDIS; without it, or without PARLEY_TEST_POSTGRES, the tests fail, never skip). Each cluster has
/// its own Redis key prefix, so that clusters of tests running in parallel never see each other. Heartbeats are
/// short (250 ms, expiry after 2 s), so that a node that dies is noticed within a few seconds.
/// </summary>
internal sealed class TwoNodes : IAsyncDisposable
{
    public static readonly TimeSpan NodeTtl = TimeSpan.FromSeconds(2);

    private readonly TestDatabase _database;
    private bool _bStopped;

    private TwoNodes(TestDatabase database, TestServer a, TestServer b)
    {
        _database = database;
        A = a;
        B = b;
    }

    public TestServer A { get; }
    public TestServer B { get; }

    public static string Redis => Environment.GetEnvironmentVariable("PARLEY_TEST_REDIS")
        ?? throw new InvalidOperationException("PARLEY_TEST_REDIS is not set: run the suite with scripts/test.sh, which starts Redis (PARLEY_TEST_SERVICES_ONLY=1 prints the exports).");

    public static async Task<TwoNodes> StartAsync(IDictionary<string, string?>? settings = null)
    {
        var redis = Redis;
        var database = await TestDatabase.CreatePostgresAsync();
        var prefix = $"parley-test-{Guid.NewGuid():N}:";
        // As in production: one signing key for all nodes, so a token from one is good on the other.
        var signingKey = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(48));
        Dictionary<string, string?> Node(int worker)
        {
            var node = new Dictionary<string, string?>
            {
                ["ConnectionStrings:Redis"] = redis,
                ["ScaleOut:KeyPrefix"] = prefix,
                ["ScaleOut:NodeTtl"] = NodeTtl.ToString(),
                ["ScaleOut:HeartbeatInterval"] = "00:00:00.250",
                ["Ids:WorkerId"] = worker.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["Jwt:SigningKey"] = signingKey,
            };
            foreach (var (key, value) in settings ?? new Dictionary<string, string?>()) node[key] = value;
            return node;
        }
        try
        {
            // One after the other: the first applies the migrations.
            var a = await TestServer.StartAsync(Node(1), sharedDatabase: database);
            var b = await TestServer.StartAsync(Node(2), sharedDatabase: database);
            return new TwoNodes(database, a, b);
        }
        catch
        {
            await database.DisposeAsync();
            throw;
        }
    }

    /// <summary>A new user, signed in on node A; <see cref="OnB"/> signs the same account in on node B.</summary>
    public async Task<User> NewUserAsync(string nickname)
    {
        var phone = A.UniquePhone();
        const string password = "correct horse 1";
        var onA = A.NewClient();
        await onA.RegisterAsync(new RegisterRequest { Phone = phone, Password = password, Nickname = nickname });
        var onB = B.NewClient();
        await onB.LoginAsync(phone, password);
        return new User(onA, onB);
    }

    /// <summary>A device connected to a node, registered there (it has had an answer) and so reachable from both nodes.</summary>
    public static async Task<ParleyRealtime> ConnectAsync(ParleyClient client)
    {
        var device = await ParleyRealtime.ConnectAsync(client);
        await device.RequestAsync("ping", null);
        return device;
    }

    /// <summary>Stops node B: with <paramref name="goodbye"/> false it first loses Redis, so it cannot say goodbye (as if it died).</summary>
    public async Task StopBAsync(bool goodbye)
    {
        if (!goodbye)
        {
            var redis = (StackExchange.Redis.IConnectionMultiplexer)B.Services.GetService(typeof(StackExchange.Redis.IConnectionMultiplexer))!;
            await redis.CloseAsync(allowCommandsToComplete: false);
        }
        _bStopped = true;
        await B.DisposeAsync();
    }

    public async ValueTask DisposeAsync()
    {
        if (!_bStopped) await B.DisposeAsync();
        await A.DisposeAsync();
        await _database.DisposeAsync();
    }

    public sealed record User(ParleyClient OnA, ParleyClient OnB) : IDisposable
    {
        public string Id => OnA.UserId;

        public void Dispose()
        {
            OnA.Dispose();
            OnB.Dispose();
        }
    }
}
