using System.Net;
using Parley.Client;
using Parley.IntegrationTests.Conversations;
using Parley.IntegrationTests.Files;
using Parley.IntegrationTests.Groups;
using Parley.IntegrationTests.Infrastructure;

namespace Parley.IntegrationTests.MessageFeatures;

public sealed class HistoryForNewMembersTests(FilesFixture fixture) : IClassFixture<FilesFixture>
{
    private readonly TestServer _server = fixture.Server;

    [Fact]
    public async Task WithoutHistoryANewcomerSeesOnlyWhatCameAfterTheirJoining()
    {
        using var cast = await GroupCast.StartAsync(_server);
        Assert.True(cast.Group.HistoryForNewMembers);
        var updated = await cast.Owner.UpdateGroupAsync(cast.GroupId, new UpdateGroupBody { HistoryForNewMembers = false });
        Assert.False(updated.HistoryForNewMembers);
        var group = SendTarget.Group(cast.GroupId);
        var uploaded = await cast.Member.UploadFileAsync(new MemoryStream(TestFiles.Png(2, 2)), "old.png", null, FileKinds.Image);
        await cast.Member.SendMessageAsync(group, "image", null, new { fileId = uploaded.FileId });
        var old = await cast.Member.TextAsync(group, "the secret plan: marmalade");

        var newcomer = await _server.NewFriendAsync(cast.Owner, "newcomer");
        await cast.Owner.InviteToGroupAsync(cast.GroupId, [newcomer.UserId]);
        var fresh = await cast.Member.TextAsync(group, "welcome, marmalade fan");

        var history = await newcomer.GetMessagesAsync(cast.GroupId);
        Assert.DoesNotContain(history, m => m.Seq <= old.Seq);
        Assert.Contains(history, m => m.Id == fresh.MessageId);
        await using var phone = await newcomer.DeviceAsync();
        var synced = (await phone.SyncAsync(cast.GroupId, 0)).SelectMany(b => b.Seqs).ToList();
        Assert.DoesNotContain(synced, seq => seq <= old.Seq);
        Assert.Contains(fresh.Seq, synced);
        Assert.Equal([fresh.MessageId], (await newcomer.SearchAsync(cast.GroupId, "marmalade")).Select(m => m.Id));
        Assert.Equal([fresh.MessageId], (await newcomer.SearchAllAsync("marmalade")).Select(m => m.Id));
        await Refused.WithAsync(HttpStatusCode.NotFound, "file_not_found", () => newcomer.DownloadFileAsync(uploaded.FileId));
        await Refused.WithAsync(HttpStatusCode.NotFound, "message_not_found", () => newcomer.GetReceiptsAsync(cast.GroupId, old.MessageId));
        Assert.Equal(fresh.MessageId, (await newcomer.GetReceiptsAsync(cast.GroupId, fresh.MessageId)).MessageId);
        var row = (await newcomer.ListConversationsAsync()).Conversations.Single(c => c.Id == cast.GroupId);
        Assert.Equal(history.Count, row.UnreadCount);

        // Members who were there keep everything.
        Assert.Contains(await cast.Admin.GetMessagesAsync(cast.GroupId), m => m.Id == old.MessageId);
    }

    [Fact]
    public async Task ByDefaultANewcomerSeesTheGroupsHistory()
    {
        using var cast = await GroupCast.StartAsync(_server);
        var old = await cast.Member.TextAsync(SendTarget.Group(cast.GroupId), "before you came");
        var newcomer = await _server.NewFriendAsync(cast.Owner, "newcomer");
        await cast.Owner.InviteToGroupAsync(cast.GroupId, [newcomer.UserId]);
        Assert.Contains(await newcomer.GetMessagesAsync(cast.GroupId), m => m.Id == old.MessageId);
    }

    [Fact]
    public async Task AGroupCreatedWithoutHistoryForNewMembersShowsANewcomerOnlyWhatCameAfterTheirJoining()
    {
        var owner = await _server.NewUserAsync("owner");
        var member = await _server.NewFriendAsync(owner, "member");
        var group = await owner.CreateGroupAsync("Quiet room", [member.UserId], historyForNewMembers: false);
        Assert.False(group.HistoryForNewMembers);
        Assert.False((await owner.GetGroupAsync(group.Id)).HistoryForNewMembers);
        var old = await member.TextAsync(SendTarget.Group(group.Id), "before you came");

        var newcomer = await _server.NewFriendAsync(owner, "newcomer");
        await owner.InviteToGroupAsync(group.Id, [newcomer.UserId]);
        var fresh = await member.TextAsync(SendTarget.Group(group.Id), "after you came");

        var history = await newcomer.GetMessagesAsync(group.Id);
        Assert.DoesNotContain(history, m => m.Id == old.MessageId);
        Assert.Contains(history, m => m.Id == fresh.MessageId);
    }
}
