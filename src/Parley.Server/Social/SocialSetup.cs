using Microsoft.Extensions.DependencyInjection.Extensions;
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
        // Replaced by the platform's webhook outbox, which writes the friend and group events in each change's transaction.
        builder.Services.TryAddSingleton<ISocialOutbox, NoSocialOutbox>();
        builder.Services.AddScoped<GroupMembership>();
        builder.Services.AddScoped<GroupDirectory>();
        builder.Services.AddScoped<GroupAnnouncer>();
        // An erased account's contacts and groups (Accounts' AccountEraser runs these in its transaction).
        builder.Services.AddScoped<Accounts.IAccountErasure, ContactsErasure>();
        builder.Services.AddScoped<Accounts.IAccountErasure, GroupsErasure>();
        // The group's conversation rows (IGroupConversationRows) and its system messages (a GroupChanged handler)
        // are Messaging's, registered by AddMessaging.
        return builder;
    }

    public static RouteGroupBuilder MapSocialApi(this RouteGroupBuilder api) => api.MapUserDirectoryApi().MapFriendsApi().MapGroupsApi();
}
