using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Parley.IntegrationTests.Infrastructure;

namespace Parley.IntegrationTests;

/// <summary>
/// The OpenAPI document is committed at <c>web/openapi/v1.json</c>: the web client's build generates its API types
/// from it (docs/web-client.md, "API types"), since that build runs before any server does. This test keeps the copy
/// honest: it fails when the document the server serves differs from it. Refresh the copy with
/// <c>bash scripts/refresh-openapi.sh</c> (or run this test with <c>PARLEY_UPDATE_OPENAPI=1</c>), then commit it.
/// </summary>
public sealed class OpenApiDocumentTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    public const string CommittedPath = "web/openapi/v1.json";

    private static readonly JsonSerializerOptions Written = new()
    {
        WriteIndented = true,
        // The descriptions are prose: keep quotes, "…" and "<" readable in the committed file.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    private readonly TestServer _server = fixture.Server;

    [Fact]
    public async Task TheCommittedOpenApiDocumentIsTheOneTheServerServes()
    {
        var served = Canonical(await _server.Http.GetStringAsync("openapi/v1.json"));
        var file = Path.Combine(RepositoryRoot(), CommittedPath);

        if (Environment.GetEnvironmentVariable("PARLEY_UPDATE_OPENAPI") == "1")
        {
            Directory.CreateDirectory(Path.GetDirectoryName(file)!);
            await File.WriteAllTextAsync(file, served);
            return;
        }

        Assert.True(File.Exists(file), $"{CommittedPath} is missing. {HowToRefresh}");
        var committed = Canonical(await File.ReadAllTextAsync(file));
        if (committed == served) return;

        var left = committed.Split('\n');
        var right = served.Split('\n');
        var line = 0;
        while (line < left.Length && line < right.Length && left[line] == right[line]) line++;
        Assert.Fail($"The OpenAPI document the server serves differs from {CommittedPath}, first at line {line + 1}:\n"
            + $"  committed: {(line < left.Length ? left[line].Trim() : "(end of file)")}\n"
            + $"  served:    {(line < right.Length ? right[line].Trim() : "(end of file)")}\n"
            + $"{HowToRefresh} Check the difference against API.md: the web client's types are generated from this file.");
    }

    private const string HowToRefresh =
        "Refresh it with `bash scripts/refresh-openapi.sh` (or run this test with PARLEY_UPDATE_OPENAPI=1) and commit it.";

    /// <summary>
    /// The document as it is committed: indented, LF line ends, a final newline, and without <c>servers</c> (the
    /// address the document was fetched from, which differs between runs).
    /// </summary>
    internal static string Canonical(string json)
    {
        var document = JsonNode.Parse(json)!.AsObject();
        document.Remove("servers");
        return document.ToJsonString(Written).ReplaceLineEndings("\n") + "\n";
    }

    private static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Parley.slnx"))) directory = directory.Parent;
        return directory?.FullName ?? throw new InvalidOperationException("Cannot find the repository root (Parley.slnx).");
    }
}
