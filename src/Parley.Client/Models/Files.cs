using System.Net;
using System.Net.Http.Headers;

namespace Parley.Client;

/// <summary>
/// An uploaded file, as <c>POST /api/v1/files</c> returns it and as an attachment message carries it.
/// <see cref="ContentType"/> is what the server found in the bytes, not what was claimed.
/// </summary>
public sealed record FileView(
    string FileId, string Name, long Size, string ContentType, string Url, int? Width = null, int? Height = null, long? DurationMs = null);

/// <summary>Kinds for <see cref="ParleyClient.UploadFileAsync"/>: the server checks the bytes against it and applies its size limit.</summary>
public static class FileKinds
{
    public const string Image = "image";
    public const string Voice = "voice";
    public const string Video = "video";
    public const string File = "file";
}

/// <summary>A download in progress: the response's headers and its body as a stream. Dispose it when done.</summary>
public sealed class FileDownload(HttpResponseMessage response, Stream content) : IDisposable
{
    /// <summary>200 for the whole file, 206 for a range.</summary>
    public HttpStatusCode Status => response.StatusCode;

    public string? ContentType => response.Content.Headers.ContentType?.MediaType;
    public long? Length => response.Content.Headers.ContentLength;
    public ContentRangeHeaderValue? ContentRange => response.Content.Headers.ContentRange;
    public ContentDispositionHeaderValue? Disposition => response.Content.Headers.ContentDisposition;

    /// <summary>The name the server gives the file (its sanitized upload name).</summary>
    public string? FileName => Disposition?.FileNameStar ?? Disposition?.FileName?.Trim('"');

    public EntityTagHeaderValue? ETag => response.Headers.ETag;
    public HttpResponseMessage Response => response;
    public Stream Content => content;

    public async Task<byte[]> ReadAllBytesAsync(CancellationToken cancellationToken = default)
    {
        using var buffer = new MemoryStream();
        await content.CopyToAsync(buffer, cancellationToken).ConfigureAwait(false);
        return buffer.ToArray();
    }

    public void Dispose()
    {
        content.Dispose();
        response.Dispose();
    }
}
