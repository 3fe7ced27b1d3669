using System.Text.Json.Serialization;
using Parley.Server.Http;

namespace Parley.Server.Files;

/// <summary>
/// An uploaded file as the API shows it, after upload and inside a message's <c>file</c>; the optional
/// fields are left out when unknown.
/// </summary>
public sealed record FileView(
    string FileId,
    string Name,
    long Size,
    string ContentType,
    string Url,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] int? Width = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] int? Height = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] long? DurationMs = null)
{
    public static string UrlOf(long fileId) => $"/api/v1/files/{Ids.Format(fileId)}";

    public static FileView From(StoredFile f) =>
        new(Ids.Format(f.Id), f.Name, f.Size, f.ContentType, UrlOf(f.Id), f.Width, f.Height, f.DurationMs);
}
