using Parley.Server.Social.Friends;
using Parley.Server.Social.Groups;

namespace Parley.Server.Social;

public static class SocialSetup
{
    public static WebApplicationBuilder AddSocial(this WebApplicationBuilder builder)
    {
        builder.Services.Configure<GroupsOptions>(builder.Configuration.GetSection(GroupsOptions.Section));
        builder.Services.AddSingleton<SocialVersions>();
        builder.Services.AddSingleton<FriendEvents>();
        builder.Services.AddSingleton<GroupEvents>();
        builder.Services.AddSingleton<GroupSystemMessages>();
        return builder;
    }

    public static RouteGroupBuilder MapSocialApi(this RouteGroupBuilder api) => api.MapUserDirectoryApi().MapFriendsApi().MapGroupsApi();
}
