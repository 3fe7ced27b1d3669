using Parley.Server.Calls;

namespace Parley.Server.Realtime;

/// <summary>The call feature's client frames (<c>call.*</c>, docs/calls.md), handed to the call signalling.</summary>
public sealed class CallFrames(CallSignalling calls, IHostApplicationLifetime lifetime)
{
    private static readonly string[] Types = ["call.invite", "call.accept", "call.reject", "call.hangup", "call.signal", "call.resume"];

    public static WebApplication Map(WebApplication app)
    {
        var frames = app.Services.GetRequiredService<CallFrames>();
        foreach (var type in Types) app.MapFrame(type, frames.HandleAsync);
        return app;
    }

    public Task HandleAsync(Connection connection, ClientFrame frame) => calls.HandleAsync(connection, frame, lifetime.ApplicationStopping);
}
