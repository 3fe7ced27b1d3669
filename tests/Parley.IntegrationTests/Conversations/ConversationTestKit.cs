using Parley.Client;
using Parley.IntegrationTests.Infrastructure;

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
    public static async Task<List<ConversationView>> AllConversationsAsync(this ParleyClient client, int pageSize = 200)
    {
        var rows = new List<ConversationView>();
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

    public static async Task<ConversationView?> RowAsync(this ParleyClient client, string conversationId) =>
        (await client.AllConversationsAsync()).SingleOrDefault(c => c.Id == conversationId);
}
