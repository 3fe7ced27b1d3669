using NetArchTest.Rules;
using Parley.Server.Calls;

namespace Parley.Server.Tests;

/// <summary>
/// docs/architecture.md, "Which way dependencies run": each feature folder uses only the ones below it, and only
/// Realtime speaks the wire. Checked on the compiled server, so method bodies (and the types the compiler makes for
/// lambdas and async methods) count, not only signatures.
/// </summary>
public sealed class ArchitectureTests
{
    /// <summary>
    /// Top to bottom. (Files sits beside Messaging: the two still refer to each other.) Platform, the API for the
    /// embedding product, is on top but does not use Realtime either (see <see cref="PlatformDoesNotUseRealtime"/>).
    /// </summary>
    private static readonly string[] Layers = ["Platform", "Realtime", "Push", "Calls", "Messaging", "Social", "Accounts", "ScaleOut"];

    /// <summary>The wire: frames, connections, the devices behind them, the frame codec.</summary>
    private static readonly string[] Wire =
    [
        "Parley.Server.Realtime.Frames",
        "Parley.Server.Realtime.Connection",
        "Parley.Server.Realtime.IDevice",
        "Parley.Server.Realtime.ClientFrame",
        "Parley.Server.Realtime.RealtimeJsonContext",
    ];

    private static Types Server => Types.InAssembly(typeof(CallSignalling).Assembly);

    public static TheoryData<string> LayerNames => new(Layers);

    [Theory]
    [MemberData(nameof(LayerNames))]
    public void ALayerUsesNoneAboveIt(string layer)
    {
        var above = Layers.TakeWhile(l => l != layer).Select(l => $"Parley.Server.{l}").ToArray();
        if (above.Length == 0) return;
        var result = Server.That().ResideInNamespace($"Parley.Server.{layer}").ShouldNot().HaveDependencyOnAny(above).GetResult();
        Assert.True(result.IsSuccessful, $"{layer} types that use a layer above it ({string.Join(", ", above)}): " + Failing(result));
    }

    /// <summary>Platform drives the features through their services and hears of what happens through domain events only.</summary>
    [Fact]
    public void PlatformDoesNotUseRealtime()
    {
        var result = Server.That().ResideInNamespace("Parley.Server.Platform").ShouldNot().HaveDependencyOnAny("Parley.Server.Realtime").GetResult();
        Assert.True(result.IsSuccessful, "Platform types that use Realtime: " + Failing(result));
    }

    [Fact]
    public void OnlyRealtimeSpeaksTheWire()
    {
        var result = Server.That().DoNotResideInNamespace("Parley.Server.Realtime").ShouldNot().HaveDependencyOnAny(Wire).GetResult();
        Assert.True(result.IsSuccessful, "Types outside Realtime that use the wire: " + Failing(result));
    }

    private static string Failing(TestResult result) => string.Join(", ", result.FailingTypes?.Select(t => t.FullName) ?? []);
}
