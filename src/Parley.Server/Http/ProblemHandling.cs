using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;

namespace Parley.Server.Http;

/// <summary>
/// Turns every failure into problem details with a <c>code</c>: refusals thrown as <see cref="ApiProblem"/>,
/// requests the framework could not bind (bad JSON, oversized bodies), bare status codes (unknown route,
/// missing token) and, last, anything unexpected, as a 500 without a stack trace.
/// </summary>
public static partial class ProblemHandling
{
    public static IServiceCollection AddProblemHandling(this IServiceCollection services)
    {
        services.AddProblemDetails(options => options.CustomizeProblemDetails = context =>
        {
            var problem = context.ProblemDetails;
            problem.Extensions.TryAdd("code", DefaultCode(problem.Status ?? context.HttpContext.Response.StatusCode, problem));
            problem.Extensions.Remove("exception");
            problem.Extensions["traceId"] = context.HttpContext.TraceIdentifier;
        });
        services.AddExceptionHandler<ApiProblemWriter>();
        // Binding failures are thrown, so that they reach the handler above instead of ending as bare 400s.
        services.Configure<RouteHandlerOptions>(options => options.ThrowOnBadRequest = true);
        return services;
    }

    public static WebApplication UseProblemHandling(this WebApplication app)
    {
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        return app;
    }

    private static string DefaultCode(int status, ProblemDetails problem) => status switch
    {
        400 when problem is HttpValidationProblemDetails => "validation_failed",
        400 => "bad_request",
        401 => "unauthorized",
        403 => "forbidden",
        404 => "not_found",
        405 => "method_not_allowed",
        409 => "conflict",
        413 => "payload_too_large",
        415 => "unsupported_media_type",
        429 => "rate_limited",
        >= 500 => "internal_error",
        _ => "error",
    };

    private sealed partial class ApiProblemWriter(IProblemDetailsService problems, ILogger<ApiProblemWriter> logger) : IExceptionHandler
    {
        public async ValueTask<bool> TryHandleAsync(HttpContext http, Exception exception, CancellationToken cancellationToken)
        {
            var (status, code, detail, errors) = Describe(exception);
            if (status >= 500) LogUnexpected(logger, exception, http.Request.Method, http.Request.Path);

            if (exception is ApiProblem { RetryAfter: { } retryAfter })
                http.Response.Headers.RetryAfter = RateLimits.RetryAfterHeader(retryAfter);

            http.Response.StatusCode = status;
            ProblemDetails problem = errors is null
                ? new ProblemDetails()
                : new HttpValidationProblemDetails(errors);
            problem.Status = status;
            problem.Title = Titles.GetValueOrDefault(status, "Error");
            problem.Detail = detail;
            problem.Extensions["code"] = code;
            return await problems.TryWriteAsync(new ProblemDetailsContext { HttpContext = http, ProblemDetails = problem, Exception = null });
        }

        private static (int Status, string Code, string Detail, IDictionary<string, string[]>? Errors) Describe(Exception exception) => exception switch
        {
            ApiProblem p => (p.Status, p.Code, p.Message, p.Errors),
            BadHttpRequestException { StatusCode: 413 } => (413, "payload_too_large", "The request body is too large.", null),
            BadHttpRequestException { InnerException: JsonException json } =>
                (400, "invalid_json", $"The request body is not valid JSON for this endpoint: {JsonDetail(json)}", null),
            // The framework's words for a missing body talk about parameter inference and services: say what the client must do.
            BadHttpRequestException { StatusCode: 400 } bad when bad.Message.Contains("no body was provided", StringComparison.Ordinal) =>
                (400, "bad_request", "This endpoint needs a JSON body.", null),
            BadHttpRequestException bad => (bad.StatusCode, bad.StatusCode == 415 ? "unsupported_media_type" : "bad_request", Shorten(bad.Message), null),
            _ => (500, "internal_error", "Something went wrong on the server. It has been logged.", null),
        };

        /// <summary>The serializer's "could not be converted to Parley.Server.…" names server types: say where the value is instead.</summary>
        private static string JsonDetail(JsonException json) =>
            json.Message.StartsWith("The JSON value could not be converted", StringComparison.Ordinal)
                ? $"the value at {json.Path ?? "$"} has the wrong JSON type or is not one of the allowed names."
                : Shorten(json.Message);

        private static string Shorten(string message) => message.Length <= 300 ? message : message[..300];

        [LoggerMessage(Level = LogLevel.Error, Message = "Unhandled exception for {Method} {Path}")]
        private static partial void LogUnexpected(ILogger logger, Exception exception, string method, string path);
    }

    private static readonly Dictionary<int, string> Titles = new()
    {
        [400] = "Bad Request",
        [401] = "Unauthorized",
        [403] = "Forbidden",
        [404] = "Not Found",
        [409] = "Conflict",
        [413] = "Content Too Large",
        [415] = "Unsupported Media Type",
        [429] = "Too Many Requests",
        [500] = "Internal Server Error",
    };
}
