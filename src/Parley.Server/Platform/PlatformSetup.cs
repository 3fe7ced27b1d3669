using Microsoft.AspNetCore.Authentication;
using Parley.Server.Platform.Admin;
using Parley.Server.Platform.ApiKeys;

namespace Parley.Server.Platform;

/// <summary>
/// The platform API for the product that embeds Parley (<c>/api/v1/admin/*</c>, API keys). It sits above every
/// feature and drives them through their own services; it hears of what happens only through domain events.
/// </summary>
public static class PlatformSetup
{
    public static WebApplicationBuilder AddPlatform(this WebApplicationBuilder builder)
    {
        builder.Services.AddAuthentication().AddScheme<AuthenticationSchemeOptions, ApiKeyAuthentication>(ApiKeyAuthentication.SchemeName, null);
        builder.Services.AddAuthorizationBuilder().AddPolicy(ApiKeyAuthentication.Policy, policy => policy
            .AddAuthenticationSchemes(ApiKeyAuthentication.SchemeName)
            .RequireClaim(ApiKeyAuthentication.KeyNameClaim));
        return builder;
    }

    public static RouteGroupBuilder MapPlatformApi(this RouteGroupBuilder api)
    {
        var admin = api.MapGroup("/admin").RequireAuthorization(ApiKeyAuthentication.Policy).AddEndpointFilter(AdminAudit.Log);
        admin.MapAdminUsersApi().MapAdminSocialApi();
        return api;
    }
}
