using System.Net.Http.Headers;
using System.Net.Http.Json;

namespace Parley.Client;

public sealed partial class ParleyClient
{
    /// <summary>
    /// Uploads an attachment (multipart, streamed from <paramref name="content"/>). <paramref name="kind"/>
    /// (<see cref="FileKinds"/>) makes the server check that the bytes are that kind; <paramref name="progress"/>
    /// gets the number of bytes sent so far. The returned <see cref="FileView.FileId"/> goes into an image,
    /// voice, video or file message as <c>file: {fileId}</c>.
    /// </summary>
    public async Task<FileView> UploadFileAsync(Stream content, string fileName, string? contentType = null, string? kind = null,
        IProgress<long>? progress = null, CancellationToken cancellationToken = default)
    {
        using var form = new MultipartFormDataContent();
        // The kind goes first, so the server knows the limit before the bytes arrive.
        if (kind is not null) form.Add(new StringContent(kind), "kind");
        var file = new StreamContent(progress is null ? content : new ProgressStream(content, progress), 64 * 1024);
        file.Headers.ContentType = new MediaTypeHeaderValue(contentType ?? "application/octet-stream");
        form.Add(file, "file", fileName);

        using var request = new HttpRequestMessage(HttpMethod.Post, "api/v1/files") { Content = form };
        Authorize(request);
        using var response = await _http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        await ThrowIfFailedAsync(response, cancellationToken).ConfigureAwait(false);
        return await response.Content.ReadFromJsonAsync<FileView>(JsonOptions, cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidOperationException("POST api/v1/files answered with an empty body.");
    }

    /// <summary>
    /// Downloads a file, or the part of it that <paramref name="range"/> names (then the status is 206).
    /// Throws <see cref="ParleyApiException"/> (<c>file_not_found</c>) when the file is not there for this user.
    /// </summary>
    public async Task<FileDownload> DownloadFileAsync(string fileId, RangeHeaderValue? range = null, CancellationToken cancellationToken = default)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"api/v1/files/{Escape(fileId)}");
        Authorize(request);
        request.Headers.Range = range;
        var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        try
        {
            await ThrowIfFailedAsync(response, cancellationToken).ConfigureAwait(false);
            return new FileDownload(response, await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false));
        }
        catch
        {
            response.Dispose();
            throw;
        }
    }

    /// <summary>
    /// An absolute URL for a file that carries the access token in its query, for places that cannot send
    /// headers (an HTML <c>img</c> or <c>audio</c> element). It stops working when the token expires.
    /// </summary>
    public Uri FileUrl(string fileId) =>
        new(BaseAddress, $"api/v1/files/{Escape(fileId)}" + (AccessToken is { } token ? $"?access_token={Escape(token)}" : ""));

    private void Authorize(HttpRequestMessage request)
    {
        if (Session is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Session.AccessToken);
    }

    /// <summary>Reports how much of the wrapped stream has been read (that is, sent).</summary>
    private sealed class ProgressStream(Stream inner, IProgress<long> progress) : Stream
    {
        private long _sent;

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => inner.Length;
        public override long Position { get => _sent; set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override int Read(byte[] buffer, int offset, int count) => Report(inner.Read(buffer, offset, count));

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            Report(await inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false));

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        private int Report(int read)
        {
            if (read > 0)
            {
                _sent += read;
                progress.Report(_sent);
            }
            return read;
        }
    }
}
