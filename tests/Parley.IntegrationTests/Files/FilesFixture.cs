using Parley.IntegrationTests.Infrastructure;

namespace Parley.IntegrationTests.Files;

/// <summary>
/// A server whose uploads go to a folder the test owns (to check nothing lands elsewhere), with small size
/// limits so the oversize cases need no large bodies: images 20,000 bytes, other files 50,000, and videos
/// 3 MB, which is above the server's 1 MB body limit for JSON.
/// </summary>
public class FilesFixture : IAsyncLifetime
{
    public const long ImageLimit = 20_000;
    public const long FileLimit = 50_000;
    public const long VideoLimit = 3 * 1024 * 1024;

    private readonly string _sandbox = Directory.CreateTempSubdirectory("parley-files-").FullName;

    public TestServer Server { get; private set; } = null!;

    /// <summary>The folder the test server's uploads should stay in.</summary>
    public string FilesRoot => Path.Combine(_sandbox, "store");

    /// <summary>The folder that holds <see cref="FilesRoot"/>: nothing else should appear in it.</summary>
    public string Sandbox => _sandbox;

    public async Task InitializeAsync()
    {
        var settings = new Dictionary<string, string?>
        {
            ["Files:Path"] = FilesRoot,
            ["Files:MaxImageBytes"] = ImageLimit.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Files:MaxFileBytes"] = FileLimit.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Files:MaxVideoBytes"] = VideoLimit.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["RateLimits:UploadsPerMinute"] = "100000",
        };
        AddSettings(settings);
        Server = await TestServer.StartAsync(settings);
    }

    /// <summary>For variants of the fixture (another file store).</summary>
    protected virtual void AddSettings(IDictionary<string, string?> settings)
    {
    }

    public async Task DisposeAsync()
    {
        await Server.DisposeAsync();
        try
        {
            Directory.Delete(_sandbox, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
