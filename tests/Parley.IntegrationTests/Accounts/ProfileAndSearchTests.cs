using System.Net;
using Parley.Client;
using Parley.IntegrationTests.Infrastructure;

namespace Parley.IntegrationTests.Accounts;

public sealed class ProfileAndSearchTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private readonly TestServer _server = fixture.Server;

    [Fact]
    public async Task APersonUpdatesNicknameUsernameAvatarAndSex()
    {
        using var user = await _server.NewUserAsync("before");
        var handle = $"after_{Random.Shared.Next(1_000_000)}";
        var updated = await user.UpdateMeAsync(new UpdateProfileRequest
        {
            Nickname = "After", Username = handle, Avatar = "https://cdn.example.test/a.png", Sex = Sex.Male,
        });
        Assert.Equal("After", updated.Nickname);
        Assert.Equal(handle, updated.Username);
        Assert.Equal("https://cdn.example.test/a.png", updated.Avatar);
        Assert.Equal(Sex.Male, updated.Sex);
        Assert.Equal(updated, await user.GetMeAsync());
    }

    [Fact]
    public async Task TakingSomeoneElsesUsernameIsAConflict()
    {
        var handle = $"taken_{Random.Shared.Next(1_000_000)}";
        using var first = await _server.NewUserAsync();
        await first.UpdateMeAsync(new UpdateProfileRequest { Username = handle });
        using var second = await _server.NewUserAsync();
        await Refused.WithAsync(HttpStatusCode.Conflict, "username_taken", () =>
            second.UpdateMeAsync(new UpdateProfileRequest { Username = handle.ToUpperInvariant() }));
        // Setting my own handle again is not a conflict.
        await first.UpdateMeAsync(new UpdateProfileRequest { Username = handle });
    }

    [Fact]
    public async Task BadProfileFieldsAreRefused()
    {
        using var user = await _server.NewUserAsync();
        await Refused.WithAsync(HttpStatusCode.BadRequest, "validation_failed", () => user.UpdateMeAsync(new UpdateProfileRequest { Nickname = "" }));
        await Refused.WithAsync(HttpStatusCode.BadRequest, "validation_failed", () => user.UpdateMeAsync(new UpdateProfileRequest { Avatar = new string('a', 2000) }));
        await Refused.WithAsync(HttpStatusCode.BadRequest, "validation_failed", () => user.UpdateMeAsync(new UpdateProfileRequest { Username = "x" }));
    }

    [Fact]
    public async Task APublicProfileShowsPhoneAndEmailOnlyToFriends()
    {
        using var alice = await _server.NewUserAsync("alice");
        using var bob = await _server.NewUserAsync("bob");
        var stranger = await bob.GetUserAsync(alice.UserId);
        Assert.Equal("alice", stranger.Nickname);
        Assert.False(stranger.IsFriend);
        Assert.Null(stranger.Phone);

        await TestServer.MakeFriendsAsync(alice, bob);
        var friend = await bob.GetUserAsync(alice.UserId);
        Assert.True(friend.IsFriend);
        Assert.Equal((await alice.GetMeAsync()).Phone, friend.Phone);
    }

    [Fact]
    public async Task AnUnknownOrMalformedUserIdIsNotFound()
    {
        using var user = await _server.NewUserAsync();
        await Refused.WithAsync(HttpStatusCode.NotFound, "user_not_found", () => user.GetUserAsync("123456789"));
        await Refused.WithAsync(HttpStatusCode.NotFound, "user_not_found", () => user.GetUserAsync("not-an-id"));
    }

    [Fact]
    public async Task SearchFindsNicknamesFuzzilyAndMarksFriends()
    {
        var tag = $"Zq{Random.Shared.Next(100_000, 999_999)}";
        using var me = await _server.NewUserAsync();
        using var friend = await _server.NewUserAsync($"The {tag} One");
        using var other = await _server.NewUserAsync($"{tag.ToLowerInvariant()}two");
        using var unrelated = await _server.NewUserAsync("Somebody Else");
        await TestServer.MakeFriendsAsync(me, friend);

        var hits = await me.SearchUsersAsync(tag.ToUpperInvariant());
        Assert.Equal(new[] { friend.UserId, other.UserId }.Order(), hits.Select(h => h.Id).Order());
        Assert.True(hits.Single(h => h.Id == friend.UserId).IsFriend);
        Assert.False(hits.Single(h => h.Id == other.UserId).IsFriend);
        Assert.Null(hits.Single(h => h.Id == other.UserId).Phone);
    }

    [Fact]
    public async Task SearchFindsExactPhoneEmailAndUsername()
    {
        using var me = await _server.NewUserAsync();
        var email = TestServer.UniqueEmail();
        using var target = _server.NewClient();
        await target.RequestVerificationCodeAsync(email);
        var handle = $"find_me_{Random.Shared.Next(1_000_000)}";
        var phone = _server.UniquePhone();
        await target.RegisterAsync(new RegisterRequest
        {
            Phone = phone, Email = email, Username = handle, Password = "s3cret-pass", Nickname = "target", Code = _server.LastCodeSentTo(email),
        });

        foreach (var query in new[] { phone, phone[3..], email.ToUpperInvariant(), handle.ToUpperInvariant() })
        {
            var hits = await me.SearchUsersAsync(query);
            Assert.Contains(hits, h => h.Id == target.UserId);
        }
    }

    [Fact]
    public async Task SearchByIdsReturnsThoseUsersAndPagesWithLimitAndOffset()
    {
        using var me = await _server.NewUserAsync();
        var others = new List<ParleyClient>();
        for (var i = 0; i < 5; i++) others.Add(await _server.NewUserAsync($"paged{i}"));
        var ids = others.Select(o => o.UserId).ToList();

        var all = await me.SearchUsersAsync(ids: ids);
        Assert.Equal(ids.Order(), all.Select(u => u.Id).Order());

        var first = await me.SearchUsersAsync(ids: ids, limit: 2, offset: 0);
        var second = await me.SearchUsersAsync(ids: ids, limit: 2, offset: 2);
        var third = await me.SearchUsersAsync(ids: ids, limit: 2, offset: 4);
        Assert.Equal(2, first.Count);
        Assert.Equal(2, second.Count);
        Assert.Single(third);
        Assert.Equal(ids.Order(), first.Concat(second).Concat(third).Select(u => u.Id).Order());
        foreach (var o in others) o.Dispose();
    }

    [Fact]
    public async Task SearchWithoutCriteriaOrWithBadPagingIsRefused()
    {
        using var me = await _server.NewUserAsync();
        await Refused.WithAsync(HttpStatusCode.BadRequest, "validation_failed", () => me.SearchUsersAsync());
        await Refused.WithAsync(HttpStatusCode.BadRequest, "validation_failed", () => me.SearchUsersAsync("x", limit: 0));
        await Refused.WithAsync(HttpStatusCode.BadRequest, "validation_failed", () => me.SearchUsersAsync("x", limit: 1000));
        await Refused.WithAsync(HttpStatusCode.BadRequest, "validation_failed", () => me.SearchUsersAsync(ids: ["12", "abc"]));
    }

    [Fact]
    public async Task LikeWildcardsInAQueryAreLiteral()
    {
        using var me = await _server.NewUserAsync();
        using var percent = await _server.NewUserAsync($"100%_{Random.Shared.Next(1_000_000)}");
        var hits = await me.SearchUsersAsync("%");
        Assert.All(hits, h => Assert.Contains("%", h.Nickname, StringComparison.Ordinal));
    }
}
