using Parley.Server.Storage;

namespace Parley.Server.Files;

/// <summary>Where uploads live and how large each kind may be (configuration section <c>Files</c>).</summary>
public sealed class FilesOptions
{
    public const string Section = "Files";

    /// <summary>Folder for uploaded files, relative to the current directory; empty means <c>&lt;DataPath&gt;/files</c> (<c>./data/files</c>).</summary>
    public string? Path { get; set; }

    public long MaxImageBytes { get; set; } = 20L * 1024 * 1024;
    public long MaxVoiceBytes { get; set; } = 20L * 1024 * 1024;
    public long MaxVideoBytes { get; set; } = 200L * 1024 * 1024;
    public long MaxFileBytes { get; set; } = 100L * 1024 * 1024;

    /// <summary>How long an upload that no message carries is kept (the client may send it later); then the sweeper deletes it.</summary>
    public TimeSpan OrphanGrace { get; set; } = TimeSpan.FromHours(24);

    /// <summary>How often the sweeper looks for uploads past <see cref="OrphanGrace"/>; zero turns the timed passes off (recalled files still go).</summary>
    public TimeSpan SweepInterval { get; set; } = TimeSpan.FromHours(1);

    public long LimitFor(FileKind kind) => kind switch
    {
        FileKind.Image => MaxImageBytes,
        FileKind.Voice => MaxVoiceBytes,
        FileKind.Video => MaxVideoBytes,
        _ => MaxFileBytes,
    };

    public long LargestLimit => Math.Max(Math.Max(MaxImageBytes, MaxVoiceBytes), Math.Max(MaxVideoBytes, MaxFileBytes));

    /// <summary>The absolute folder, resolved against the current directory like the database's default.</summary>
    public static string ResolveRoot(FilesOptions options, IConfiguration configuration) =>
        string.IsNullOrWhiteSpace(options.Path)
            ? System.IO.Path.Combine(StorageSetup.DataDirectory(configuration), "files")
            : System.IO.Path.GetFullPath(options.Path, Directory.GetCurrentDirectory());
}
