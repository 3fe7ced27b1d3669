namespace Parley.Server.Realtime;

/// <summary>Serves one kind of client frame. Throw an <c>ApiProblem</c> to answer with an <c>error</c> frame carrying its code.</summary>
public delegate Task FrameHandler(Connection connection, ClientFrame frame);

/// <summary>
/// Which handler serves which client frame type: the socket's counterpart of endpoint routing. Each feature maps its
/// frames at start-up (<see cref="FrameRoutesExtensions.MapFrame"/>), so the gateway knows none of them. A pattern is
/// an exact type (<c>msg.send</c>) or a prefix ending in <c>.*</c> (<c>call.*</c>); an exact match wins.
/// </summary>
public sealed class FrameRoutes
{
    private readonly Dictionary<string, FrameHandler> _exact = new(StringComparer.Ordinal);
    private readonly List<(string Prefix, FrameHandler Handler)> _prefixes = [];

    public void Map(string pattern, FrameHandler handler)
    {
        if (pattern.EndsWith(".*", StringComparison.Ordinal)) _prefixes.Add((pattern[..^1], handler));
        else if (!_exact.TryAdd(pattern, handler)) throw new InvalidOperationException($"The frame type '{pattern}' is mapped twice.");
    }

    /// <summary>Every mapped pattern (exact types, and prefixes as <c>call.*</c>), e.g. for a test that must cover each.</summary>
    public IEnumerable<string> Patterns => _exact.Keys.Concat(_prefixes.Select(p => p.Prefix + "*"));

    public FrameHandler? Find(string type)
    {
        if (_exact.TryGetValue(type, out var handler)) return handler;
        foreach (var (prefix, prefixed) in _prefixes)
            if (type.StartsWith(prefix, StringComparison.Ordinal)) return prefixed;
        return null;
    }
}

public static class FrameRoutesExtensions
{
    /// <summary>Serves client frames of <paramref name="pattern"/> with <paramref name="handler"/> (see <see cref="FrameRoutes"/>).</summary>
    public static WebApplication MapFrame(this WebApplication app, string pattern, FrameHandler handler)
    {
        app.Services.GetRequiredService<FrameRoutes>().Map(pattern, handler);
        return app;
    }
}
