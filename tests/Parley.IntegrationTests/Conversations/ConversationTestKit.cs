using Microsoft.Extensions.DependencyInjection;
using Parley.Client;
using Parley.IntegrationTests.Infrastructure;
using Parley.Server.Storage;

namespace Parley.IntegrationTests.Conversations;

internal static class ConversationTestKit
{
    public static async Task<(ParleyClient A, ParleyClient B)> FriendsAsync(this TestServer server, string a = "alice", string b = "bob")
    {
        var first = await server.NewUserAsync(a);
        var second = await server.NewUserAsync(b);
        await TestServer.MakeFriendsAsync(first, second);
        return (first, second);
    }

    /// <summary>Every row of my list, page after page.</summary>
    public static async Task<List<ConversationSummary>> AllConversationsAsync(this ParleyClient client, int pageSize = 200)
    {
        var rows = new List<ConversationSummary>();
        string? cursor = null;
        do
        {
            var page = await client.ListConversationsAsync(pageSize, cursor);
            rows.AddRange(page.Conversations);
            cursor = page.NextCursor;
        }
        while (cursor is not null);
        return rows;
    }

    public static async Task<ConversationSummary?> RowAsync(this ParleyClient client, string conversationId) =>
        (await client.AllConversationsAsync()).SingleOrDefault(c => c.Id == conversationId);

    /// <summary>Runs something against the server's database directly (for state that other features' endpoints set).</summary>
    public static async Task WithDbAsync(this TestServer server, Func<ParleyDb, Task> work)
    {
        await using var scope = server.Services.CreateAsyncScope();
        await work(scope.ServiceProvider.GetRequiredService<ParleyDb>());
    }
}
