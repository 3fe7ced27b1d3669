using System.Net;
using Parley.Client;
using Parley.IntegrationTests.Infrastructure;

namespace Parley.IntegrationTests.Security;

/// <summary>Issue 11, item 5: limits an honest user never meets on friend requests, exact lookups and password guessing.</summary>
public sealed class AbuseLimitsTests
{
    [Fact]
    public async Task ARejectedRequesterMayNotAskTheSamePersonAgainUntilTheCooldownEnds()
    {
        await using var server = await TestServer.StartAsync();
        using var alice = await server.NewUserAsync("alice");
        using var bob = await server.NewUserAsync("bob");
        using var carol = await server.NewUserAsync("carol");
        await bob.RejectFriendRequestAsync((await alice.SendFriendRequestAsync(bob.UserId)).Id);

        var refusal = await Refused.WithAsync(HttpStatusCode.TooManyRequests, "friend_request_cooldown", () => alice.SendFriendRequestAsync(bob.UserId, "please?"));

        Assert.True(refusal.RetryAfter > TimeSpan.FromDays(6), $"Retry-After {refusal.RetryAfter}");
        Assert.DoesNotContain(await bob.GetFriendRequestsAsync("incoming"), r => r.Status == RequestStatus.Pending);
        // Others are not barred, and the one who rejected may still ask (which is how they change their mind).
        await alice.SendFriendRequestAsync(carol.UserId);
        var askedBack = await bob.SendFriendRequestAsync(alice.UserId);
        Assert.Equal(RequestStatus.Pending, askedBack.Status);
    }

    [Fact]
    public async Task WithoutACooldownARejectedRequesterMayAskAgainAtOnce()
    {
        await using var server = await TestServer.StartAsync(new Dictionary<string, string?> { ["RateLimits:FriendRequestCooldown"] = "00:00:00" });
        using var alice = await server.NewUserAsync("alice");
        using var bob = await server.NewUserAsync("bob");
        await bob.RejectFriendRequestAsync((await alice.SendFriendRequestAsync(bob.UserId)).Id);

        Assert.Equal(RequestStatus.Pending, (await alice.SendFriendRequestAsync(bob.UserId, "please?")).Status);
    }

    [Fact]
    public async Task NobodyMakesMoreThanTheDailyNumberOfFriendRequestsButAskingBackIsAlwaysAllowed()
    {
        await using var server = await TestServer.StartAsync(new Dictionary<string, string?> { ["RateLimits:FriendRequestsPerDay"] = "3" });
        using var spammer = await server.NewUserAsync("spammer");
        var strangers = new List<ParleyClient>();
        for (var i = 0; i < 5; i++) strangers.Add(await server.NewUserAsync($"stranger {i}"));
        try
        {
            for (var i = 0; i < 3; i++) await spammer.SendFriendRequestAsync(strangers[i].UserId);
            var refusal = await Refused.WithAsync(HttpStatusCode.TooManyRequests, "rate_limited", () => spammer.SendFriendRequestAsync(strangers[3].UserId));
            Assert.True(refusal.RetryAfter > TimeSpan.FromHours(23), $"Retry-After {refusal.RetryAfter}");

            // Asking again someone already asked answers the pending request; asking back someone who asked is agreeing.
            await spammer.SendFriendRequestAsync(strangers[0].UserId);
            await strangers[4].SendFriendRequestAsync(spammer.UserId);
            Assert.Equal(RequestStatus.Accepted, (await spammer.SendFriendRequestAsync(strangers[4].UserId)).Status);
            // Another user's allowance is their own.
            await strangers[1].SendFriendRequestAsync(strangers[2].UserId);
        }
        finally
        {
            foreach (var stranger in strangers) stranger.Dispose();
        }
    }

    [Fact]
    public async Task ExactPhoneAndEmailLookupsAreLimitedPerUserWhileNicknameSearchIsNot()
    {
        await using var server = await TestServer.StartAsync(new Dictionary<string, string?> { ["RateLimits:ExactLookupsPerHour"] = "3" });
        using var prober = await server.NewUserAsync("prober");
        using var neighbour = await server.NewUserAsync("neighbour");
        using var target = await server.NewUserAsync("target");
        var targetPhone = (await target.GetMeAsync()).Phone!;

        Assert.Single(await prober.SearchUsersAsync(targetPhone));
        Assert.Empty(await prober.SearchUsersAsync(server.UniquePhone()));
        Assert.Empty(await prober.SearchUsersAsync("nobody@example.test"));
        var refusal = await Refused.WithAsync(HttpStatusCode.TooManyRequests, "rate_limited", () => prober.SearchUsersAsync(targetPhone));
        Assert.True(refusal.RetryAfter > TimeSpan.FromMinutes(10), $"Retry-After {refusal.RetryAfter}");
        await Refused.WithAsync(HttpStatusCode.TooManyRequests, "rate_limited", () => prober.SearchUsersAsync("someone@example.test"));

        Assert.NotEmpty(await prober.SearchUsersAsync("target"));
        Assert.Single(await neighbour.SearchUsersAsync(targetPhone));
    }

    [Fact]
    public async Task FailedLoginsCountPerAccountWhicheverIdentifierWasTyped()
    {
        await using var server = await TestServer.StartAsync(new Dictionary<string, string?> { ["Accounts:LoginFailuresPerAccount"] = "3" });
        using var victim = await server.NewUserAsync("victim");
        await victim.UpdateMeAsync(new UpdateProfileRequest { Username = "victim_" + Guid.NewGuid().ToString("N")[..8] });
        var me = await victim.GetMeAsync();
        using var attacker = server.NewClient();

        await Refused.WithAsync(HttpStatusCode.Unauthorized, "invalid_credentials", () => attacker.LoginAsync(me.Phone!, "guess 1"));
        await Refused.WithAsync(HttpStatusCode.Unauthorized, "invalid_credentials", () => attacker.LoginAsync(me.Phone!, "guess 2"));
        await Refused.WithAsync(HttpStatusCode.Unauthorized, "invalid_credentials", () => attacker.LoginAsync(me.Username!, "guess 3"));

        // The phone number has had two failures and the username one, but the account has had three.
        var refusal = await Refused.WithAsync(HttpStatusCode.TooManyRequests, "rate_limited", () => attacker.LoginAsync(me.Username!.ToUpperInvariant(), "guess 4"));
        Assert.NotNull(refusal.RetryAfter);
        await Refused.WithAsync(HttpStatusCode.TooManyRequests, "rate_limited", () => server.NewClient().LoginAsync(me.Phone!, "correct horse 1"));
    }
}
