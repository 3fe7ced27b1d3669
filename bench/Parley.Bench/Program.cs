using System.Runtime.InteropServices;
using Parley.Bench;

// Socket completions run on the epoll thread instead of hopping to the thread pool: the frame handlers never
// block, and the hop (a wake-up and a context switch per frame) cost the generator most of its CPU. Read by the
// runtime when sockets are first used, so it must be set before anything opens one.
if (Environment.GetEnvironmentVariable("DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS") is null)
    Environment.SetEnvironmentVariable("DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS", "1");

BenchOptions options;
try
{
    if (args.Length == 0 || args.Contains("--help") || args.Contains("-h"))
    {
        Console.WriteLine(BenchOptions.Usage);
        return args.Length == 0 ? 2 : 0;
    }
    options = BenchOptions.Parse(args);
}
catch (Exception e) when (e is ArgumentException or FormatException)
{
    Console.Error.WriteLine(e.Message);
    Console.Error.WriteLine("Run with --help for the options.");
    return 2;
}

// Every scenario stops by itself; this is the backstop.
using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(options.TimeoutSeconds));
using var interrupted = new CancellationTokenSource();
using var stop = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, interrupted.Token);
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    interrupted.Cancel();
};
using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
{
    context.Cancel = true;
    interrupted.Cancel();
});

// The thread pool starts with one thread per core; hundreds of receive loops should not wait for it to grow.
ThreadPool.GetMinThreads(out var workers, out var io);
ThreadPool.SetMinThreads(Math.Max(workers, 8), io);
FileLimit.Raise(65536);

ServerHost? server = null;
try
{
    if (options.Sizes.Count > 0)
    {
        // One fresh server per size, so that each size's memory starts from the same baseline.
        var runs = new List<Figures>();
        foreach (var size in options.Sizes)
        {
            options.Connections = size;
            server = await ServerHost.StartForAsync(options, stop.Token);
            Log.Info(server.FullDescription);
            var (sizeTitle, sizeFigures) = await Scenarios.IdleAsync(server, options, stop.Token);
            sizeFigures.Add("server", "server", server.FullDescription);
            sizeFigures.WriteTable(Console.Out, sizeTitle);
            runs.Add(sizeFigures);
            var finished = server;
            server = null;
            await finished.DisposeAsync();
        }
        var trend = IdleTrend.Summarize(runs);
        IdleTrend.Print(Console.Out, runs, trend);
        if (options.Json)
        {
            Console.WriteLine();
            Console.WriteLine(trend.ToJson());
        }
        return 0;
    }

    server = await ServerHost.StartForAsync(options, stop.Token);
    Log.Info(server.FullDescription);
    var (title, figures) = options.Scenario switch
    {
        "pairs" => await Scenarios.PairsAsync(server, options, stop.Token),
        "group" => await Scenarios.GroupAsync(server, options, stop.Token),
        "history" => await HistoryScenario.RunAsync(server, options, stop.Token),
        _ => await Scenarios.IdleAsync(server, options, stop.Token),
    };
    figures.Add("server", "server", server.FullDescription);

    if (figures["steps"] is IEnumerable<Figures> steps)
    {
        PrintSteps(steps);
        figures.WriteTable(Console.Out, title);
        if (figures["final"] is Figures final) final.WriteTable(Console.Out, $"final run at {Figures.Format(figures["final_rate"])} msgs/s (80% of the highest passing rate)");
    }
    else
    {
        figures.WriteTable(Console.Out, title);
    }
    if (options.Json)
    {
        Console.WriteLine();
        Console.WriteLine(figures.ToJson());
    }
    if (server.HasExited) Console.Error.WriteLine($"The server exited during the run:\n{server.Tail()}");
    return 0;
}
catch (OperationCanceledException) when (stop.IsCancellationRequested)
{
    Console.Error.WriteLine(timeout.IsCancellationRequested ? $"Gave up after {options.TimeoutSeconds} s (--timeout)." : "Interrupted.");
    if (server is not null) Console.Error.WriteLine(server.Tail());
    return 3;
}
catch (Exception e)
{
    Console.Error.WriteLine($"Failed: {e}");
    if (server is not null) Console.Error.WriteLine(server.Tail());
    return 1;
}
finally
{
    if (server is not null) await server.DisposeAsync();
}

static void PrintSteps(IEnumerable<Figures> steps)
{
    Console.WriteLine();
    Console.WriteLine("find-max steps");
    Console.WriteLine("--------------");
    Console.WriteLine($"  {"offered/s",10} {"delivered/s",12} {"p50 ms",8} {"p99 ms",8} {"p99.9 ms",9} {"max ms",8} {"lost",7} {"srv cores",9} {"per CPU-s",10} {"gen lag p99",11}  passed");
    foreach (var s in steps)
    {
        Console.WriteLine($"  {Figures.Format(s["rate_offered"]),10} {Figures.Format(s["delivered_per_s"]),12} {Figures.Format(s["latency_p50_ms"]),8} "
            + $"{Figures.Format(s["latency_p99_ms"]),8} {Figures.Format(s["latency_p999_ms"]),9} {Figures.Format(s["latency_max_ms"]),8} {Figures.Format(s["lost"]),7} "
            + $"{Figures.Format(s["server_cores"]),9} {Figures.Format(s["delivered_per_cpu_s"]),10} {Figures.Format(s["generator_lag_p99_ms"]),11}  {Figures.Format(s["passed"])}");
    }
}
