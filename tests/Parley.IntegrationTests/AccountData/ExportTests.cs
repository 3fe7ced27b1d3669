using System.Net;
using System.Text.Json;
using Parley.Client;
using Parley.IntegrationTests.Conversations;
using Parley.IntegrationTests.Files;
using Parley.IntegrationTests.Infrastructure;

namespace Parley.IntegrationTests.AccountData;

/// <summary>API.md, "Account recovery, deletion and export": <c>GET /api/v1/users/me/export</c>, one streamed JSON document.</summary>
public sealed class ExportTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private readonly TestServer _server = fixture.Server;

    private async Task<JsonDocument> ExportAsync(ParleyClient client)
    {
        await using var stream = await client.ExportAsync();
        try
        {
            // Parsing the whole of it proves it is one valid JSON document.
            return await JsonDocument.ParseAsync(stream);
        }
        catch (Exception e)
        {
            throw new InvalidOperationException("Server log: " + string.Join("\n", _server.Log.Lines.TakeLast(5)), e);
        }
    }

    [Fact]
    public async Task TheExportHoldsProfileContactsGroupsAndEveryMessageIMaySeeWithFiles()
    {
        var (alice, bob) = await _server.FriendsAsync();
        using var carol = await _server.NewUserAsync("carol");
        using var dave = await _server.NewUserAsync("dave");
        using var erin = await _server.NewUserAsync("erin");
        await alice.SendFriendRequestAsync(carol.UserId, "hello carol");
        await alice.BlockAsync(dave.UserId);
        await TestServer.MakeFriendsAsync(alice, erin);
        var group = await alice.CreateGroupAsync("book club", [bob.UserId]);

        var mine = await alice.TextAsync(SendTarget.User(bob.UserId), "from alice");
        var theirs = await bob.TextAsync(SendTarget.User(alice.UserId), "from bob");
        var uploaded = await bob.UploadFileAsync(new MemoryStream(TestFiles.Text("the minutes")), "minutes.txt", null, FileKinds.File);
        var file = await bob.SendMessageAsync(SendTarget.Group(group.Id), "file", null, new { fileId = uploaded.FileId });
        // Sent in a group Alice then left: hers all the same.
        var left = await erin.CreateGroupAsync("erin's", [alice.UserId]);
        var elsewhere = await alice.TextAsync(SendTarget.Group(left.Id), "before I go");
        await alice.LeaveGroupAsync(left.Id);
        // Deleted for herself: not what she can see any more.
        var deleted = await bob.TextAsync(SendTarget.User(alice.UserId), "forget this");
        await alice.DeleteForMeAsync(deleted.ConversationId, deleted.MessageId);

        using var export = await ExportAsync(alice);
        var root = export.RootElement;
        Assert.Equal(alice.UserId, root.GetProperty("profile").GetProperty("id").GetString());
        var friends = root.GetProperty("friends").EnumerateArray().Select(f => f.GetProperty("userId").GetString()).ToList();
        Assert.Equal(new[] { bob.UserId, erin.UserId }.Order(), friends.Order());
        var request = Assert.Single(root.GetProperty("friendRequests").EnumerateArray(), r => r.GetProperty("toUserId").GetString() == carol.UserId);
        Assert.Equal("pending", request.GetProperty("status").GetString());
        Assert.Equal(dave.UserId, Assert.Single(root.GetProperty("blocks").EnumerateArray()).GetProperty("userId").GetString());
        Assert.Equal(group.Id, Assert.Single(root.GetProperty("groups").EnumerateArray()).GetProperty("id").GetString());

        var conversations = root.GetProperty("conversations").EnumerateArray().ToDictionary(c => c.GetProperty("id").GetString()!);
        var direct = conversations[mine.ConversationId].GetProperty("messages").EnumerateArray().Select(m => m.GetProperty("id").GetString()).ToList();
        Assert.Equal([mine.MessageId, theirs.MessageId], direct);
        var groupMessages = conversations[file.ConversationId].GetProperty("messages").EnumerateArray().ToList();
        var withFile = Assert.Single(groupMessages, m => m.GetProperty("id").GetString() == file.MessageId);
        Assert.Equal(uploaded.FileId, withFile.GetProperty("file").GetProperty("fileId").GetString());
        Assert.Equal("minutes.txt", withFile.GetProperty("file").GetProperty("name").GetString());
        Assert.False(conversations.ContainsKey(elsewhere.ConversationId));
        Assert.Equal(elsewhere.MessageId, Assert.Single(root.GetProperty("sentElsewhere").EnumerateArray()).GetProperty("id").GetString());
        Assert.DoesNotContain("forget this", export.RootElement.GetRawText(), StringComparison.Ordinal);
        bob.Dispose();
    }

    [Fact]
    public async Task NobodyExportsWithoutSigningIn()
    {
        using var response = await _server.Http.GetAsync("api/v1/users/me/export");
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task AnExportOfManyMessagesIsStreamedPageByPageAndComplete()
    {
        var (alice, bob) = await _server.FriendsAsync();
        const int count = 1_234;
        var conversationId = (await alice.TextAsync(SendTarget.User(bob.UserId), "message 1")).ConversationId;
        for (var start = 2; start <= count; start += 50)
            await Task.WhenAll(Enumerable.Range(start, Math.Min(50, count - start + 1))
                .Select(i => (i % 2 == 0 ? bob : alice).SendMessageAsync(SendTarget.Conversation(conversationId), "text", $"message {i}", clientMsgId: $"bulk-{i}")));

        using var response = await alice.SendRawAsync(HttpMethod.Get, "api/v1/users/me/export");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        // Written as it is read: no length known in advance.
        Assert.True(response.Headers.TransferEncodingChunked);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        using var export = await JsonDocument.ParseAsync(await response.Content.ReadAsStreamAsync());
        var messages = Assert.Single(export.RootElement.GetProperty("conversations").EnumerateArray()).GetProperty("messages").EnumerateArray().ToList();
        Assert.Equal(Enumerable.Range(1, count).Select(i => (long)i), messages.Select(m => m.GetProperty("seq").GetInt64()));
        bob.Dispose();
        alice.Dispose();
    }
}
