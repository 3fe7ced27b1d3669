using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;
using Parley.Server.Http;
using Parley.Server.Storage;

namespace Parley.Server.Files;

/// <summary>
/// <c>POST /api/v1/files</c>: reads the multipart body section by section and streams the <c>file</c> part to a
/// temporary file (never the whole upload in memory), holding it to the size limit of its kind while it
/// arrives, then types it from its bytes, moves it into place under a name of the server's choosing and
/// records it.
/// </summary>
public sealed partial class FileUploads(ParleyDb db, IFileStore store, IdGenerator ids, TimeProvider time, IOptions<FilesOptions> options, ILogger<FileUploads> logger)
{
    /// <summary>Room for the multipart framing and form fields around the file itself.</summary>
    private const long MultipartOverhead = 64 * 1024;

    private const int MaxSections = 8;
    private const int MaxFieldBytes = 1024;

    public async Task<StoredFile> UploadAsync(long ownerId, HttpRequest request, CancellationToken cancellationToken)
    {
        var limits = options.Value;
        // The server's body limit (Limits:MaxRequestBodyBytes) is for JSON; an upload gets its own, just above
        // the largest file allowed. The per-kind limits are enforced below while the bytes arrive.
        var bodyLimit = request.HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>();
        if (bodyLimit is { IsReadOnly: false }) bodyLimit.MaxRequestBodySize = limits.LargestLimit + MultipartOverhead;

        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var mediaType)
            || !mediaType.MediaType.Equals("multipart/form-data", StringComparison.OrdinalIgnoreCase)
            || HeaderUtilities.RemoveQuotes(mediaType.Boundary).Value is not { Length: > 0 and <= 200 } boundary)
            throw new ApiProblem(StatusCodes.Status415UnsupportedMediaType, "unsupported_media_type",
                "Upload with Content-Type multipart/form-data and one part named 'file'.");

        var reader = new MultipartReader(boundary, request.Body) { HeadersCountLimit = 16, HeadersLengthLimit = 8 * 1024 };
        FileKind? kind = null;
        Upload? upload = null;
        try
        {
            MultipartSection? section;
            var sections = 0;
            while ((section = await ReadSectionAsync(reader, cancellationToken)) is not null)
            {
                if (++sections > MaxSections) throw ApiProblem.Invalid("file", "Too many parts: send 'file' and, optionally, 'kind'.");
                if (!ContentDispositionHeaderValue.TryParse(section.ContentDisposition, out var disposition) || !disposition.DispositionType.Equals("form-data", StringComparison.OrdinalIgnoreCase))
                    throw ApiProblem.Invalid("file", "Every part needs Content-Disposition: form-data with a name.");
                var name = HeaderUtilities.RemoveQuotes(disposition.Name).Value;
                if (name == "file")
                {
                    if (upload is not null) throw ApiProblem.Invalid("file", "Send one file per upload.");
                    var fileName = HeaderUtilities.RemoveQuotes(disposition.FileNameStar.HasValue ? disposition.FileNameStar : disposition.FileName).Value;
                    upload = await ReceiveAsync(section.Body, SanitizeName(fileName), kind, limits, cancellationToken);
                }
                else
                {
                    var value = await ReadFieldAsync(section.Body, name ?? "field", cancellationToken);
                    if (name == "kind") kind = ParseKind(value);
                }
            }
            if (upload is null) throw ApiProblem.Invalid("file", "The upload has no part named 'file'.");

            // The final type, with the kind known even if its field came after the file.
            var contentType = FileSniffer.ContentType(upload.Head, kind);
            if (kind is { } wanted && !FileSniffer.Fits(wanted, contentType))
                throw new ApiProblem(StatusCodes.Status400BadRequest, "unsupported_file_type",
                    $"The bytes are {contentType}, which is not a{(wanted == FileKind.Image ? "n" : "")} {wanted.ToString().ToLowerInvariant()}" +
                    " (images: PNG, JPEG, GIF, WebP, BMP; voice: Ogg, WebM, MP3, WAV, M4A/AAC, AMR, FLAC; video: MP4, MOV, WebM, Ogg).");
            var limit = limits.LimitFor(kind ?? FileSniffer.KindOf(contentType));
            if (upload.Size > limit) throw TooLarge(kind ?? FileSniffer.KindOf(contentType), limit);

            SniffedFile details;
            await using (var file = new FileStream(upload.TempPath, FileMode.Open, FileAccess.Read, FileShare.Read, 4096))
                details = FileSniffer.Describe(contentType, file);

            var stored = new StoredFile
            {
                Id = ids.Next(),
                OwnerId = ownerId,
                Name = upload.Name,
                ContentType = contentType,
                Size = upload.Size,
                Width = details.Width,
                Height = details.Height,
                DurationMs = details.DurationMs,
                StorageName = "",
                CreatedAt = time.GetUtcNow(),
            };
            stored.StorageName = FileStore.StorageNameFor(stored.Id);
            await store.SaveAsync(upload.TempPath, stored.StorageName, stored.ContentType, cancellationToken);
            try
            {
                db.Files.Add(stored);
                await db.SaveChangesAsync(cancellationToken);
            }
            catch
            {
                await store.DeleteAsync(stored.StorageName, CancellationToken.None);
                throw;
            }
            LogStored(logger, stored.Id, ownerId, stored.Size, stored.ContentType);
            return stored;
        }
        finally
        {
            if (upload is not null && File.Exists(upload.TempPath)) FileStore.TryDelete(upload.TempPath);
        }
    }

    private static async Task<MultipartSection?> ReadSectionAsync(MultipartReader reader, CancellationToken cancellationToken)
    {
        try
        {
            return await reader.ReadNextSectionAsync(cancellationToken);
        }
        catch (Exception e) when (e is InvalidDataException or IOException)
        {
            throw ApiProblem.Invalid("file", $"The multipart body is malformed: {e.Message}");
        }
    }

    private sealed record Upload(string TempPath, string Name, long Size, byte[] Head);

    /// <summary>Copies one part to a temporary file, stopping as soon as it passes its kind's limit.</summary>
    private async Task<Upload> ReceiveAsync(Stream body, string name, FileKind? kind, FilesOptions limits, CancellationToken cancellationToken)
    {
        var (tempPath, temp) = store.CreateTemp();
        var done = false;
        try
        {
            await using (temp)
            {
                var buffer = new byte[64 * 1024];
                var head = new byte[FileSniffer.HeadLength];
                var headLength = 0;
                long size = 0;
                long? limit = null;
                FileKind? limitKind = null;
                while (true)
                {
                    int read;
                    try
                    {
                        read = await body.ReadAsync(buffer, cancellationToken);
                    }
                    catch (Exception e) when (e is InvalidDataException or IOException)
                    {
                        throw ApiProblem.Invalid("file", $"The multipart body is malformed: {e.Message}");
                    }
                    if (read == 0) break;
                    if (headLength < head.Length)
                    {
                        var take = Math.Min(read, head.Length - headLength);
                        buffer.AsSpan(0, take).CopyTo(head.AsSpan(headLength));
                        headLength += take;
                    }
                    size += read;
                    // The limit follows the declared kind, or else what the first bytes are.
                    if (limit is null && (headLength == head.Length || size > limits.LargestLimit))
                    {
                        limitKind = kind ?? FileSniffer.KindOf(FileSniffer.ContentType(head.AsSpan(0, headLength), null));
                        limit = limits.LimitFor(limitKind.Value);
                    }
                    if (size > (limit ?? limits.LargestLimit)) throw TooLarge(limitKind ?? FileKind.File, limit ?? limits.LargestLimit);
                    await temp.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
                }
                if (size == 0) throw ApiProblem.Invalid("file", "The file is empty.");
                await temp.FlushAsync(cancellationToken);
                done = true;
                return new Upload(tempPath, name, size, head[..headLength]);
            }
        }
        finally
        {
            if (!done) FileStore.TryDelete(tempPath);
        }
    }

    private static ApiProblem TooLarge(FileKind kind, long limit) =>
        new(StatusCodes.Status413PayloadTooLarge, "file_too_large",
            $"A{(kind == FileKind.Image ? "n" : "")} {kind.ToString().ToLowerInvariant()} may be at most {limit.ToString(CultureInfo.InvariantCulture)} bytes.");

    private static async Task<string> ReadFieldAsync(Stream body, string name, CancellationToken cancellationToken)
    {
        var buffer = new byte[MaxFieldBytes + 1];
        var length = 0;
        int read;
        while ((read = await ReadPartAsync(body, buffer.AsMemory(length), cancellationToken)) > 0)
        {
            length += read;
            if (length > MaxFieldBytes) throw ApiProblem.Invalid(name, $"The form field '{name}' is longer than {MaxFieldBytes} bytes.");
        }
        return Encoding.UTF8.GetString(buffer, 0, length);
    }

    /// <summary>A read of a part's body: a body that ends before its closing boundary is bad input, not a server error.</summary>
    private static async Task<int> ReadPartAsync(Stream body, Memory<byte> buffer, CancellationToken cancellationToken)
    {
        try
        {
            return await body.ReadAsync(buffer, cancellationToken);
        }
        catch (Exception e) when (e is InvalidDataException or IOException)
        {
            throw ApiProblem.Invalid("file", $"The multipart body is malformed: {e.Message}");
        }
    }

    private static FileKind ParseKind(string value) => value.Trim().ToLowerInvariant() switch
    {
        "image" => FileKind.Image,
        "voice" => FileKind.Voice,
        "video" => FileKind.Video,
        "file" => FileKind.File,
        _ => throw ApiProblem.Invalid("kind", "kind is one of image, voice, video, file."),
    };

    /// <summary>
    /// The name shown to people: the last path segment only, without control or bidirectional-override
    /// characters, at most 255 characters. It is never used on disk.
    /// </summary>
    public static string SanitizeName(string? raw)
    {
        var name = raw ?? "";
        var slash = name.LastIndexOfAny(['/', '\\']);
        if (slash >= 0) name = name[(slash + 1)..];
        var clean = new StringBuilder(name.Length);
        // By runes, so a lone surrogate (which no database stores) becomes U+FFFD.
        foreach (var rune in name.EnumerateRunes())
        {
            if (Rune.IsControl(rune) || Rune.GetUnicodeCategory(rune) == UnicodeCategory.Format) continue;
            clean.Append(rune.ToString());
        }
        name = clean.ToString().Trim().TrimEnd('.');
        if (name.Length == 0 || name == "..") name = "file";
        if (name.Length > 255)
        {
            var cut = char.IsHighSurrogate(name[254]) ? 254 : 255;
            name = name[..cut];
        }
        return name;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Stored file {FileId} for user {UserId}: {Size} bytes of {ContentType}")]
    private static partial void LogStored(ILogger logger, long fileId, long userId, long size, string contentType);
}
