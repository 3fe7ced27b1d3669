using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Parley.Server.Http;

namespace Parley.Server.Accounts;

public static class AccountsSetup
{
    public static WebApplicationBuilder AddAccounts(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.Configure<AccountsOptions>(builder.Configuration.GetSection(AccountsOptions.Section));
        services.AddOptions<JwtOptions>().Bind(builder.Configuration.GetSection(JwtOptions.Section))
            .Validate(jwt => string.IsNullOrWhiteSpace(jwt.SigningKey) || IsStrongKey(jwt.SigningKey),
                "Jwt:SigningKey must be the base64 of at least 32 random bytes (or empty, to have one made under the data folder).")
            .ValidateOnStart();
        services.Configure<SmtpOptions>(builder.Configuration.GetSection(SmtpOptions.Section));
        services.AddMemoryCache();
        services.AddSingleton<ServerKeys>();
        services.AddSingleton<SessionRevocations>();
        services.AddSingleton<Passwords>();
        services.AddSingleton<LoginThrottle>();
        services.AddScoped<TokenService>();
        services.AddScoped<VerificationCodes>();
        services.AddScoped<PasswordReset>();
        services.AddScoped<AccountEraser>();
        // Replaced by the platform's webhook outbox (user.created); TryAdd so that the order of registration does not matter.
        services.TryAddSingleton<IAccountOutbox, NoAccountOutbox>();
        services.AddSingleton<IEmailSender>(sp => string.IsNullOrWhiteSpace(sp.GetRequiredService<IOptions<SmtpOptions>>().Value.Host)
            ? ActivatorUtilities.CreateInstance<LogEmailSender>(sp)
            : ActivatorUtilities.CreateInstance<SmtpEmailSender>(sp));

        services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme).AddJwtBearer();
        services.AddOptions<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme)
            .Configure<ServerKeys, IOptions<JwtOptions>>((bearer, keys, jwt) =>
            {
                bearer.MapInboundClaims = false;
                bearer.TokenValidationParameters = new()
                {
                    ValidIssuer = jwt.Value.Issuer,
                    ValidAudience = jwt.Value.Audience,
                    IssuerSigningKey = keys.SigningKey,
                    ValidAlgorithms = ["HS256"],
                    ClockSkew = TimeSpan.FromSeconds(30),
                    NameClaimType = "sub",
                };
                bearer.Events = new JwtBearerEvents
                {
                    // Browsers cannot set headers on a WebSocket, or on <img src>/<audio src>: the gateway and
                    // file downloads (GET and HEAD only) also take ?access_token=.
                    OnMessageReceived = context =>
                    {
                        var request = context.Request;
                        var takesQueryToken = request.Path.StartsWithSegments("/ws")
                            || (request.Path.StartsWithSegments("/api/v1/files") && (HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method)));
                        if (takesQueryToken && string.IsNullOrEmpty(request.Headers.Authorization) && request.Query.TryGetValue("access_token", out var token))
                            context.Token = token;
                        return Task.CompletedTask;
                    },
                    // A signed token is not enough: its session must not have been logged out or revoked.
                    OnTokenValidated = async context =>
                    {
                        var revocations = context.HttpContext.RequestServices.GetRequiredService<SessionRevocations>();
                        if (!long.TryParse(context.Principal?.FindFirst("sid")?.Value, out var sessionId)
                            || await revocations.IsRevokedAsync(sessionId, context.HttpContext.RequestAborted))
                            context.Fail("The session has ended.");
                    },
                };
            });
        services.AddAuthorization();
        return builder;
    }

    private static bool IsStrongKey(string base64)
    {
        var bytes = new byte[base64.Length];
        return Convert.TryFromBase64String(base64, bytes, out var length) && length >= 32;
    }

    public static RouteGroupBuilder MapAccountsApi(this RouteGroupBuilder api) => api.MapAuthApi().MapUsersApi();
}
