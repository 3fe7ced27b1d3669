using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Parley.IntegrationTests.Infrastructure;

/// <summary>
/// The built server started as its own process, the way the README's run command starts it: for what only a
/// real process shows (defaults with no configuration, signals, restarts).
/// </summary>
public sealed class ServerProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private ServerProcess(Process process, Uri address)
    {
        _process = process;
        BaseAddress = address;
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public Uri BaseAddress { get; }

    public string Output
    {
        get
        {
            lock (_output) return _output.ToString();
        }
    }

    public bool HasExited => _process.HasExited;

    /// <summary>The first line of output containing <paramref name="text"/>, waiting for it to be printed.</summary>
    public async Task<string> WaitForOutputAsync(string text, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var line = Output.Split('\n').FirstOrDefault(l => l.Contains(text, StringComparison.Ordinal));
            if (line is not null) return line;
            if (DateTime.UtcNow > deadline || HasExited) throw new TimeoutException($"No line with \"{text}\" within {timeout}:\n{Output}");
            // Output arrives on the process's reader threads; polling it is the only event there is.
            await Task.Delay(50);
        }
    }
    public int ExitCode => _process.ExitCode;

    /// <summary>The server's dll, built beside this test project in the same configuration.</summary>
    public static string ServerDll
    {
        get
        {
            var directory = new DirectoryInfo(AppContext.BaseDirectory);
            while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Parley.slnx"))) directory = directory.Parent;
            if (directory is null) throw new InvalidOperationException("Cannot find the repository root (Parley.slnx).");
#if DEBUG
            const string configuration = "Debug";
#else
            const string configuration = "Release";
#endif
            var dll = Path.Combine(directory.FullName, "src", "Parley.Server", "bin", configuration, "net10.0", "Parley.Server.dll");
            return File.Exists(dll) ? dll : throw new InvalidOperationException($"The server is not built: {dll}");
        }
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Runs the server in <paramref name="workingDirectory"/> and waits until it answers /healthz.</summary>
    public static async Task<ServerProcess> StartAsync(string workingDirectory, int port, params string[] extraArgs)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(ServerDll);
        info.ArgumentList.Add($"--urls=http://127.0.0.1:{port}");
        info.ArgumentList.Add("--Accounts:BcryptWorkFactor=4");
        foreach (var arg in extraArgs) info.ArgumentList.Add(arg);
        // Only what a user's shell would pass: no test-run database choice leaks into a "no configuration" start.
        info.Environment.Remove("PARLEY_TEST_DATABASE");
        info.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";

        var server = new ServerProcess(Process.Start(info)!, new Uri($"http://127.0.0.1:{port}/"));
        using var http = new HttpClient { BaseAddress = server.BaseAddress, Timeout = TimeSpan.FromSeconds(2) };
        // Generous: a fresh process JIT-compiles its start-up, which takes long on a busy 2-core machine; a healthy one answers in seconds.
        var deadline = DateTime.UtcNow.AddSeconds(120);
        while (DateTime.UtcNow < deadline)
        {
            if (server.HasExited) throw new InvalidOperationException($"The server exited with {server.ExitCode}:\n{server.Output}");
            try
            {
                if ((await http.GetAsync("healthz")).IsSuccessStatusCode) return server;
            }
            catch (HttpRequestException)
            {
            }
            catch (TaskCanceledException)
            {
            }
            await Task.Delay(100);
        }
        await server.DisposeAsync();
        throw new TimeoutException($"The server did not answer within 120 s:\n{server.Output}");
    }

    /// <summary>Runs the server with <paramref name="args"/> to its end (for commands, and for starts that must fail); returns the exit code and everything it printed.</summary>
    public static async Task<(int ExitCode, string Output)> RunToExitAsync(string workingDirectory, params string[] args)
    {
        var info = new ProcessStartInfo("dotnet") { WorkingDirectory = workingDirectory, RedirectStandardOutput = true, RedirectStandardError = true };
        info.ArgumentList.Add(ServerDll);
        foreach (var arg in args) info.ArgumentList.Add(arg);
        info.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(cancel.Token);
        return (process.ExitCode, await output + await errors);
    }

    /// <summary>SIGKILL: the process ends at once, with no chance to flush or say goodbye.</summary>
    public void Kill()
    {
        _process.Kill();
        _process.WaitForExit();
    }

    /// <summary>Sends SIGTERM, as a container runtime or systemd does, and waits for the process to end.</summary>
    public async Task<int> TerminateAsync(TimeSpan timeout)
    {
        using (var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
            await kill.WaitForExitAsync();
        using var cancel = new CancellationTokenSource(timeout);
        await _process.WaitForExitAsync(cancel.Token);
        return _process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
    }

    private void Append(string? line)
    {
        if (line is null) return;
        lock (_output) _output.AppendLine(line);
    }
}
