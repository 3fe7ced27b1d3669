using System.Globalization;
using System.Net.Sockets;
using System.Text;
using Npgsql;

namespace Parley.Bench;

/// <summary>
/// The production path's services for one run: a fresh PostgreSQL database (created here, dropped at the end) and,
/// for a cluster, Redis with a fresh key prefix. Their CPU is read from /proc, so that "per CPU-second" can count
/// every process that serves the messages, not only the nodes.
/// </summary>
public sealed class BackingServices : IAsyncDisposable
{
    // The PostgreSQL processes that are not one database's backends: they work for every database (WAL, checkpoints).
    private static readonly string[] SharedPostgresProcesses =
        ["checkpointer", "background writer", "walwriter", "autovacuum launcher", "logical replication launcher", "archiver", "stats collector", "io worker"];

    private readonly string _adminConnection;

    private BackingServices(string adminConnection, string databaseConnection, string database, int? postmasterPid, string? redis, int? redisPid, string keyPrefix)
    {
        _adminConnection = adminConnection;
        DatabaseConnection = databaseConnection;
        Database = database;
        PostmasterPid = postmasterPid;
        Redis = redis;
        RedisPid = redisPid;
        KeyPrefix = keyPrefix;
    }

    /// <summary>The run's own database.</summary>
    public string Database { get; }
    public string DatabaseConnection { get; }
    public int? PostmasterPid { get; }
    public string? Redis { get; }
    public int? RedisPid { get; }
    public string KeyPrefix { get; }

    public string Description =>
        $"PostgreSQL database {Database} (postmaster pid {Show(PostmasterPid)})"
        + (Redis is null ? "" : $", Redis {Redis} (pid {Show(RedisPid)}, key prefix {KeyPrefix})");

    private static string Show(int? pid) => pid?.ToString(CultureInfo.InvariantCulture) ?? "not found: its CPU is not counted";

    /// <summary>The server's configuration for this database (and Redis, when there is one).</summary>
    public IEnumerable<string> ServerArgs()
    {
        yield return "--Database:Provider=postgres";
        yield return "--ConnectionStrings:Database=" + DatabaseConnection;
        if (Redis is null) yield break;
        yield return "--ConnectionStrings:Redis=" + Redis;
        yield return "--ScaleOut:KeyPrefix=" + KeyPrefix;
    }

    public static async Task<BackingServices> CreateAsync(string postgres, string? redis, CancellationToken cancellationToken)
    {
        var suffix = string.Create(CultureInfo.InvariantCulture, $"{DateTime.UtcNow:yyyyMMddHHmmss}_{Environment.ProcessId}");
        var database = "parley_bench_" + suffix;
        int? postmaster;
        await using (var connection = new NpgsqlConnection(postgres))
        {
            await connection.OpenAsync(cancellationToken);
            await using (var create = new NpgsqlCommand($"CREATE DATABASE \"{database}\"", connection))
                await create.ExecuteNonQueryAsync(cancellationToken);
            await using var pid = new NpgsqlCommand("SELECT pg_backend_pid()", connection);
            // A backend is forked by the postmaster: its parent is the server whose processes we count.
            postmaster = ParentOf(Convert.ToInt32(await pid.ExecuteScalarAsync(cancellationToken), CultureInfo.InvariantCulture));
        }
        var builder = new NpgsqlConnectionStringBuilder(postgres) { Database = database };
        int? redisPid = redis is null ? null : await RedisPidAsync(redis, cancellationToken);
        var services = new BackingServices(postgres, builder.ConnectionString, database, postmaster, redis, redisPid, $"parleybench{suffix}:");
        Log.Info(services.Description);
        return services;
    }

    /// <summary>CPU (utime+stime) of PostgreSQL (the postmaster, its shared processes and this database's backends) and Redis.</summary>
    public ProcSample? Sample()
    {
        double cpu = 0, system = 0;
        long rss = 0;
        var any = false;
        void Add(int pid)
        {
            if (ProcSample.Read(pid) is not { } s) return;
            cpu += s.CpuSeconds;
            system += s.SystemSeconds;
            rss += s.RssKiB;
            any = true;
        }
        if (PostmasterPid is { } postmaster)
        {
            Add(postmaster);
            foreach (var child in ChildrenOf(postmaster))
                if (IsOurs(child)) Add(child);
        }
        if (RedisPid is { } redis) Add(redis);
        return any ? new ProcSample(cpu, system, rss, System.Diagnostics.Stopwatch.GetTimestamp()) : null;
    }

    private bool IsOurs(int pid)
    {
        string title;
        try
        {
            title = File.ReadAllText($"/proc/{pid}/cmdline").Replace('\0', ' ');
        }
        catch (IOException)
        {
            return false;
        }
        // Backends are titled "postgres: USER DATABASE HOST(PORT) STATE"; autovacuum workers name the database too.
        if (title.Contains(" " + Database + " ", StringComparison.Ordinal) || title.TrimEnd().EndsWith(" " + Database, StringComparison.Ordinal)) return true;
        return SharedPostgresProcesses.Any(p => title.Contains(": " + p, StringComparison.Ordinal));
    }

    private static int? ParentOf(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return int.Parse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[1], CultureInfo.InvariantCulture);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException)
        {
            Log.Info($"WARNING: PostgreSQL's backend {pid} is not a process of this machine: PostgreSQL's CPU is not counted");
            return null;
        }
    }

    private static IEnumerable<int> ChildrenOf(int parent)
    {
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(directory), NumberStyles.None, CultureInfo.InvariantCulture, out var pid)) continue;
            int? ppid;
            try
            {
                var stat = File.ReadAllText(Path.Combine(directory, "stat"));
                ppid = int.Parse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[1], CultureInfo.InvariantCulture);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or ArgumentOutOfRangeException)
            {
                continue;
            }
            if (ppid == parent) yield return pid;
        }
    }

    /// <summary>Redis's <c>INFO server</c> process_id, over a bare RESP exchange (no client library needed for one command).</summary>
    private static async Task<int?> RedisPidAsync(string configuration, CancellationToken cancellationToken)
    {
        var endpoint = configuration.Split(',')[0].Trim();
        var colon = endpoint.LastIndexOf(':');
        var host = colon > 0 ? endpoint[..colon] : endpoint;
        var port = colon > 0 ? int.Parse(endpoint[(colon + 1)..], CultureInfo.InvariantCulture) : 6379;
        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync(host, port, cancellationToken);
            await using var stream = client.GetStream();
            await stream.WriteAsync("*2\r\n$4\r\nINFO\r\n$6\r\nserver\r\n"u8.ToArray(), cancellationToken);
            var text = new StringBuilder();
            var buffer = new byte[8192];
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(5));
            while (!text.ToString().Contains("process_id:", StringComparison.Ordinal) || !text.ToString().Split("process_id:")[1].Contains('\n'))
            {
                var n = await stream.ReadAsync(buffer, timeout.Token);
                if (n == 0) break;
                text.Append(Encoding.UTF8.GetString(buffer, 0, n));
            }
            var line = text.ToString().Split('\n').FirstOrDefault(l => l.StartsWith("process_id:", StringComparison.Ordinal));
            if (line is not null && int.TryParse(line["process_id:".Length..].Trim(), CultureInfo.InvariantCulture, out var pid) && File.Exists($"/proc/{pid}/stat"))
                return pid;
        }
        catch (Exception e) when (e is SocketException or IOException or OperationCanceledException)
        {
            Log.Info($"WARNING: cannot ask Redis at {endpoint} for its pid ({e.Message}): Redis's CPU is not counted");
            return null;
        }
        Log.Info($"WARNING: Redis at {endpoint} is not a process of this machine: its CPU is not counted");
        return null;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await using var connection = new NpgsqlConnection(_adminConnection);
            await connection.OpenAsync();
            await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{Database}\" WITH (FORCE)", connection);
            await drop.ExecuteNonQueryAsync();
        }
        catch (Exception e) when (e is NpgsqlException or InvalidOperationException)
        {
            Log.Info($"WARNING: could not drop {Database}: {e.Message}");
        }
    }
}
