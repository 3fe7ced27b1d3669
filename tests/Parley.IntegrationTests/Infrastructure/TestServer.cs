using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Parley.Client;

namespace Parley.IntegrationTests.Infrastructure;

/// <summary>
/// The real server (Program.Build, the same code the README's run command starts) listening on a free
/// loopback port over real HTTP, with its own database and data folder. Dispose stops it and drops both.
/// </summary>
public sealed partial class TestServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly TestDatabase _database;
    private readonly string _dataDirectory;
    private readonly HttpClient _http;
    private int _phoneCounter;

    private readonly bool _ownsDatabase;

    private TestServer(WebApplication app, TestDatabase database, bool ownsDatabase, string dataDirectory, LogSink log, Uri address)
    {
        _app = app;
        _database = database;
        _ownsDatabase = ownsDatabase;
        _dataDirectory = dataDirectory;
        Log = log;
        BaseAddress = address;
        _http = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(30) };
    }

    public Uri BaseAddress { get; }
    public LogSink Log { get; }
    public string Provider => _database.Provider;
    public IServiceProvider Services => _app.Services;

    /// <summary>A plain HTTP client for the raw-request tests (bad JSON, status codes, headers).</summary>
    public HttpClient Http => _http;

    /// <summary>Starts a server. <paramref name="settings"/> override configuration keys, as on the command line.</summary>
    /// <param name="sharedDatabase">A database several servers (scaled-out nodes) share: used as is, and left for its owner to drop.</param>
    public static async Task<TestServer> StartAsync(IDictionary<string, string?>? settings = null, Action<WebApplicationBuilder>? adjust = null,
        TestDatabase? sharedDatabase = null)
    {
        var dataDirectory = Directory.CreateTempSubdirectory("parley-test-").FullName;
        var database = sharedDatabase ?? await TestDatabase.CreateAsync(dataDirectory);
        var configuration = new Dictionary<string, string?>
        {
            ["urls"] = "http://127.0.0.1:0",
            ["DataPath"] = dataDirectory,
            ["Database:Provider"] = database.Provider,
            ["ConnectionStrings:Database"] = database.ConnectionString,
            // bcrypt's cost is a setting; the lowest keeps hundreds of sign-ups fast without changing the code path.
            ["Accounts:BcryptWorkFactor"] = "4",
            ["RateLimits:RegisterPerMinute"] = "100000",
            ["RateLimits:LoginPerMinute"] = "100000",
            ["RateLimits:VerificationCodesPerMinute"] = "100000",
            // Tests send bursts and open many sockets and requests; the tests of these limits set them low.
            ["RateLimits:MessagesPerSecondPerUser"] = "100000",
            ["RateLimits:MessageBurstPerUser"] = "100000",
            ["RateLimits:FriendRequestsPerDay"] = "100000",
            ["RateLimits:ExactLookupsPerHour"] = "100000",
            ["Gateway:MaxSocketsPerUser"] = "1000",
            ["Logging:LogLevel:Default"] = "Warning",
            ["Logging:LogLevel:Parley"] = "Information",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>()) configuration[key] = value;
        var args = configuration.Select(kv => $"--{kv.Key}={kv.Value}").ToArray();

        var log = new LogSink();
        WebApplication app;
        try
        {
            app = Program.Build(args, builder =>
            {
                builder.Logging.ClearProviders().AddProvider(log);
                adjust?.Invoke(builder);
            });
        }
        catch
        {
            if (sharedDatabase is null) await database.DisposeAsync();
            throw;
        }
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new TestServer(app, database, sharedDatabase is null, dataDirectory, log, new Uri(address.TrimEnd('/') + "/"));
    }

    /// <summary>A client with no session yet.</summary>
    public ParleyClient NewClient() => new(new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(30) });

    /// <summary>Registers a new user by phone number and returns a client signed in as them.</summary>
    public async Task<ParleyClient> NewUserAsync(string? nickname = null, string password = "correct horse 1")
    {
        var client = NewClient();
        await client.RegisterAsync(new RegisterRequest { Phone = UniquePhone(), Password = password, Nickname = nickname ?? "user" });
        return client;
    }

    /// <summary>A Chinese mobile number no other test of this run uses.</summary>
    public string UniquePhone() =>
        $"+86139{Environment.ProcessId % 1000:D3}{Interlocked.Increment(ref _phoneCounter) % 100000:D5}";

    public static string UniqueEmail() => $"u{Guid.NewGuid():N}@example.test";

    /// <summary>The last verification code the server "e-mailed" (wrote to its log) to <paramref name="email"/>.</summary>
    public string LastCodeSentTo(string email)
    {
        var line = Log.Lines.LastOrDefault(l => l.Contains($"e-mail to {email} not sent", StringComparison.Ordinal))
            ?? throw new InvalidOperationException($"No code was logged for {email}.");
        return CodeInLog().Match(line).Groups[1].Value;
    }

    public static async Task MakeFriendsAsync(ParleyClient a, ParleyClient b)
    {
        var request = await a.SendFriendRequestAsync(b.UserId, "hi");
        await b.AcceptFriendRequestAsync(request.Id);
    }

    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        if (_ownsDatabase) await _database.DisposeAsync();
        try
        {
            Directory.Delete(_dataDirectory, recursive: true);
        }
        catch (IOException)
        {
            // SQLite may still hold the file for a moment; the temp folder is cleaned by the OS.
        }
    }

    [GeneratedRegex(@"verification code is (\d{6})")]
    private static partial Regex CodeInLog();
}

/// <summary>One server per test class (classes run in parallel, each on its own database).</summary>
public sealed class ServerFixture : IAsyncLifetime
{
    public TestServer Server { get; private set; } = null!;

    public async Task InitializeAsync() => Server = await TestServer.StartAsync();

    public async Task DisposeAsync() => await Server.DisposeAsync();
}
