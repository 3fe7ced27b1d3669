namespace Parley.Server.Http;

/// <summary>
/// A refusal that reaches the client as an RFC 9457 problem-details response with a stable <c>code</c>.
/// Thrown by feature code where a request cannot go on; <see cref="ProblemHandling"/> writes it out.
/// Every code is listed in docs/errors.md.
/// </summary>
public sealed class ApiProblem(int status, string code, string detail, IDictionary<string, string[]>? errors = null)
    : Exception(detail)
{
    public int Status { get; } = status;
    public string Code { get; } = code;
    public IDictionary<string, string[]>? Errors { get; } = errors;

    public static ApiProblem BadRequest(string code, string detail) => new(StatusCodes.Status400BadRequest, code, detail);

    /// <summary>One or more fields are missing or malformed; <paramref name="field"/> names the first.</summary>
    public static ApiProblem Invalid(string field, string detail) =>
        new(StatusCodes.Status400BadRequest, "validation_failed", detail, new Dictionary<string, string[]> { [field] = [detail] });

    public static ApiProblem Unauthorized(string code, string detail) => new(StatusCodes.Status401Unauthorized, code, detail);
    public static ApiProblem Forbidden(string code, string detail) => new(StatusCodes.Status403Forbidden, code, detail);
    public static ApiProblem NotFound(string code, string detail) => new(StatusCodes.Status404NotFound, code, detail);
    public static ApiProblem Conflict(string code, string detail) => new(StatusCodes.Status409Conflict, code, detail);

    public static ApiProblem TooManyRequests(string detail, TimeSpan retryAfter, string code = "rate_limited") =>
        new(StatusCodes.Status429TooManyRequests, code, detail) { RetryAfter = retryAfter };

    public TimeSpan? RetryAfter { get; private init; }
}
