namespace Parley.Server.Files;

/// <summary>
/// The folder under <c>Files:Path</c>: uploads are written to <c>tmp/</c> first and moved into place under a
/// name made from the file's id, so nothing a client sends ever becomes part of a path.
/// </summary>
public sealed class FileStore : IFileStore
{
    public FileStore(string root)
    {
        Root = Path.GetFullPath(root);
        TempFolder = Path.Combine(Root, "tmp");
        RemoveAbandonedTempFiles();
    }

    /// <summary>Uploads cut short by a crash leave their temporary file behind; a day later it is surely abandoned.</summary>
    private void RemoveAbandonedTempFiles()
    {
        if (!Directory.Exists(TempFolder)) return;
        var cutoff = DateTime.UtcNow.AddDays(-1);
        foreach (var path in Directory.EnumerateFiles(TempFolder, "*.part"))
            if (File.GetLastWriteTimeUtc(path) < cutoff) TryDelete(path);
    }

    public string Root { get; }
    public string TempFolder { get; }

    /// <summary>A new, empty temporary file, opened for writing; the caller moves or deletes it.</summary>
    public (string Path, FileStream Stream) CreateTemp()
    {
        Directory.CreateDirectory(TempFolder);
        var path = Path.Combine(TempFolder, Guid.NewGuid().ToString("N") + ".part");
        var stream = new FileStream(path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 64 * 1024, FileOptions.Asynchronous);
        return (path, stream);
    }

    /// <summary>The relative storage name of a file id: spread over 256 folders so no folder grows huge.</summary>
    public static string StorageNameFor(long fileId) => $"{fileId & 0xFF:x2}/{fileId}";

    /// <summary>The absolute path of a stored file; refuses a storage name that would leave the root.</summary>
    public string PathOf(string storageName)
    {
        var path = Path.GetFullPath(Path.Combine(Root, storageName));
        if (!path.StartsWith(Root + Path.DirectorySeparatorChar, StringComparison.Ordinal))
            throw new InvalidOperationException("A storage name points outside the files folder.");
        return path;
    }

    public void MoveIntoPlace(string tempPath, string storageName)
    {
        var target = PathOf(storageName);
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        File.Move(tempPath, target);
    }

    public Task SaveAsync(string tempPath, string storageName, string contentType, CancellationToken cancellationToken)
    {
        MoveIntoPlace(tempPath, storageName);
        return Task.CompletedTask;
    }

    public Stream? OpenRead(string storageName, long length)
    {
        var path = PathOf(storageName);
        try
        {
            return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 64 * 1024, FileOptions.Asynchronous);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
    }

    public Task DeleteAsync(string storageName, CancellationToken cancellationToken)
    {
        File.Delete(PathOf(storageName));
        return Task.CompletedTask;
    }

    public string Description => Root;

    public static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
            // Best effort: a leftover temp file is harmless.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
