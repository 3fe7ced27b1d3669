using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Parley.Bench;

/// <summary>
/// The server under test: started here as a child process on a free 127.0.0.1 port with a fresh data
/// directory, or a running one given by <c>--url</c> (and <c>--server-pid</c> for its CPU and memory).
/// </summary>
public sealed class ServerHost : IAsyncDisposable
{
    private readonly Process? _process;
    private readonly string? _dataDirectory;
    private readonly StreamWriter? _log;
    private readonly bool _keepData;

    private ServerHost(Uri baseAddress, int? pid, Process? process, string? dataDirectory, StreamWriter? log, bool keepData, string description)
    {
        BaseAddress = baseAddress;
        Pid = pid;
        _process = process;
        _dataDirectory = dataDirectory;
        _log = log;
        _keepData = keepData;
        Description = description;
    }

    public Uri BaseAddress { get; }
    public Uri WebSocketAddress => new($"ws://{BaseAddress.Authority}/ws");
    public int? Pid { get; }
    public string Description { get; }
    public bool Started => _process is not null;
    public string? LogPath => _dataDirectory is null ? null : Path.Combine(_dataDirectory, "server.log");

    /// <summary>The second node of a cluster (<c>--cluster</c>), disposed with this one.</summary>
    public ServerHost? Second { get; private set; }

    /// <summary>PostgreSQL (and Redis) of <c>--postgres</c> and <c>--cluster</c>, disposed (the database dropped) after the nodes stop.</summary>
    public BackingServices? Services { get; private set; }

    /// <summary>A platform API key (<c>api-key create</c> before the start), for the admin API's quicker setup; null when attached.</summary>
    public string? ApiKey { get; private set; }

    /// <summary>Where node <paramref name="node"/> (1 or 2) takes WebSockets: node 2 is this one when there is no second.</summary>
    public Uri WebSocketAddressOf(int node) => node == 2 && Second is not null ? Second.WebSocketAddress : WebSocketAddress;

    /// <summary>
    /// CPU over every process that serves the run: this node, the second node, PostgreSQL and Redis (RSS: the nodes only).
    /// With neither a second node nor services, the server process alone, as before.
    /// </summary>
    public ProcSample? Sample()
    {
        var own = NodeSample();
        if (own is not { } total) return null;
        if (Second?.NodeSample() is { } second)
            total = total with { CpuSeconds = total.CpuSeconds + second.CpuSeconds, SystemSeconds = total.SystemSeconds + second.SystemSeconds, RssKiB = total.RssKiB + second.RssKiB };
        if (Services?.Sample() is { } services)
            total = total with { CpuSeconds = total.CpuSeconds + services.CpuSeconds, SystemSeconds = total.SystemSeconds + services.SystemSeconds };
        return total;
    }

    /// <summary>The Parley node processes only (both nodes of a cluster), without PostgreSQL and Redis.</summary>
    public ProcSample? NodesSample()
    {
        if (NodeSample() is not { } own) return null;
        return Second?.NodeSample() is { } second
            ? own with { CpuSeconds = own.CpuSeconds + second.CpuSeconds, SystemSeconds = own.SystemSeconds + second.SystemSeconds, RssKiB = own.RssKiB + second.RssKiB }
            : own;
    }

    // A node killed on purpose (--kill-node2): its CPU up to the kill, so that a window's CPU still adds up.
    private ProcSample? _lastSample;

    private ProcSample? NodeSample() => _lastSample ?? ProcSample.Read(Pid);

    /// <summary>SIGKILL, as a machine or container dies: no shutdown, nothing flushed (the failover run).</summary>
    public async Task KillAsync()
    {
        if (_process is null || _process.HasExited) return;
        _lastSample = ProcSample.Read(Pid);
        _process.Kill(entireProcessTree: false);
        await _process.WaitForExitAsync();
    }

    /// <summary>
    /// The server(s) of this run: one node on SQLite (the default), one on a fresh PostgreSQL database (<c>--postgres</c>),
    /// or two nodes on PostgreSQL + Redis (<c>--cluster</c>), or an attached one (<c>--url</c>).
    /// </summary>
    public static async Task<ServerHost> StartForAsync(BenchOptions options, CancellationToken cancellationToken)
    {
        if (options.Url is not null) return await AttachAsync(options, cancellationToken);
        if (!options.Postgres && !options.Cluster) return await StartAsync(options, [], cancellationToken);

        var services = await BackingServices.CreateAsync(options.PostgresConnection!, options.Cluster ? options.RedisConnection : null, cancellationToken);
        ServerHost? first = null;
        try
        {
            if (!options.Cluster)
            {
                first = await StartAsync(options, [.. services.ServerArgs()], cancellationToken);
                first.Services = services;
                return first;
            }
            // One signing key for both (a token of one node is good on the other), distinct worker ids; node 1 migrates.
            var key = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(48));
            string[] shared = [.. services.ServerArgs(), "--Jwt:SigningKey=" + key];
            first = await StartAsync(options, [.. shared, "--Ids:WorkerId=1"], cancellationToken, "node 1");
            first.Services = services;
            first.Second = await StartAsync(options, [.. shared, "--Ids:WorkerId=2", "--Database:MigrateOnStartup=false"], cancellationToken, "node 2");
            return first;
        }
        catch
        {
            if (first is not null) await first.DisposeAsync();
            else await services.DisposeAsync();
            throw;
        }
    }

    /// <summary>What runs, for the report: the node(s), the database and Redis.</summary>
    public string FullDescription =>
        Description + (Second is null ? "" : "; " + Second.Description) + (Services is null ? "" : "; " + Services.Description);

    /// <summary>The server's open-file limit as the kernel reports it, to tell whether 10k connections can fit.</summary>
    public string? OpenFileLimit()
    {
        if (Pid is null) return null;
        try
        {
            var line = File.ReadLines($"/proc/{Pid}/limits").FirstOrDefault(l => l.StartsWith("Max open files", StringComparison.Ordinal));
            return line?["Max open files".Length..].Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries)[0];
        }
        catch (IOException)
        {
            return null;
        }
    }

    public static async Task<ServerHost> AttachAsync(BenchOptions options, CancellationToken cancellationToken)
    {
        var given = new Uri(options.Url!.EndsWith('/') ? options.Url : options.Url + "/");
        // Loopback only: this tool must never load anything but a server on this machine.
        var host = given.Host is "localhost" ? "127.0.0.1" : given.Host;
        if (host != "127.0.0.1") throw new ArgumentException($"--url must point at 127.0.0.1, not '{given.Host}'.");
        if (given.Scheme != "http") throw new ArgumentException("--url must be http://127.0.0.1:<port>/.");
        var address = new Uri($"http://127.0.0.1:{given.Port}/");
        var server = new ServerHost(address, options.ServerPid, null, null, null, keepData: true,
            $"attached to {address}" + (options.ServerPid is null ? " (no --server-pid: no CPU or RSS figures)" : $", pid {options.ServerPid}"));
        await server.WaitHealthyAsync(TimeSpan.FromSeconds(10), cancellationToken);
        return server;
    }

    public static async Task<ServerHost> StartAsync(BenchOptions options, IReadOnlyList<string> deploymentArgs, CancellationToken cancellationToken,
        string label = "")
    {
        var dll = options.ServerDll ?? Path.Combine(RepositoryRoot(), "src", "Parley.Server", "bin", "Release", "net10.0", "Parley.Server.dll");
        if (!File.Exists(dll))
            throw new InvalidOperationException($"The server is not built: {dll}\nBuild it first: dotnet build -c Release");
        var port = FreePort();
        var data = Directory.CreateTempSubdirectory("parley-bench-").FullName;

        // Through bash so that the server gets a file limit high enough for 10k sockets; exec keeps the pid.
        var info = new ProcessStartInfo("bash")
        {
            WorkingDirectory = data,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add("ulimit -n 65536 2>/dev/null || ulimit -n \"$(ulimit -Hn)\"; exec dotnet \"$@\"");
        info.ArgumentList.Add("parley-server");
        info.ArgumentList.Add(dll);
        info.ArgumentList.Add($"--urls=http://127.0.0.1:{port}");
        info.ArgumentList.Add($"--DataPath={data}");
        info.ArgumentList.Add("--Accounts:BcryptWorkFactor=4");
        info.ArgumentList.Add("--RateLimits:RegisterPerMinute=1000000");
        info.ArgumentList.Add("--RateLimits:LoginPerMinute=1000000");
        info.ArgumentList.Add("--Gateway:FramesPerSecond=1000000");
        // The load generator is one client sending for thousands of users at rates no person reaches.
        info.ArgumentList.Add("--RateLimits:MessagesPerSecondPerUser=1000000");
        info.ArgumentList.Add("--RateLimits:MessageBurstPerUser=1000000");
        info.ArgumentList.Add("--RateLimits:FriendRequestsPerDay=1000000");
        info.ArgumentList.Add("--RateLimits:ExactLookupsPerHour=1000000");
        info.ArgumentList.Add("--Gateway:MaxSocketsPerUser=100000");
        info.ArgumentList.Add("--Logging:LogLevel:Default=Warning");
        // A group of more members than the default cap (2,000) for `group --members 10000`.
        if (options.Scenario == "group" && options.Members > 2000)
            info.ArgumentList.Add(string.Create(CultureInfo.InvariantCulture, $"--Groups:MaxMembers={options.Members}"));
        foreach (var arg in deploymentArgs) info.ArgumentList.Add(arg);
        foreach (var arg in options.ServerArgs) info.ArgumentList.Add(arg);
        info.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        info.Environment.Remove("PARLEY_TEST_DATABASE");
        info.Environment.Remove("ASPNETCORE_URLS");
        foreach (var env in options.ServerEnv)
        {
            var eq = env.IndexOf('=', StringComparison.Ordinal);
            info.Environment[env[..eq]] = env[(eq + 1)..];
        }

        // The group scenario sets up through the platform API (no friendships, 200 members a call): its key is made
        // on the server's host, with the server's own configuration, before the server starts (node 1 migrates).
        string? apiKey = null;
        // An older build (--server-dll) without the command is set up the old way, as its owner would.
        if (options.Scenario == "group" && deploymentArgs.All(a => a != "--Database:MigrateOnStartup=false"))
        {
            if (HasApiKeyCommand(dll)) apiKey = await CreateApiKeyAsync(info, cancellationToken);
            else Log.Info($"{Path.GetFileName(dll)} has no api-key command: the group is set up by its owner (friend requests and invitations)");
        }

        var log = new StreamWriter(Path.Combine(data, "server.log")) { AutoFlush = true };
        var process = Process.Start(info) ?? throw new InvalidOperationException("Could not start the server.");
        process.OutputDataReceived += (_, e) => Append(log, e.Data);
        process.ErrorDataReceived += (_, e) => Append(log, e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        var extra = string.Concat(options.ServerArgs.Select(a => " " + a)) + string.Concat(options.ServerEnv.Select(e => " (env " + e + ")"));
        var server = new ServerHost(new Uri($"http://127.0.0.1:{port}/"), process.Id, process, data, log, options.KeepData,
            $"started {(label.Length > 0 ? label + ": " : "")}{Path.GetFileName(dll)} (pid {process.Id}) on 127.0.0.1:{port}, data in {data}{extra}")
        {
            ApiKey = apiKey,
        };
        try
        {
            await server.WaitHealthyAsync(TimeSpan.FromSeconds(60), cancellationToken);
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
        return server;
    }

    /// <summary>
    /// Whether the build knows <c>api-key create</c> (its usage text is in the assembly's string literals, UTF-16): an older
    /// build would take the words as nothing and start serving instead of printing a key.
    /// </summary>
    private static bool HasApiKeyCommand(string dll) =>
        File.ReadAllBytes(dll).AsSpan().IndexOf(System.Text.Encoding.Unicode.GetBytes("api-key create NAME")) >= 0;

    /// <summary>Runs <c>Parley.Server api-key create bench</c> with the server's arguments and environment; returns the key.</summary>
    private static async Task<string> CreateApiKeyAsync(ProcessStartInfo server, CancellationToken cancellationToken)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = server.WorkingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        // The server's arguments after bash's: the dll, then the configuration.
        info.ArgumentList.Add(server.ArgumentList[3]);
        foreach (var arg in server.ArgumentList.Skip(4)) info.ArgumentList.Add(arg);
        info.ArgumentList.Add("api-key");
        info.ArgumentList.Add("create");
        info.ArgumentList.Add("bench");
        foreach (var (name, value) in server.Environment) info.Environment[name] = value;
        using var process = Process.Start(info) ?? throw new InvalidOperationException("Could not run api-key create.");
        var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var error = process.StandardError.ReadToEndAsync(cancellationToken);
        using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
        {
            timeout.CancelAfter(TimeSpan.FromSeconds(120));
            try
            {
                await process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                throw new TimeoutException("api-key create did not finish within 120 s.");
            }
        }
        var key = (await output).Split('\n', StringSplitOptions.TrimEntries).LastOrDefault(l => l.StartsWith("pk_", StringComparison.Ordinal));
        if (process.ExitCode != 0 || key is null)
            throw new InvalidOperationException($"api-key create failed ({process.ExitCode}): {await output}\n{await error}");
        return key;
    }

    private async Task WaitHealthyAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var http = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(2) };
        var deadline = Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
        while (Stopwatch.GetTimestamp() < deadline)
        {
            if (_process is { HasExited: true })
                throw new InvalidOperationException($"The server exited with {_process.ExitCode}; see {LogPath}:\n{Tail()}");
            try
            {
                using var response = await http.GetAsync("healthz", cancellationToken);
                if (response.IsSuccessStatusCode) return;
            }
            catch (HttpRequestException)
            {
            }
            catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
            }
            await Task.Delay(100, cancellationToken);
        }
        throw new TimeoutException($"The server at {BaseAddress} did not answer /healthz within {timeout.TotalSeconds} s.\n{Tail()}");
    }

    public bool HasExited => _process is { HasExited: true };

    public string Tail(int lines = 30)
    {
        if (LogPath is null || !File.Exists(LogPath)) return "";
        try
        {
            using var stream = new FileStream(LogPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            using var reader = new StreamReader(stream);
            var all = reader.ReadToEnd().Split('\n');
            return string.Join('\n', all.TakeLast(lines));
        }
        catch (IOException)
        {
            return "";
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Second is not null) await Second.DisposeAsync();
        await StopAsync();
        // After the nodes: the database is dropped only when nothing uses it any more.
        if (Services is not null && !_keepData) await Services.DisposeAsync();
        else if (Services is not null) Log.Info($"kept database {Services.Database} (--keep-data): drop it with DROP DATABASE \"{Services.Database}\"");
    }

    private async Task StopAsync()
    {
        if (_process is not null)
        {
            if (!_process.HasExited)
            {
                // SIGTERM first, as a service manager would; SIGKILL if it does not stop in time.
                using (var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(CultureInfo.InvariantCulture)]))
                    await kill.WaitForExitAsync();
                using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(20));
                try
                {
                    await _process.WaitForExitAsync(wait.Token);
                }
                catch (OperationCanceledException)
                {
                    _process.Kill(entireProcessTree: true);
                    await _process.WaitForExitAsync();
                }
            }
            _process.Dispose();
        }
        if (_log is not null)
        {
            lock (_log) _log.Dispose();
        }
        if (_dataDirectory is not null && !_keepData)
        {
            try
            {
                Directory.Delete(_dataDirectory, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }

    private static void Append(StreamWriter log, string? line)
    {
        if (line is null) return;
        lock (log)
        {
            try
            {
                log.WriteLine(line);
            }
            catch (ObjectDisposedException)
            {
            }
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static string RepositoryRoot()
    {
        foreach (var start in new[] { AppContext.BaseDirectory, Directory.GetCurrentDirectory() })
        {
            var directory = new DirectoryInfo(start);
            while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Parley.slnx"))) directory = directory.Parent;
            if (directory is not null) return directory.FullName;
        }
        throw new InvalidOperationException("Cannot find the repository root (Parley.slnx); give --server-dll.");
    }
}
