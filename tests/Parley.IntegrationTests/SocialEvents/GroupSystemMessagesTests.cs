using System.Net;
using Parley.Client;
using Parley.IntegrationTests.Groups;
using Parley.IntegrationTests.Infrastructure;

namespace Parley.IntegrationTests.SocialEvents;

public sealed class GroupSystemMessagesTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private readonly TestServer _server = fixture.Server;

    [Fact]
    public async Task TheGroupsStoryIsInItsHistoryWithGaplessSeqsAndArrivesLive()
    {
        using var owner = await _server.NewUserAsync("Olive");
        using var ann = await _server.NewFriendAsync(owner, "Ann");
        using var ben = await _server.NewUserAsync("Ben");
        await using var annPhone = await Device.ConnectAsync(ann);
        await using var benPhone = await Device.ConnectAsync(ben);

        var group = await owner.CreateGroupAsync("Book club", [ann.UserId], joinApproval: false);
        var created = await annPhone.WaitForSystemMessageAsync(group.Id, "group.created");
        Assert.Equal(owner.UserId, created.Data.GetProperty("senderId").GetString());

        await ann.SendMessageAsync(SendTarget.Group(group.Id), "text", "hello all");
        await owner.UpdateGroupAsync(group.Id, new UpdateGroupBody { Notice = "Chapter 3 by Friday" });
        await owner.UpdateGroupAsync(group.Id, new UpdateGroupBody { Name = "Book club 2" });
        await ben.RequestToJoinGroupAsync(group.Id);
        await benPhone.WaitForSystemMessageAsync(group.Id, "member.joined");
        await ann.LeaveGroupAsync(group.Id);

        var history = await owner.GetMessagesAsync(group.Id, afterSeq: 0, limit: 50);
        Assert.Equal(new long[] { 1, 2, 3, 4, 5, 6 }, history.Select(m => m.Seq));
        Assert.Equal(new[] { "system", "text", "system", "system", "system", "system" }, history.Select(m => m.Type));
        // The content is written exactly so: fields an event does not have are left out.
        var contents = history.Where(m => m.Type == "system").Select(m => m.Content.GetRawText()).ToList();
        Assert.Equal(
        [
            $$"""{"event":"group.created","actorId":"{{owner.UserId}}","actorName":"Olive","userIds":["{{ann.UserId}}"],"userNames":["Ann"],"name":"Book club"}""",
            $$"""{"event":"notice.changed","actorId":"{{owner.UserId}}","actorName":"Olive","notice":"Chapter 3 by Friday"}""",
            $$"""{"event":"name.changed","actorId":"{{owner.UserId}}","actorName":"Olive","name":"Book club 2"}""",
            $$"""{"event":"member.joined","actorId":"{{ben.UserId}}","actorName":"Ben","userIds":["{{ben.UserId}}"],"userNames":["Ben"],"via":"request"}""",
            $$"""{"event":"member.left","actorId":"{{ann.UserId}}","actorName":"Ann"}""",
        ], contents);
        Assert.Equal(ann.UserId, history[5].SenderId);
        Assert.All(history.Where(m => m.Type == "system"), m => Assert.StartsWith("sys:", m.ClientMsgId, StringComparison.Ordinal));

        // Ann's device got every system message while she was a member, as msg.new, in seq order; not her own leaving.
        await annPhone.WaitForSystemMessageAsync(group.Id, "member.joined");
        var annSaw = Device.SystemMessages(await annPhone.SoFarAsync(), group.Id).Select(f => f.Data.GetProperty("seq").GetInt64()).ToList();
        Assert.Equal(new long[] { 1, 3, 4, 5 }, annSaw);
        // Ben joined at seq 5, and hears of Ann's leaving.
        await benPhone.WaitForSystemMessageAsync(group.Id, "member.left");
        Assert.Equal(new long[] { 5, 6 }, Device.SystemMessages(benPhone.Seen, group.Id).Select(f => f.Data.GetProperty("seq").GetInt64()));

        // A sync brings them too.
        var done = benPhone.Socket.RequestAsync("msg.sync", new { conversations = new Dictionary<string, long> { [group.Id] = 0 } });
        var batch = await benPhone.WaitAsync("msg.batch");
        await done;
        Assert.Equal(Enumerable.Range(1, 6).Select(i => (long)i), batch.Data.GetProperty("messages").EnumerateArray().Select(m => m.GetProperty("seq").GetInt64()));
    }

    [Fact]
    public async Task InvitationsApprovalsRemovalsRolesAndMutesAreToldInTheHistory()
    {
        using var cast = await GroupCast.StartAsync(_server, joinApproval: true, name: "Club");
        var groupId = cast.GroupId;
        using var cat = await _server.NewFriendAsync(cast.Admin, "Cat");
        using var dot = await _server.NewFriendAsync(cast.Member, "Dot");
        var until = GroupTestKit.WholeSecondsFromNow(TimeSpan.FromHours(2));

        await cast.Admin.InviteToGroupAsync(groupId, [cat.UserId]);
        await cast.Member.InviteToGroupAsync(groupId, [dot.UserId]);
        var request = Assert.Single(await cast.Owner.GetJoinRequestsAsync(groupId, "pending"));
        await cast.Owner.AcceptJoinRequestAsync(groupId, request.Id);
        await cast.Owner.RemoveGroupMemberAsync(groupId, cat.UserId);
        await cast.Owner.SetGroupRoleAsync(groupId, cast.Member.UserId, GroupRole.Admin);
        await cast.Owner.SetGroupRoleAsync(groupId, cast.Admin.UserId, GroupRole.Owner);
        await cast.Admin.MuteAsync(groupId, null, until);
        await cast.Admin.UnmuteAsync(groupId, null);
        // A member's own mute is not told in the history.
        await cast.Admin.MuteAsync(groupId, dot.UserId, until);

        var history = await dot.GetMessagesAsync(groupId, afterSeq: 0, limit: 50);
        Assert.Equal(Enumerable.Range(1, history.Count).Select(i => (long)i), history.Select(m => m.Seq));
        Assert.All(history, m => Assert.Equal("system", m.Type));
        var story = history.Select(GroupSystemContent.From).ToList();
        Assert.Equal(
            ["group.created", "role.changed", "member.joined", "member.joined", "member.removed", "role.changed", "owner.changed", "group.muted", "group.unmuted"],
            story.Select(s => s.Event));
        Assert.Equal(GroupRole.Admin, story[1].Role);
        Assert.Equal(("invitation", cast.Admin.UserId, cat.UserId), (story[2].Via, story[2].ActorId, story[2].UserIds![0]));
        Assert.Equal(("approval", cast.Owner.UserId, dot.UserId, "Dot"), (story[3].Via, story[3].ActorId, story[3].UserIds![0], story[3].UserNames![0]));
        Assert.Equal((cast.Owner.UserId, cat.UserId, "Cat"), (story[4].ActorId, story[4].UserIds![0], story[4].UserNames![0]));
        Assert.Equal(cast.Admin.UserId, story[6].UserIds![0]);
        Assert.Equal(until, story[7].Until);

        // Cat, removed, can no longer read the group's history (and so is not sent the message of her removal).
        await Refused.WithAsync(HttpStatusCode.Forbidden, "not_group_member", () => cat.GetMessagesAsync(groupId));
    }

    [Fact]
    public async Task ClientsCannotSendSystemMessages()
    {
        using var cast = await GroupCast.StartAsync(_server);
        var refusal = await Refused.WithAsync(HttpStatusCode.BadRequest, "validation_failed",
            () => cast.Member.SendMessageAsync(SendTarget.Group(cast.GroupId), "system", "{\"event\":\"group.created\"}"));
        Assert.True(refusal.Errors?.ContainsKey("type"));
        await using var socket = await ParleyRealtime.ConnectAsync(cast.Member);
        var overSocket = await Assert.ThrowsAsync<ParleyRealtimeException>(
            () => socket.SendMessageAsync(SendTarget.Group(cast.GroupId), "system", "fake"));
        Assert.Equal("validation_failed", overSocket.Code);
    }
}
