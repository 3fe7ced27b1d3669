namespace Parley.Server.Files;

/// <summary>
/// Where the bytes of uploads live: the local folder (<see cref="FileStore"/>, the default) or an S3-compatible
/// bucket (<see cref="S3FileStore"/>, with <c>Files:S3:ServiceUrl</c> and <c>Files:S3:Bucket</c>), so that every
/// node serves every file. Uploads are always received into a local temporary file first (they are sniffed and
/// measured there), then handed over under a name made from the file's id.
/// </summary>
public interface IFileStore
{
    /// <summary>A new, empty local temporary file, opened for writing; the caller saves or deletes it.</summary>
    (string Path, FileStream Stream) CreateTemp();

    /// <summary>Makes the temporary file the stored bytes of <paramref name="storageName"/> (the temporary file is gone afterwards or left for the caller to delete).</summary>
    Task SaveAsync(string tempPath, string storageName, string contentType, CancellationToken cancellationToken);

    /// <summary>The stored bytes, seekable (for ranges), or null when they are not there.</summary>
    Stream? OpenRead(string storageName, long length);

    /// <summary>Deletes the stored bytes; best effort (false and a reason when it failed).</summary>
    Task DeleteAsync(string storageName, CancellationToken cancellationToken);

    /// <summary>Where the bytes go, for the start-up summary.</summary>
    string Description { get; }
}
