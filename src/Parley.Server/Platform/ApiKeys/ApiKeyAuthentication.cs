using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Parley.Server.Storage;

namespace Parley.Server.Platform.ApiKeys;

/// <summary>
/// The <c>ApiKey</c> authentication scheme: <c>Authorization: Bearer pk_…</c>, used on <c>/api/v1/admin/*</c> only
/// (the admin route group's policy names this scheme and no other, and the user endpoints' default scheme is the JWT
/// one, which cannot read a key). Each call looks the key's hash up in the database, so a revoked key is refused on
/// every node at once; admin traffic is a product's back end, far from the chat's hot path.
/// </summary>
public sealed partial class ApiKeyAuthentication(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "ApiKey";
    public const string Policy = "PlatformApiKey";
    public const string KeyNameClaim = "parley_api_key";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var header = Request.Headers.Authorization.ToString();
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)) return AuthenticateResult.NoResult();
        var token = header["Bearer ".Length..].Trim();
        if (!ApiKey.IsWellFormed(token)) return AuthenticateResult.Fail("Not an API key.");
        var hash = ApiKey.Hash(token);
        var db = Context.RequestServices.GetRequiredService<ParleyDb>();
        var name = await db.ApiKeys.AsNoTracking().Where(k => k.KeyHash == hash).Select(k => k.Name).FirstOrDefaultAsync(Context.RequestAborted);
        if (name is null) return AuthenticateResult.Fail("Unknown or revoked API key.");
        var identity = new ClaimsIdentity([new Claim(KeyNameClaim, name)], SchemeName, KeyNameClaim, null);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        AdminAudit.Refused(Context, StatusCodes.Status401Unauthorized);
        return base.HandleChallengeAsync(properties);
    }

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties)
    {
        AdminAudit.Refused(Context, StatusCodes.Status403Forbidden);
        return base.HandleForbiddenAsync(properties);
    }
}

/// <summary>Every admin call in the log: which key, what, and the answer; never the key itself or the bodies.</summary>
public static partial class AdminAudit
{
    public static ValueTask<object?> Log(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var key = http.User.FindFirst(ApiKeyAuthentication.KeyNameClaim)?.Value ?? "(none)";
        http.Response.OnCompleted(() =>
        {
            var logger = http.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("Parley.Platform.Audit");
            LogCall(logger, key, http.Request.Method, http.Request.Path.Value ?? "", http.Response.StatusCode);
            return Task.CompletedTask;
        });
        return next(context);
    }

    /// <summary>For a call refused before it reached an endpoint (no key, a user token, a revoked key).</summary>
    public static void Refused(HttpContext http, int status)
    {
        var logger = http.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("Parley.Platform.Audit");
        LogRefused(logger, http.Request.Method, http.Request.Path.Value ?? "", status);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Admin call by key {KeyName}: {Method} {Path} answered {Status}")]
    private static partial void LogCall(ILogger logger, string keyName, string method, string path, int status);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Admin call refused: {Method} {Path} answered {Status}")]
    private static partial void LogRefused(ILogger logger, string method, string path, int status);
}
