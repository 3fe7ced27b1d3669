using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Net.Http.Headers;
using Microsoft.OpenApi;
using Parley.Server.Http;

namespace Parley.Server.Files;

/// <summary><c>POST /api/v1/files</c> (upload) and <c>GET /api/v1/files/{fileId}</c> (download, with ranges).</summary>
public static class FilesApi
{
    public static RouteGroupBuilder MapFilesApi(this RouteGroupBuilder api)
    {
        var files = api.MapGroup("/files").WithTags("Files").RequireAuthorization();
        files.MapPost("", Upload)
            .RequireRateLimiting(RateLimits.Uploads)
            .WithMetadata(new Operations.OwnBodyLimit())
            // Described here rather than with Accepts<IFormFile>(): that would make routing answer any other content
            // type with 415 before authentication, so a request without a token got 415 instead of 401.
            // FileUploads checks the content type itself (415 unsupported_media_type).
            .AddOpenApiOperationTransformer((operation, _, _) =>
            {
                operation.RequestBody = new OpenApiRequestBody
                {
                    Required = true,
                    Content = new Dictionary<string, OpenApiMediaType>
                    {
                        ["multipart/form-data"] = new()
                        {
                            Schema = new OpenApiSchema
                            {
                                Type = JsonSchemaType.Object,
                                Required = new HashSet<string> { "file" },
                                Properties = new Dictionary<string, IOpenApiSchema>
                                {
                                    ["kind"] = new OpenApiSchema { Type = JsonSchemaType.String, Description = "image, voice, video or file; send it before the file." },
                                    ["file"] = new OpenApiSchema { Type = JsonSchemaType.String, Format = "binary" },
                                },
                            },
                        },
                    },
                };
                return Task.CompletedTask;
            })
            .WithDescription("multipart/form-data with one part named 'file' and, optionally, a field 'kind' (image, voice, video, file) before it.");
        files.MapMethods("/{fileId}", [HttpMethods.Get, HttpMethods.Head], Download)
            .WithDescription("The bytes, for the uploader and for members who can see a message carrying the file. Takes ?access_token= for <img src>.");
        return api;
    }

    private static async Task<Created<FileView>> Upload(HttpContext http, FileUploads uploads, CancellationToken cancellationToken)
    {
        var stored = await uploads.UploadAsync(http.User.UserId(), http.Request, cancellationToken);
        var view = FileView.From(stored);
        return TypedResults.Created(view.Url, view);
    }

    private static async Task<IResult> Download(string fileId, HttpContext http, AttachmentAccess access, IFileStore store, CancellationToken cancellationToken)
    {
        var file = Ids.TryParse(fileId, out var id) ? await access.FindReadableAsync(http.User.UserId(), id, cancellationToken) : null;
        var bytes = file is null ? null : store.OpenRead(file.StorageName, file.Size);
        if (file is null || bytes is null) throw ApiProblem.NotFound("file_not_found", "There is no such file.");

        var media = FileSniffer.IsImage(file.ContentType) || FileSniffer.IsAudio(file.ContentType) || FileSniffer.IsVideo(file.ContentType);
        var disposition = new ContentDispositionHeaderValue(media ? "inline" : "attachment");
        disposition.SetHttpFileName(file.Name);
        var headers = http.Response.Headers;
        headers.ContentDisposition = disposition.ToString();
        // The type is the one found in the bytes: browsers must not guess another, and nothing served here runs.
        headers.XContentTypeOptions = "nosniff";
        headers.ContentSecurityPolicy = "default-src 'none'; sandbox";
        // Who may read it can change (a recall, leaving a group): caches keep it but ask again each time (a 304 is cheap).
        headers.CacheControl = "private, no-cache";
        // Streamed through the server from either store (docs/files.md#storage): authorisation, ranges and ETags stay
        // here; the stream reads only the range asked for.
        return TypedResults.Stream(bytes, file.ContentType, fileDownloadName: null, lastModified: file.CreatedAt,
            entityTag: new EntityTagHeaderValue($"\"{Ids.Format(file.Id)}\""), enableRangeProcessing: true);
    }
}
