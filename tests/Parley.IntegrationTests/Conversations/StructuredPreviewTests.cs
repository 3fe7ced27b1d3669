using System.Net.Http.Headers;
using System.Text.Json;
using Parley.Client;
using Parley.IntegrationTests.Files;
using Parley.IntegrationTests.Infrastructure;

namespace Parley.IntegrationTests.Conversations;

/// <summary>
/// The list's <c>lastMessage</c> carries, beside its one-line <c>preview</c>, what a client words the message from
/// itself (docs/conversations.md): <c>content</c> for system (and call) messages, <c>file</c> for attachments.
/// Read as raw JSON: this is the wire shape.
/// </summary>
public sealed class StructuredPreviewTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private readonly TestServer _server = fixture.Server;

    private async Task<JsonElement> LastMessageAsync(ParleyClient client, string conversationId)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "api/v1/conversations?limit=200");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", client.AccessToken);
        using var response = await _server.Http.SendAsync(request);
        response.EnsureSuccessStatusCode();
        using var page = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var row = page.RootElement.GetProperty("conversations").EnumerateArray().Single(r => r.GetProperty("id").GetString() == conversationId);
        return row.GetProperty("lastMessage").Clone();
    }

    [Fact]
    public async Task ATextHasItsWordsInThePreviewAndNoStructure()
    {
        var (alice, bob) = await _server.FriendsAsync();
        var sent = await alice.SendMessageAsync(SendTarget.User(bob.UserId), "text", "see you at noon");

        var last = await LastMessageAsync(bob, sent.ConversationId);
        Assert.Equal("text", last.GetProperty("type").GetString());
        Assert.Equal("see you at noon", last.GetProperty("preview").GetString());
        Assert.Equal(JsonValueKind.Null, last.GetProperty("content").ValueKind);
        Assert.Equal(JsonValueKind.Null, last.GetProperty("file").ValueKind);
    }

    [Fact]
    public async Task AnAttachmentCarriesItsFileUntilItIsRecalled()
    {
        var (alice, bob) = await _server.FriendsAsync();
        var uploaded = await alice.UploadFileAsync(new MemoryStream(TestFiles.Text("minutes of the meeting")), "minutes.txt", null, FileKinds.File);
        var sent = await alice.SendMessageAsync(SendTarget.User(bob.UserId), "file", null, new { fileId = uploaded.FileId });

        var last = await LastMessageAsync(bob, sent.ConversationId);
        Assert.Equal("file", last.GetProperty("type").GetString());
        Assert.Equal("[file] minutes.txt", last.GetProperty("preview").GetString());
        Assert.Equal("minutes.txt", last.GetProperty("file").GetProperty("name").GetString());
        Assert.Equal(uploaded.FileId, last.GetProperty("file").GetProperty("fileId").GetString());
        Assert.Equal(JsonValueKind.Null, last.GetProperty("content").ValueKind);

        await alice.RecallAsync(sent.ConversationId, sent.MessageId);
        last = await LastMessageAsync(bob, sent.ConversationId);
        Assert.True(last.GetProperty("recalled").GetBoolean());
        Assert.Equal("[recalled]", last.GetProperty("preview").GetString());
        Assert.Equal(JsonValueKind.Null, last.GetProperty("file").ValueKind);
    }

    [Fact]
    public async Task AGroupSystemMessageCarriesItsEvent()
    {
        var (olive, ann) = await _server.FriendsAsync("olive", "ann");
        var group = await olive.CreateGroupAsync("Book club", [ann.UserId]);

        var last = await LastMessageAsync(ann, group.Id);
        Assert.Equal("system", last.GetProperty("type").GetString());
        Assert.Equal("olive created \"Book club\" with ann", last.GetProperty("preview").GetString());
        var content = last.GetProperty("content");
        Assert.Equal("group.created", content.GetProperty("event").GetString());
        Assert.Equal(olive.UserId, content.GetProperty("actorId").GetString());
        Assert.Equal("olive", content.GetProperty("actorName").GetString());
        Assert.Equal([ann.UserId], content.GetProperty("userIds").EnumerateArray().Select(x => x.GetString()));
        Assert.Equal("Book club", content.GetProperty("name").GetString());
        Assert.Equal(JsonValueKind.Null, last.GetProperty("file").ValueKind);
    }
}
