using System.Net;
using System.Net.WebSockets;
using Parley.Client;
using Parley.IntegrationTests.Conversations;
using Parley.IntegrationTests.Infrastructure;

namespace Parley.IntegrationTests.AccountData;

/// <summary>API.md, "Account recovery, deletion and export": <c>DELETE /api/v1/users/me</c> erases the account.</summary>
public sealed class AccountDeletionTests(PasswordResetTests.Server fixture) : IClassFixture<PasswordResetTests.Server>
{
    private const string Password = "correct horse 1";
    private readonly TestServer _server = fixture.Instance;

    [Fact]
    public async Task DeletingNeedsTheRightPassword()
    {
        using var alice = await _server.NewUserAsync("alice");
        await Refused.WithAsync(HttpStatusCode.Forbidden, "wrong_password", () => alice.DeleteAccountAsync("not my password"));
        using var noBody = await alice.SendRawAsync(HttpMethod.Delete, "api/v1/users/me");
        Assert.Equal(HttpStatusCode.BadRequest, noBody.StatusCode);
        Assert.Equal("alice", (await alice.GetMeAsync()).Nickname);
    }

    [Fact]
    public async Task TheDeletedAccountsTokensAndSocketsAreDeadAndItsPhoneEmailAndUsernameAreFree()
    {
        var email = TestServer.UniqueEmail();
        var phone = _server.UniquePhone();
        var username = $"gone_{Random.Shared.Next(1_000_000)}";
        using var alice = _server.NewClient();
        await alice.RegisterAsync(new RegisterRequest { Phone = phone, Email = email, Username = username, Password = Password, Nickname = "alice" });
        using var laptop = _server.NewClient();
        await laptop.LoginAsync(email, Password);
        await using var socket = await laptop.DeviceAsync();

        await alice.DeleteAccountAsync(Password);

        await socket.Closed.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(WebSocketCloseStatus.PolicyViolation, socket.CloseStatus);
        foreach (var device in new[] { alice, laptop })
        {
            await Refused.WithAsync(HttpStatusCode.Unauthorized, "unauthorized", () => device.GetMeAsync());
            var refresh = await Assert.ThrowsAsync<ParleyApiException>(() => device.RefreshAsync());
            Assert.Equal(HttpStatusCode.Unauthorized, refresh.Status);
        }
        using var nobody = _server.NewClient();
        await Refused.WithAsync(HttpStatusCode.Unauthorized, "invalid_credentials", () => nobody.LoginAsync(email, Password));

        using var successor = _server.NewClient();
        var again = await successor.RegisterAsync(new RegisterRequest { Phone = phone, Email = email, Username = username, Password = "another one 2", Nickname = "new" });
        Assert.NotEqual(alice.UserId, again.User.Id);
    }

    [Fact]
    public async Task MessagesStayAttributedToADeletedAccountAndItsFriendsLoseIt()
    {
        var (alice, bob) = await _server.FriendsAsync();
        await using var bobDevice = await bob.DeviceAsync();
        var sent = await alice.TextAsync(SendTarget.User(bob.UserId), "remember me");
        await bobDevice.NextOfAsync("msg.new");
        var aliceId = alice.UserId;

        await alice.DeleteAccountAsync(Password);

        var removed = await bobDevice.NextOfAsync("friend.removed");
        Assert.Contains(aliceId, removed.Data.GetRawText(), StringComparison.Ordinal);
        var history = await bob.GetMessagesAsync(sent.ConversationId);
        Assert.Equal(aliceId, Assert.Single(history).SenderId);
        Assert.Equal("remember me", history[0].Content.GetString());

        var profile = await bob.GetUserAsync(aliceId);
        Assert.Equal("Deleted account", profile.Nickname);
        Assert.Null(profile.Avatar);
        Assert.Null(profile.Username);
        Assert.False(profile.IsFriend);
        var row = await bob.GetConversationAsync(sent.ConversationId);
        Assert.Equal("Deleted account", row.Peer!.Nickname);
        Assert.Empty(await bob.GetFriendsAsync());
        Assert.DoesNotContain(await bob.SearchUsersAsync("Deleted account"), u => u.Id == aliceId);
        await Refused.WithAsync(HttpStatusCode.NotFound, "user_not_found", () => bob.SendFriendRequestAsync(aliceId, "are you there?"));
        bob.Dispose();
    }

    [Fact]
    public async Task AnOwnersGroupPassesToItsOldestAdminElseItsOldestMemberElseIsDissolved()
    {
        using var alice = await _server.NewUserAsync("alice");
        using var bob = await _server.NewUserAsync("bob");
        using var carol = await _server.NewUserAsync("carol");
        using var dave = await _server.NewUserAsync("dave");
        foreach (var friend in new[] { bob, carol, dave }) await TestServer.MakeFriendsAsync(alice, friend);

        // Bob joined first, Carol later but is an admin: Carol takes over.
        var withAdmin = await alice.CreateGroupAsync("with an admin", [bob.UserId]);
        await alice.InviteToGroupAsync(withAdmin.Id, [carol.UserId]);
        await alice.SetGroupRoleAsync(withAdmin.Id, carol.UserId, GroupRole.Admin);
        // No admin: the oldest member, Bob, takes over.
        var noAdmin = await alice.CreateGroupAsync("members only", [bob.UserId]);
        await alice.InviteToGroupAsync(noAdmin.Id, [dave.UserId]);
        // Alice alone: dissolved.
        var alone = await alice.CreateGroupAsync("just me");
        // A member's group: she just leaves it.
        await TestServer.MakeFriendsAsync(bob, dave);
        var bobs = await bob.CreateGroupAsync("bob's", []);
        await bob.InviteToGroupAsync(bobs.Id, [dave.UserId]);
        await using var daveDevice = await dave.DeviceAsync();
        await using var bobDevice = await bob.DeviceAsync();

        await alice.DeleteAccountAsync(Password);

        var left = await bobDevice.NextOfAsync("group.member.left");
        Assert.Contains(alice.UserId, left.Data.GetRawText(), StringComparison.Ordinal);
        await daveDevice.NextOfAsync("group.member.left");

        var first = await bob.GetGroupAsync(withAdmin.Id);
        Assert.Equal(carol.UserId, first.OwnerId);
        Assert.Equal(2, first.MemberCount);
        Assert.Contains(await carol.GetGroupMembersAsync(withAdmin.Id), m => m.UserId == carol.UserId && m.Role == GroupRole.Owner);
        var second = await bob.GetGroupAsync(noAdmin.Id);
        Assert.Equal(bob.UserId, second.OwnerId);
        Assert.DoesNotContain(await dave.GetGroupMembersAsync(noAdmin.Id), m => m.UserId == alice.UserId);
        Assert.Equal(bob.UserId, (await bob.GetGroupAsync(bobs.Id)).OwnerId);
        Assert.Equal(2, (await bob.GetGroupAsync(bobs.Id)).MemberCount);
        var groups = await bob.GetGroupsAsync();
        Assert.DoesNotContain(groups, g => g.Id == alone.Id);

        // The group still works for those who remain, and its history tells of the change.
        var ack = await bob.SendMessageAsync(SendTarget.Group(noAdmin.Id), "text", "carry on");
        var history = await dave.GetMessagesAsync(ack.ConversationId);
        Assert.Contains(history, m => m.Type == "system" && m.Content.GetRawText().Contains("member.left", StringComparison.Ordinal));
    }
}
