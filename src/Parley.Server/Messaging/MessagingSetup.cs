using Microsoft.Extensions.DependencyInjection.Extensions;
using Parley.Server.Events;
using Parley.Server.Social.Groups;

namespace Parley.Server.Messaging;

public static class MessagingSetup
{
    public static WebApplicationBuilder AddMessaging(this WebApplicationBuilder builder)
    {
        builder.Services.Configure<MessagingOptions>(builder.Configuration.GetSection(MessagingOptions.Section));
        // Replaced by the platform's webhook outbox (AddPlatform); TryAdd so that the order of registration does not matter.
        builder.Services.TryAddSingleton<IStoredMessageOutbox, NoStoredMessageOutbox>();
        builder.Services.TryAddSingleton<IMessageGate, NoMessageGate>();
        builder.Services.TryAddSingleton<IMessageChangeOutbox, NoMessageChangeOutbox>();
        builder.Services.AddSingleton<SearchIndexer>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<SearchIndexer>());
        builder.Services.AddSingleton<MessageCommitter>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<MessageCommitter>());
        builder.Services.AddScoped<ConversationAccess>();
        builder.Services.AddSingleton<SystemConversationWriter>();
        builder.Services.AddScoped<MessageSender>();
        builder.Services.AddSingleton<SendAllowance>();
        builder.Services.AddScoped<Forwards>();
        builder.Services.AddScoped<ReadState>();
        builder.Services.AddScoped<History>();
        builder.Services.AddScoped<MessageSync>();
        builder.Services.AddScoped<TypingNotices>();
        builder.Services.AddScoped<ConversationList>();
        builder.Services.AddScoped<Recalls>();
        builder.Services.AddScoped<MessageEdits>();
        builder.Services.AddScoped<MessageReactions>();
        builder.Services.AddScoped<DeleteForMe>();
        builder.Services.AddScoped<MessageSearcher>();
        builder.Services.AddScoped<Accounts.IAccountErasure, MessagingErasure>();
        builder.Services.AddScoped<AccountExport>();
        builder.Services.Configure<RetentionOptions>(builder.Configuration.GetSection(RetentionOptions.Section));
        builder.Services.AddSingleton<MessageRetention>();
        builder.Services.AddSingleton<ExpiryHorizon>();
        builder.Services.AddScoped<ConversationRetention>();
        builder.Services.AddSingleton<RetentionSweeper>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<RetentionSweeper>());
        // What the group feature asks of Messaging: its conversation rows inside the group change's transaction,
        // and a system message for each change its history tells.
        builder.Services.AddSingleton<IGroupConversationRows, GroupConversations>();
        builder.Services.AddEventHandler<GroupChanged, GroupSystemMessages>();
        return builder;
    }
}
