using System.Net;

namespace Parley.Client;

/// <summary>
/// The server refused a request: its problem-details answer, with the stable <see cref="Code"/> to act on
/// (for example <c>phone_taken</c>, <c>not_friends</c>; the list is in the server's docs/errors.md).
/// </summary>
public sealed class ParleyApiException(
    HttpStatusCode status, string code, string? title, string? detail, IReadOnlyDictionary<string, string[]>? errors, TimeSpan? retryAfter)
    : Exception($"{(int)status} {code}: {detail ?? title}")
{
    public HttpStatusCode Status { get; } = status;
    public string Code { get; } = code;
    public string? Title { get; } = title;
    public string? Detail { get; } = detail;

    /// <summary>Per-field messages for <c>validation_failed</c>.</summary>
    public IReadOnlyDictionary<string, string[]>? Errors { get; } = errors;

    /// <summary>From the Retry-After header of a 429.</summary>
    public TimeSpan? RetryAfter { get; } = retryAfter;
}
