using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Parley.IntegrationTests.Infrastructure;

/// <summary>Keeps what the server logs, so tests can read what a person would read in the log (e-mailed codes with no SMTP).</summary>
public sealed class LogSink : ILoggerProvider
{
    private readonly ConcurrentQueue<string> _lines = new();

    public IReadOnlyCollection<string> Lines => _lines;

    public ILogger CreateLogger(string categoryName) => new SinkLogger(this, categoryName);

    private readonly ConcurrentDictionary<TaskCompletionSource<string>, Func<string, bool>> _waiters = new();

    /// <summary>The first line, logged already or from now on, that <paramref name="match"/> accepts (for work the server does in the background).</summary>
    public async Task<string> WaitForAsync(Func<string, bool> match, TimeSpan? timeout = null)
    {
        var found = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        _waiters[found] = match;
        try
        {
            // Registered before looking, so that a line logged in between is seen by one or the other.
            if (_lines.FirstOrDefault(match) is { } line) return line;
            return await found.Task.WaitAsync(timeout ?? TimeSpan.FromSeconds(10));
        }
        finally
        {
            _waiters.TryRemove(found, out _);
        }
    }

    private void Add(string line)
    {
        _lines.Enqueue(line);
        foreach (var (waiter, match) in _waiters)
            if (match(line)) waiter.TrySetResult(line);
    }

    public void Dispose()
    {
    }

    private sealed class SinkLogger(LogSink sink, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel)) sink.Add($"{logLevel} {category}: {formatter(state, exception)}{(exception is null ? "" : " " + exception)}");
        }
    }
}
