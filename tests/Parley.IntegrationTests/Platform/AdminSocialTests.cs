using System.Net;
using Parley.Client;
using Parley.IntegrationTests.Infrastructure;

namespace Parley.IntegrationTests.Platform;

/// <summary>Contacts, groups and messages set up by the product, through the same services and pipeline as users' own.</summary>
public sealed class AdminSocialTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private TestServer Server => fixture.Server;

    private async Task<(ParleyAdminClient Admin, AdminUserView A, AdminUserView B)> TwoImportedAsync()
    {
        var admin = await Server.NewAdminAsync();
        var a = await admin.CreateUserAsync(new CreateUserRequest { Nickname = "Ann", ExternalId = PlatformKit.UniqueExternalId() });
        var b = await admin.CreateUserAsync(new CreateUserRequest { Nickname = "Ben", ExternalId = PlatformKit.UniqueExternalId() });
        return (admin, a, b);
    }

    [Fact]
    public async Task AFriendshipSetByTheProductIsLiveAtOnceAndTellsBothSides()
    {
        var (admin, a, b) = await TwoImportedAsync();
        using var _ = admin;
        using var ann = await Server.SignInAsync(admin, a.Id);
        await using var annSocket = await ParleyRealtime.ConnectAsync(ann);
        await annSocket.RequestAsync("ping", null);

        Assert.True((await admin.MakeFriendsAsync(a.Id, b.Id)).Created);
        var added = await annSocket.NextEventAsync("friend.added");
        Assert.Equal(b.Id, added.Data.GetProperty("friend").GetProperty("userId").GetString());
        Assert.False((await admin.MakeFriendsAsync(b.Id, a.Id)).Created);
        Assert.Contains(await ann.GetFriendsAsync(), f => f.UserId == b.Id);
        // Friends now: a plain user may message the other at once.
        await ann.SendMessageAsync(SendTarget.User(b.Id), "text", "hello friend");

        await Refused.WithAsync(HttpStatusCode.NotFound, "user_not_found", () => admin.MakeFriendsAsync(a.Id, "123456789"));
        await Refused.WithAsync(HttpStatusCode.BadRequest, "cannot_add_self", () => admin.MakeFriendsAsync(a.Id, a.Id));
    }

    [Fact]
    public async Task AGroupMadeByTheProductNeedsNoFriendshipsAndMembersJoinAtOnce()
    {
        var (admin, owner, member) = await TwoImportedAsync();
        using var _ = admin;
        var late = await admin.CreateUserAsync(new CreateUserRequest { Nickname = "Late" });
        using var lateApp = await Server.SignInAsync(admin, late.Id);
        await using var lateSocket = await ParleyRealtime.ConnectAsync(lateApp);
        await lateSocket.RequestAsync("ping", null);

        var group = await admin.CreateGroupAsync(owner.Id, "Product group", [member.Id]);
        Assert.Equal((owner.Id, 2), (group.OwnerId, group.MemberCount));
        var added = await admin.AddGroupMembersAsync(group.Id, [late.Id]);
        Assert.Equal([late.Id], added.Added);
        await lateSocket.NextEventAsync("group.member.joined");

        using var ownerApp = await Server.SignInAsync(admin, owner.Id);
        Assert.Equal(3, (await ownerApp.GetGroupMembersAsync(group.Id)).Count);
        var ack = await lateApp.SendMessageAsync(SendTarget.Group(group.Id), "text", "hi all");
        Assert.Equal(group.Id, ack.ConversationId);
        await Refused.WithAsync(HttpStatusCode.NotFound, "group_not_found", () => admin.AddGroupMembersAsync("987654321", [late.Id]));
    }

    [Fact]
    public async Task AMessageSentAsAUserGoesThroughTheSamePipelineWithTheSameAckAndIdempotency()
    {
        var (admin, a, b) = await TwoImportedAsync();
        using var _ = admin;
        await admin.MakeFriendsAsync(a.Id, b.Id);
        using var ben = await Server.SignInAsync(admin, b.Id);
        await using var benSocket = await ParleyRealtime.ConnectAsync(ben);
        await benSocket.RequestAsync("ping", null);

        var request = new AdminMessageRequest { SenderId = a.Id, To = SendTarget.User(b.Id), ClientMsgId = "admin-1", Type = "text", Content = "from the back end" };
        var ack = await admin.SendMessageAsync(request);
        Assert.Equal((1L, "admin-1"), (ack.Seq, ack.ClientMsgId));
        var delivered = await benSocket.NextEventAsync("msg.new");
        Assert.Equal((a.Id, "from the back end"), (delivered.Data.GetProperty("senderId").GetString(), delivered.Data.GetProperty("content").GetString()));
        Assert.Equal(ack, await admin.SendMessageAsync(request));

        using var ann = await Server.SignInAsync(admin, a.Id);
        var next = await ann.SendMessageAsync(SendTarget.User(b.Id), "text", "from the app");
        Assert.Equal(2, next.Seq);
        Assert.Equal(2, (await ben.GetMessagesAsync(ack.ConversationId, afterSeq: 0)).Count);
        await Refused.WithAsync(HttpStatusCode.BadRequest, "validation_failed",
            () => admin.SendMessageAsync(request with { ClientMsgId = "admin-2", Type = "text", Content = "" }));
    }

    [Fact]
    public async Task ABotMessagesAnyoneWithoutFriendshipAndAPlainUserCannot()
    {
        using var admin = await Server.NewAdminAsync();
        var bot = await admin.CreateUserAsync(new CreateUserRequest { Nickname = "Shop bot", Bot = true });
        var customer = await admin.CreateUserAsync(new CreateUserRequest { Nickname = "Customer" });
        var stranger = await admin.CreateUserAsync(new CreateUserRequest { Nickname = "Stranger" });
        Assert.True(bot.Bot);

        var ack = await admin.SendMessageAsync(new AdminMessageRequest
        {
            SenderId = bot.Id, To = SendTarget.User(customer.Id), ClientMsgId = "order-1", Type = "text", Content = "Your order has shipped",
        });
        using var customerApp = await Server.SignInAsync(admin, customer.Id);
        Assert.Single(await customerApp.GetMessagesAsync(ack.ConversationId, afterSeq: 0));
        // The customer may answer the bot, and sees who it is (a client shows a badge).
        await customerApp.SendMessageAsync(SendTarget.User(bot.Id), "text", "thanks");
        Assert.True((await customerApp.GetConversationAsync(ack.ConversationId)).Peer?.Bot);

        await Refused.WithAsync(HttpStatusCode.Forbidden, "not_friends", () => admin.SendMessageAsync(new AdminMessageRequest
        {
            SenderId = stranger.Id, To = SendTarget.User(customer.Id), ClientMsgId = "cold-1", Type = "text", Content = "hi",
        }));
    }
}
