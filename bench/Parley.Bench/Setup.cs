using System.Diagnostics;
using System.Globalization;
using System.Net;
using Parley.Client;

namespace Parley.Bench;

/// <summary>A registered account: its SDK client (for setup calls) and its access token (for sockets).</summary>
public sealed record BenchUser(int Index, ParleyClient Client)
{
    public string Id => Client.UserId;
    public string Token => Client.AccessToken!;
}

/// <summary>Everything before the load: accounts, friendships and groups through the REST SDK, then the sockets.</summary>
public sealed class Setup(ServerHost server, BenchOptions options) : IDisposable
{
    private readonly HttpClient _http = new(new SocketsHttpHandler
    {
        UseProxy = false,
        MaxConnectionsPerServer = Math.Max(4, options.SetupConcurrency),
        AutomaticDecompression = DecompressionMethods.None,
    })
    {
        BaseAddress = server.BaseAddress,
        Timeout = TimeSpan.FromSeconds(120),
    };

    private readonly HttpMessageInvoker _handshakes = BenchSocket.CreateInvoker();

    // A random block of phone numbers per run, so that runs against one attached server do not collide.
    private readonly int _phoneBlock = Random.Shared.Next(1000, 10000);

    public HttpMessageInvoker Handshakes => _handshakes;

    public async Task<BenchUser[]> RegisterAsync(int count, CancellationToken cancellationToken)
    {
        if (count > 100_000) throw new ArgumentException("At most 100,000 users per run.");
        var users = new BenchUser[count];
        var started = Stopwatch.GetTimestamp();
        var cpuBefore = server.Sample();
        await Parallel.ForEachAsync(Enumerable.Range(0, count),
            new ParallelOptions { MaxDegreeOfParallelism = options.SetupConcurrency, CancellationToken = cancellationToken },
            async (i, ct) =>
            {
                var client = new ParleyClient(_http);
                await RetryAsync(() => client.RegisterAsync(new RegisterRequest
                {
                    // Mainland China mobile numbers: 13 + 4 digits of this run + 5 of the user.
                    Phone = string.Create(CultureInfo.InvariantCulture, $"+8613{_phoneBlock:D4}{i:D5}"),
                    Password = "bench-password",
                    Nickname = string.Create(CultureInfo.InvariantCulture, $"bench {i}"),
                }, ct), ct);
                users[i] = new BenchUser(i, client);
            });
        var cpu = ProcSample.CpuBetween(cpuBefore, server.Sample());
        Log.Info($"registered {count} users in {Stopwatch.GetElapsedTime(started).TotalSeconds:F1} s"
            + (cpu > 0 ? string.Create(CultureInfo.InvariantCulture, $" ({count / cpu.Value:F0} per server CPU-second)") : ""));
        return users;
    }

    /// <summary>Makes each pair friends: a request one way, accepted the other.</summary>
    public async Task MakeFriendsAsync(IReadOnlyList<(BenchUser A, BenchUser B)> pairs, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        await Parallel.ForEachAsync(pairs,
            new ParallelOptions { MaxDegreeOfParallelism = options.SetupConcurrency, CancellationToken = cancellationToken },
            async (pair, ct) =>
            {
                var request = await RetryAsync(() => pair.A.Client.SendFriendRequestAsync(pair.B.Id, cancellationToken: ct), ct);
                await RetryAsync(() => pair.B.Client.AcceptFriendRequestAsync(request.Id, ct), ct);
            });
        Log.Info($"made {pairs.Count} friendships in {Stopwatch.GetElapsedTime(started).TotalSeconds:F1} s");
    }

    // The API takes at most 200 people per call (GroupRules.MaxInviteesPerRequest).
    private const int GroupBatch = 199;

    /// <summary>
    /// One group of all <paramref name="users"/>, owned by <paramref name="owner"/>, through the platform API: no
    /// friendships needed, so a 10,000-member group costs 10,000 registrations and 50 calls, not 20,000 more.
    /// </summary>
    public async Task<Parley.Client.GroupView> CreateGroupThroughPlatformAsync(string apiKey, BenchUser owner, IReadOnlyList<BenchUser> users, CancellationToken ct)
    {
        var started = Stopwatch.GetTimestamp();
        using var admin = new ParleyAdminClient(_http, apiKey);
        var others = users.Where(u => u != owner).Select(u => u.Id).ToList();
        var group = await RetryAsync(() => admin.CreateGroupAsync(owner.Id, "bench group", others.Take(GroupBatch), ct), ct);
        for (var from = GroupBatch; from < others.Count; from += GroupBatch)
        {
            var chunk = others.Skip(from).Take(GroupBatch).ToList();
            await RetryAsync(() => admin.AddGroupMembersAsync(group.Id, chunk, ct), ct);
        }
        Log.Info($"made the group of {users.Count} through the platform API in {Stopwatch.GetElapsedTime(started).TotalSeconds:F1} s");
        return group;
    }

    /// <summary>The same as a user would (attached servers, no API key): the owner befriends everyone, then invites them.</summary>
    public async Task<Parley.Client.GroupView> CreateGroupAsOwnerAsync(BenchUser owner, IReadOnlyList<BenchUser> users, CancellationToken ct)
    {
        await MakeFriendsAsync(users.Where(u => u != owner).Select(u => (owner, u)).ToList(), ct);
        var started = Stopwatch.GetTimestamp();
        var others = users.Where(u => u != owner).Select(u => u.Id).ToList();
        var group = await RetryAsync(() => owner.Client.CreateGroupAsync("bench group", others.Take(GroupBatch), cancellationToken: ct), ct);
        for (var from = GroupBatch; from < others.Count; from += GroupBatch)
        {
            var chunk = others.Skip(from).Take(GroupBatch).ToList();
            await RetryAsync(() => owner.Client.InviteToGroupAsync(group.Id, chunk, ct), ct);
        }
        Log.Info($"made the group of {users.Count} as its owner in {Stopwatch.GetElapsedTime(started).TotalSeconds:F1} s");
        return group;
    }

    /// <summary>Opens one socket per entry (user index → device), <see cref="BenchOptions.HandshakeConcurrency"/> at a time.</summary>
    /// <param name="node">Which node each entry connects to (1 or 2, see <see cref="ServerHost.WebSocketAddressOf"/>); node 1 when null.</param>
    public async Task<BenchSocket[]> ConnectAsync(IReadOnlyList<BenchUser> users, int bufferSize, CancellationToken cancellationToken, Func<int, int>? node = null)
    {
        var sockets = new BenchSocket[users.Count];
        await Parallel.ForEachAsync(Enumerable.Range(0, users.Count),
            new ParallelOptions { MaxDegreeOfParallelism = options.HandshakeConcurrency, CancellationToken = cancellationToken },
            async (i, ct) =>
            {
                sockets[i] = await RetryAsync(() => BenchSocket.ConnectAsync(server.WebSocketAddressOf(node?.Invoke(i) ?? 1), users[i].Token, _handshakes, i, ct), ct);
                sockets[i].StartReceiving(bufferSize);
            });
        return sockets;
    }

    /// <summary>A few tries for setup calls that can meet a busy database; scenario traffic is never retried.</summary>
    public static async Task<T> RetryAsync<T>(Func<Task<T>> call, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await call();
            }
            catch (Exception e) when (attempt < 4 && !cancellationToken.IsCancellationRequested && IsTransient(e))
            {
                await Task.Delay(200 * attempt, cancellationToken);
            }
        }
    }

    private static bool IsTransient(Exception e) => e switch
    {
        ParleyApiException api => (int)api.Status >= 500 || api.Status == HttpStatusCode.TooManyRequests,
        HttpRequestException or System.Net.WebSockets.WebSocketException or TaskCanceledException => true,
        _ => false,
    };

    public void Dispose()
    {
        _http.Dispose();
        _handshakes.Dispose();
    }
}

public static class Log
{
    private static readonly long Started = Stopwatch.GetTimestamp();

    public static void Info(string message) =>
        Console.Error.WriteLine($"[{Stopwatch.GetElapsedTime(Started).TotalSeconds,7:F1}s] {message}");
}
