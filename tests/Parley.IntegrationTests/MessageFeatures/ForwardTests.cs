using System.Net;
using Parley.Client;
using Parley.IntegrationTests.Conversations;
using Parley.IntegrationTests.Files;
using Parley.IntegrationTests.Groups;
using Parley.IntegrationTests.Infrastructure;

namespace Parley.IntegrationTests.MessageFeatures;

public sealed class ForwardTests(FilesFixture fixture) : IClassFixture<FilesFixture>
{
    private readonly TestServer _server = fixture.Server;

    /// <summary>Alice is friends with Bob and with Carol; Bob and Carol do not know each other.</summary>
    private async Task<(ParleyClient Alice, ParleyClient Bob, ParleyClient Carol)> ThreeAsync()
    {
        var alice = await _server.NewUserAsync("alice");
        var bob = await _server.NewFriendAsync(alice, "bob");
        var carol = await _server.NewFriendAsync(alice, "carol");
        return (alice, bob, carol);
    }

    [Fact]
    public async Task ForwardingOneMessageCopiesItMarkedForwarded()
    {
        var (alice, bob, carol) = await ThreeAsync();
        var original = await bob.TextAsync(SendTarget.User(alice.UserId), "the wifi password is hunter2");
        await using var alicePhone = await alice.DeviceAsync();
        await using var carolPhone = await carol.DeviceAsync();

        var ack = await alicePhone.ForwardMessageAsync(SendTarget.User(carol.UserId), new ForwardRef(original.ConversationId, original.MessageId));
        var delivered = await carolPhone.NextOfAsync("msg.new");
        Assert.Equal(ack.MessageId, delivered.Data.GetProperty("id").GetString());
        Assert.Equal("text", delivered.Data.GetProperty("type").GetString());
        Assert.Equal("the wifi password is hunter2", delivered.Data.GetProperty("content").GetString());
        Assert.True(delivered.Data.GetProperty("forwarded").GetBoolean());
        Assert.Equal(alice.UserId, delivered.Data.GetProperty("senderId").GetString());

        var copy = Assert.Single(await carol.GetMessagesAsync(ack.ConversationId));
        Assert.True(copy.Forwarded);
        Assert.Null(Assert.Single(await bob.GetMessagesAsync(original.ConversationId)).Forwarded);
        // A forwarded text is found by search in its new conversation.
        Assert.Single(await carol.SearchAsync(ack.ConversationId, "hunter2"));
    }

    [Fact]
    public async Task AForwardedFileIsReusedAndTheNewConversationsMembersMayDownloadIt()
    {
        var (alice, bob, carol) = await ThreeAsync();
        var png = TestFiles.Png(4, 4);
        var uploaded = await bob.UploadFileAsync(new MemoryStream(png), "dot.png", null, FileKinds.Image);
        var original = await bob.SendMessageAsync(SendTarget.User(alice.UserId), "image", null, new { fileId = uploaded.FileId });
        await Refused.WithAsync(HttpStatusCode.NotFound, "file_not_found", () => carol.DownloadFileAsync(uploaded.FileId));

        // Over HTTP, to a conversation named by its id.
        var look = await alice.TextAsync(SendTarget.User(carol.UserId), "look");
        var ack = await alice.ForwardMessageAsync(SendTarget.Conversation(look.ConversationId), new ForwardRef(original.ConversationId, original.MessageId));

        var copy = (await carol.GetMessagesAsync(ack.ConversationId)).Single(m => m.Id == ack.MessageId);
        Assert.Equal("image", copy.Type);
        Assert.Equal(uploaded.FileId, copy.File!.Value.GetProperty("fileId").GetString());
        using var download = await carol.DownloadFileAsync(uploaded.FileId);
        Assert.Equal(HttpStatusCode.OK, download.Status);
        Assert.Equal(png, await download.ReadAllBytesAsync());
    }

    [Fact]
    public async Task WhatTheForwarderCannotSeeIsMessageNotFound()
    {
        var (alice, bob, carol) = await ThreeAsync();
        var theirs = await bob.TextAsync(SendTarget.User(alice.UserId), "between bob and alice");
        var recalled = await bob.TextAsync(SendTarget.User(alice.UserId), "oops");
        await bob.RecallAsync(recalled.ConversationId, recalled.MessageId);
        var deleted = await bob.TextAsync(SendTarget.User(alice.UserId), "deleted for alice");
        await alice.DeleteForMeAsync(deleted.ConversationId, deleted.MessageId);

        // Carol is not in Bob and Alice's conversation.
        await Refused.WithAsync(HttpStatusCode.NotFound, "message_not_found",
            () => carol.ForwardMessageAsync(SendTarget.User(alice.UserId), new ForwardRef(theirs.ConversationId, theirs.MessageId)));
        await Refused.WithAsync(HttpStatusCode.NotFound, "message_not_found",
            () => alice.ForwardMessageAsync(SendTarget.User(carol.UserId), new ForwardRef(recalled.ConversationId, recalled.MessageId)));
        await Refused.WithAsync(HttpStatusCode.NotFound, "message_not_found",
            () => alice.ForwardMessageAsync(SendTarget.User(carol.UserId), new ForwardRef(deleted.ConversationId, deleted.MessageId)));
        await Refused.WithAsync(HttpStatusCode.NotFound, "message_not_found",
            () => alice.ForwardMergedAsync(SendTarget.User(carol.UserId), new MergedForwardRef(theirs.ConversationId, [theirs.MessageId, recalled.MessageId])));
        await Refused.WithAsync(HttpStatusCode.NotFound, "message_not_found",
            () => carol.ForwardMergedAsync(SendTarget.User(alice.UserId), new MergedForwardRef(theirs.ConversationId, [theirs.MessageId])));
        Assert.DoesNotContain((await carol.ListConversationsAsync()).Conversations, c => c.LastMessage is not null);
    }

    [Fact]
    public async Task AMergedForwardIsASnapshotWhoseFilesTheNewMembersMayDownload()
    {
        using var cast = await GroupCast.StartAsync(_server, name: "Book club");
        var group = SendTarget.Group(cast.GroupId);
        var png = TestFiles.Png(2, 2);
        var uploaded = await cast.Member.UploadFileAsync(new MemoryStream(png), "cover.png", null, FileKinds.Image);
        var first = await cast.Member.TextAsync(group, "chapter one was slow");
        var picture = await cast.Member.SendMessageAsync(group, "image", null, new { fileId = uploaded.FileId });
        var second = await cast.Admin.TextAsync(group, "chapter two is better");
        var friend = await _server.NewFriendAsync(cast.Owner, "friend");

        var ack = await cast.Owner.ForwardMergedAsync(SendTarget.User(friend.UserId),
            new MergedForwardRef(cast.GroupId, [second.MessageId, first.MessageId, picture.MessageId]));
        // The original changes afterwards; the forward does not.
        await cast.Member.EditMessageAsync(first.ConversationId, first.MessageId, "chapter one was great");

        var merged = Assert.Single(await friend.GetMessagesAsync(ack.ConversationId));
        Assert.Equal("forward", merged.Type);
        Assert.Equal("Chat history of Book club", merged.Content.GetProperty("title").GetString());
        var items = merged.Content.GetProperty("items").EnumerateArray().ToList();
        Assert.Equal(3, items.Count);
        Assert.Equal("chapter one was slow", items[0].GetProperty("content").GetString());
        Assert.Equal(cast.Member.UserId, items[0].GetProperty("senderId").GetString());
        Assert.Equal("member", items[0].GetProperty("senderName").GetString());
        Assert.Equal("text", items[0].GetProperty("type").GetString());
        Assert.True(items[0].TryGetProperty("sentAt", out _));
        Assert.False(items[0].TryGetProperty("file", out _));
        Assert.Equal("image", items[1].GetProperty("type").GetString());
        Assert.Equal(uploaded.FileId, items[1].GetProperty("file").GetProperty("fileId").GetString());
        Assert.Equal("admin", items[2].GetProperty("senderName").GetString());

        using var download = await friend.DownloadFileAsync(uploaded.FileId);
        Assert.Equal(HttpStatusCode.OK, download.Status);
        var row = (await friend.ListConversationsAsync()).Conversations.Single(c => c.Id == ack.ConversationId);
        Assert.Equal("[forward] Chat history of Book club", row.LastMessage!.Preview);

        // Recalled, the merged forward no longer lets its readers fetch the file.
        await cast.Owner.RecallAsync(ack.ConversationId, ack.MessageId);
        await Refused.WithAsync(HttpStatusCode.NotFound, "file_not_found", () => friend.DownloadFileAsync(uploaded.FileId));
    }

    [Fact]
    public async Task AMergedForwardTakesOneToAHundredMessages()
    {
        var (alice, bob, _) = await ThreeAsync();
        var sent = await bob.TextAsync(SendTarget.User(alice.UserId), "one");
        var tooMany = Enumerable.Repeat(sent.MessageId, 1).Concat(Enumerable.Range(1, 100).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture))).ToList();
        await Refused.WithAsync(HttpStatusCode.BadRequest, "validation_failed",
            () => alice.ForwardMergedAsync(SendTarget.User(bob.UserId), new MergedForwardRef(sent.ConversationId, tooMany)));
        await Refused.WithAsync(HttpStatusCode.BadRequest, "validation_failed",
            () => alice.ForwardMergedAsync(SendTarget.User(bob.UserId), new MergedForwardRef(sent.ConversationId, [])));
        var ack = await alice.ForwardMergedAsync(SendTarget.User(bob.UserId), new MergedForwardRef(sent.ConversationId, [sent.MessageId]));
        var merged = (await bob.GetMessagesAsync(ack.ConversationId)).Single(m => m.Id == ack.MessageId);
        Assert.Equal($"Chat history of alice and bob", merged.Content.GetProperty("title").GetString());
    }
}
