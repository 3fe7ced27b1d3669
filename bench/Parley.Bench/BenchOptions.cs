using System.Globalization;

namespace Parley.Bench;

/// <summary>The command line: <c>Parley.Bench &lt;pairs|group|idle&gt; [options]</c>.</summary>
public sealed class BenchOptions
{
    public string Scenario { get; set; } = "";

    // Pairs and group: the open-loop schedule.
    public double? Rate { get; set; }
    public int Pairs { get; set; } = 100;
    public double WarmupSeconds { get; set; } = 5;
    public double DurationSeconds { get; set; } = 20;
    public double DrainSeconds { get; set; } = 5;
    public bool FindMax { get; set; }
    public double MaxP99Ms { get; set; } = 50;
    public List<double> Ladder { get; set; } = [2_000, 5_000, 10_000, 15_000, 20_000, 30_000, 40_000, 50_000, 60_000, 80_000, 100_000];
    public int Pad { get; set; }
    public int Refine { get; set; } = 2;

    // Group.
    public int Members { get; set; } = 1000;
    public int Senders { get; set; } = 5;

    // Idle.
    public int Connections { get; set; } = 1000;
    public int Users { get; set; } = 100;
    public int HandshakeConcurrency { get; set; } = 64;
    public double PauseSeconds { get; set; } = 5;
    public double IdleCpuSeconds { get; set; } = 5;
    public bool DistinctUsers { get; set; }
    public List<int> Sizes { get; set; } = [];

    // History (the read side at scale).
    public int Conversations { get; set; } = 5000;
    public int Messages { get; set; } = 1_000_000;
    public int Friends { get; set; } = 100;
    public int Samples { get; set; } = 1000;

    /// <summary>
    /// history: requests of each kind before the timed ones (default a tenth of --samples). A fresh server compiles the
    /// read paths' code again while it serves the first few thousand requests (tiered JIT); more warm-up times a server
    /// that has been running, fewer one just started.
    /// </summary>
    public int? WarmUp { get; set; }
    public double SettleSeconds { get; set; }
    public bool Export { get; set; }

    // Setup over REST.
    public int SetupConcurrency { get; set; } = 16;

    // The server.
    public string? Url { get; set; }
    public int? ServerPid { get; set; }
    public string? ServerDll { get; set; }
    public List<string> ServerArgs { get; } = [];
    public List<string> ServerEnv { get; } = [];
    public bool KeepData { get; set; }

    // The production path: PostgreSQL (one node), or two nodes on PostgreSQL + Redis.
    public bool Postgres { get; set; }
    public bool Cluster { get; set; }
    public bool CrossNode { get; set; }
    /// <summary>Pairs, cross-node: SIGKILL node 2 this many seconds into the measured window (<see cref="Failover"/>).</summary>
    public double? KillNode2AfterSeconds { get; set; }
    public string? PostgresConnection { get; set; } =
        Environment.GetEnvironmentVariable("PARLEY_BENCH_POSTGRES") ?? Environment.GetEnvironmentVariable("PARLEY_TEST_POSTGRES");
    public string? RedisConnection { get; set; } =
        Environment.GetEnvironmentVariable("PARLEY_BENCH_REDIS") ?? Environment.GetEnvironmentVariable("PARLEY_TEST_REDIS");

    public bool Json { get; set; }
    public double TimeoutSeconds { get; set; } = 1800;

    public const string Usage = """
        Parley.Bench: a load generator for the Parley server, over loopback (127.0.0.1) only.

          Parley.Bench pairs [--rate N | --find-max] [--pairs 100] [--warmup 5] [--duration 20] [--drain 5]
                             [--postgres | --cluster [--cross-node [--kill-node2 S]]]
          Parley.Bench group [--rate N] [--members 1000] [--senders 5] [--warmup 5] [--duration 20] [--drain 5]
          Parley.Bench idle  [--connections 1000] [--users 100 | --distinct-users] [--sizes 1000,5000,10000] [--concurrency 64] [--pause 5]
          Parley.Bench history [--conversations 5000] [--messages 1000000] [--friends 100] [--samples 1000] [--warmup-requests N] [--settle 0] [--export]

        Scenarios
          pairs   N/2 sender/receiver pairs of friends, one WebSocket each; senders send text messages at a fixed
                  total rate (open loop); reports delivered/s, loss, end-to-end latency, server CPU and RSS.
          group   one group of --members (owner included), --senders members send at a fixed total rate; reports
                  deliveries/s (message x receivers) and latency to the last member. A started server gets a
                  platform API key (api-key create) and the group is made through the admin API (no friendships,
                  200 members a call) with Groups:MaxMembers raised to --members; attached (--url), the owner
                  befriends everyone and invites them.
          idle    opens --connections authenticated WebSockets (--users accounts, several devices each),
                  --concurrency at a time; reports handshakes/s, per server CPU-second, and RSS per connection.
                  --distinct-users: one account per connection (a reconnect storm after a restart: every
                  handshake of the first round is its user's first), i.e. --users = --connections.
                  --sizes a,b,c: one run per size, each on a fresh server, then the trend (KiB per connection,
                  cold and warm handshakes per server CPU-second) and a straight-line extrapolation to 100,000.
                  --idle-cpu S: how long the idle CPU is measured after the pause (default 5).
          history one user with --conversations conversations (--friends direct ones, the rest groups) holding
                  --messages messages, seeded through the API; then times, one request at a time (--samples
                  each): the conversation list (first and later pages), a history page, a one-conversation
                  sync over the socket, search in one conversation and across all, each after --warmup-requests N
                  untimed requests (default a tenth of --samples; a fresh server is still compiling the read
                  paths then). --settle S waits S seconds between seeding and measuring (PostgreSQL: lets
                  autovacuum analyse the new rows first).
                  --export: then the user downloads GET /users/me/export (every message, streamed, read to the
                  end and discarded): seconds, MB, MB/s, and the server's RSS before, at its peak during (sampled
                  every 25 ms) and the growth. Attached (--url), RSS needs --server-pid.

        Schedule (pairs, group)
          --rate N            messages per second, all senders together (pairs default 2000, group default 50)
          --find-max          pairs only: step the rate up (--ladder) until p99 > --max-p99 ms or loss > 0, then
                              run at 80% of the highest passing rate
          --ladder a,b,c      the rates --find-max tries (default 2000,5000,10000,15000,20000,30000,...)
          --max-p99 MS        pass limit for --find-max (default 50)
          --refine N          after the ladder, N bisection steps between the highest pass and the lowest
                              failure (default 2); when the first step fails, the rate is halved until one passes
          --pairs N           sender/receiver pairs (default 100, i.e. 200 users)
          --warmup S --duration S --drain S   warm-up, measured window, loss deadline after the window (5, 20, 5)
          --pad N             extra characters of text in each message (default 0)

        Server
          (default)           starts src/Parley.Server/bin/Release/net10.0/Parley.Server.dll on a free 127.0.0.1 port
                              with a fresh data directory, raised rate limits and bcrypt work factor 4
          --server-arg ARG    passed on to the started server (repeatable), e.g. --server-arg=--Database:Provider=postgres
          --server-env N=V    an environment variable for the started server (repeatable), e.g. for runtime
                              knobs such as DOTNET_gcServer=0 or DOTNET_PerfMapEnabled=1 (for perf)
          --server-dll PATH   another build of the server
          --keep-data         keep the server's data directory and log (and the PostgreSQL database of --postgres/--cluster)
          --url URL           attach to a running server instead (127.0.0.1 only); --server-pid PID for CPU and RSS
          --postgres          one node on a fresh PostgreSQL database (created and dropped by the generator); CPU is
                              counted over the server and the PostgreSQL processes together
          --cluster           two nodes of the same build on a fresh PostgreSQL database and Redis; CPU is counted over
                              both nodes, PostgreSQL and Redis. Setup and senders go to node 1.
          --cross-node        with --cluster: pairs' receivers connect to node 2, a group's odd members too
                              (default: everyone on node 1)
          --kill-node2 S      pairs with --cross-node: SIGKILL node 2 S seconds into the measured window; its
                              receivers reconnect to node 1 and fetch what they missed from the history (REST), as a
                              client does after a reconnect; reports how long that took, what came through the
                              history, and what was lost (acked, never delivered). Give --drain room (e.g. 30).
          --postgres-conn CS  PostgreSQL superuser connection string (default $PARLEY_BENCH_POSTGRES, else
                              $PARLEY_TEST_POSTGRES); its database is only used to create and drop the run's own
          --redis HOST:PORT   Redis (default $PARLEY_BENCH_REDIS, else $PARLEY_TEST_REDIS); a fresh key prefix per run
          PostgreSQL's and Redis's CPU is read from /proc: they must run on this machine (their pids are found
          through pg_backend_pid()'s parent and Redis's INFO process_id). On a shared PostgreSQL only the run's own
          database's backends and the cluster's background processes are counted; Redis is counted whole.

        Output
          --json              also print one JSON line with every figure
          --timeout S         give up after this long (default 1800)
          --setup-concurrency N   concurrent REST calls during setup (default 16)
        """;

    public static BenchOptions Parse(string[] args)
    {
        var o = new BenchOptions();
        var i = 0;
        string Next(string name)
        {
            if (i + 1 >= args.Length) throw new ArgumentException($"{name} needs a value.");
            return args[++i];
        }
        double Number(string name) => double.Parse(Next(name), CultureInfo.InvariantCulture);
        int Integer(string name) => int.Parse(Next(name), CultureInfo.InvariantCulture);

        // --name=value is the same as --name value (split at the first '=': --server-arg=--Database:Provider=postgres);
        // the value after a bare --server-arg is taken as it is.
        var split = new List<string>();
        for (var k = 0; k < args.Length; k++)
        {
            var a = args[k];
            if (a.StartsWith("--", StringComparison.Ordinal) && a.IndexOf('=', StringComparison.Ordinal) is var eq and > 2
                && !(k > 0 && args[k - 1] is "--server-arg" or "--server-env"))
            {
                split.Add(a[..eq]);
                split.Add(a[(eq + 1)..]);
            }
            else
            {
                split.Add(a);
            }
        }
        args = [.. split];
        for (; i < args.Length; i++)
        {
            var arg = args[i];
            switch (arg)
            {
                case "pairs" or "group" or "idle" or "history" when o.Scenario == "":
                    o.Scenario = arg;
                    break;
                case "--rate": o.Rate = Number(arg); break;
                case "--pairs": o.Pairs = Integer(arg); break;
                case "--warmup": o.WarmupSeconds = Number(arg); break;
                case "--duration": o.DurationSeconds = Number(arg); break;
                case "--drain": o.DrainSeconds = Number(arg); break;
                case "--find-max": o.FindMax = true; break;
                case "--max-p99": o.MaxP99Ms = Number(arg); break;
                case "--ladder":
                    o.Ladder = [.. Next(arg).Split(',', StringSplitOptions.RemoveEmptyEntries).Select(s => double.Parse(s, CultureInfo.InvariantCulture))];
                    break;
                case "--pad": o.Pad = Integer(arg); break;
                case "--refine": o.Refine = Integer(arg); break;
                case "--members": o.Members = Integer(arg); break;
                case "--senders": o.Senders = Integer(arg); break;
                case "--connections": o.Connections = Integer(arg); break;
                case "--users": o.Users = Integer(arg); break;
                case "--concurrency": o.HandshakeConcurrency = Integer(arg); break;
                case "--pause": o.PauseSeconds = Number(arg); break;
                case "--idle-cpu": o.IdleCpuSeconds = Number(arg); break;
                case "--distinct-users": o.DistinctUsers = true; break;
                case "--sizes":
                    o.Sizes = [.. Next(arg).Split(',', StringSplitOptions.RemoveEmptyEntries).Select(s => int.Parse(s, CultureInfo.InvariantCulture))];
                    break;
                case "--postgres": o.Postgres = true; break;
                case "--cluster": o.Cluster = true; break;
                case "--cross-node": o.CrossNode = true; break;
                case "--kill-node2": o.KillNode2AfterSeconds = Number(arg); break;
                case "--postgres-conn": o.PostgresConnection = Next(arg); break;
                case "--redis": o.RedisConnection = Next(arg); break;
                case "--conversations": o.Conversations = Integer(arg); break;
                case "--messages": o.Messages = Integer(arg); break;
                case "--friends": o.Friends = Integer(arg); break;
                case "--samples": o.Samples = Integer(arg); break;
                case "--warmup-requests": o.WarmUp = Integer(arg); break;
                case "--settle": o.SettleSeconds = Number(arg); break;
                case "--export": o.Export = true; break;
                case "--setup-concurrency": o.SetupConcurrency = Integer(arg); break;
                case "--url": o.Url = Next(arg); break;
                case "--server-pid": o.ServerPid = Integer(arg); break;
                case "--server-dll": o.ServerDll = Next(arg); break;
                case "--server-arg": o.ServerArgs.Add(Next(arg)); break;
                case "--server-env":
                    var env = Next(arg);
                    if (!env.Contains('=', StringComparison.Ordinal)) throw new ArgumentException("--server-env takes NAME=VALUE.");
                    o.ServerEnv.Add(env);
                    break;
                case "--keep-data": o.KeepData = true; break;
                case "--json": o.Json = true; break;
                case "--timeout": o.TimeoutSeconds = Number(arg); break;
                default:
                    throw new ArgumentException($"Unknown argument '{arg}'.");
            }
        }

        if (o.Scenario == "") throw new ArgumentException("Name a scenario: pairs, group, idle or history.");
        if (o.Pairs < 1 || o.Members < 2 || o.Senders < 1 || o.Senders >= o.Members || o.Connections < 1 || o.Users < 1
            || o.HandshakeConcurrency < 1 || o.SetupConcurrency < 1 || o.Conversations < 1 || o.Messages < 1 || o.Friends < 1 || o.Samples < 10 || o.WarmUp < 0)
            throw new ArgumentException("Counts must be positive (and --senders below --members).");
        if (o.DurationSeconds <= 0 || o.WarmupSeconds < 0 || o.DrainSeconds < 0) throw new ArgumentException("Times must be positive.");
        if (o.Rate is <= 0) throw new ArgumentException("--rate must be positive.");
        if (o.Export && o.Scenario != "history") throw new ArgumentException("--export is for the history scenario.");
        if (o.FindMax && o.Scenario != "pairs") throw new ArgumentException("--find-max is for the pairs scenario.");
        if (o.ServerPid is not null && o.Url is null) throw new ArgumentException("--server-pid goes with --url.");
        if (o.Sizes.Count > 0 && o.Scenario != "idle") throw new ArgumentException("--sizes is for the idle scenario.");
        if (o.Sizes.Any(n => n < 1)) throw new ArgumentException("--sizes takes positive counts.");
        if (o.Sizes.Count > 0 && o.Url is not null) throw new ArgumentException("--sizes starts a fresh server per size: not with --url.");
        if (o.IdleCpuSeconds < 0) throw new ArgumentException("--idle-cpu must not be negative.");
        if (o.CrossNode && !o.Cluster) throw new ArgumentException("--cross-node goes with --cluster.");
        if (o.CrossNode && o.Scenario is not ("pairs" or "group")) throw new ArgumentException("--cross-node is for the pairs and group scenarios.");
        if (o.KillNode2AfterSeconds is { } kill && (!o.CrossNode || o.Scenario != "pairs" || o.FindMax || kill < 0 || kill >= o.DurationSeconds))
            throw new ArgumentException("--kill-node2 is for pairs at one --rate with --cluster --cross-node, within the measured window.");
        if ((o.Postgres || o.Cluster) && o.Url is not null) throw new ArgumentException("--postgres and --cluster start their own servers: not with --url.");
        if ((o.Postgres || o.Cluster) && string.IsNullOrWhiteSpace(o.PostgresConnection))
            throw new ArgumentException("--postgres and --cluster need PostgreSQL: --postgres-conn, PARLEY_BENCH_POSTGRES or PARLEY_TEST_POSTGRES.");
        if (o.Cluster && string.IsNullOrWhiteSpace(o.RedisConnection))
            throw new ArgumentException("--cluster needs Redis: --redis, PARLEY_BENCH_REDIS or PARLEY_TEST_REDIS.");
        return o;
    }
}
