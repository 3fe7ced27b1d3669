using System.Net;
using Parley.Client;
using Parley.IntegrationTests.Infrastructure;

namespace Parley.IntegrationTests.Accounts;

public sealed class SessionTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private readonly TestServer _server = fixture.Server;

    [Fact]
    public async Task APersonSignsInWithPhoneEmailOrUsername()
    {
        var email = TestServer.UniqueEmail();
        var phone = _server.UniquePhone();
        var username = $"Sign.In_{Random.Shared.Next(1_000_000)}";
        using var owner = _server.NewClient();
        await owner.RequestVerificationCodeAsync(email);
        var registered = await owner.RegisterAsync(new RegisterRequest
        {
            Phone = phone, Email = email, Username = username, Password = "s3cret-pass", Nickname = "three ways", Code = _server.LastCodeSentTo(email),
        });

        foreach (var login in new[] { phone, phone[3..], email.ToUpperInvariant(), username.ToLowerInvariant() })
        {
            using var device = _server.NewClient();
            var result = await device.LoginAsync(login, "s3cret-pass");
            Assert.Equal(registered.User.Id, result.User.Id);
            Assert.Equal(registered.User.Id, (await device.GetMeAsync()).Id);
        }
    }

    [Fact]
    public async Task AWrongPasswordAndAnUnknownLoginGetTheSameAnswer()
    {
        using var user = await _server.NewUserAsync();
        var me = await user.GetMeAsync();
        using var device = _server.NewClient();
        await Refused.WithAsync(HttpStatusCode.Unauthorized, "invalid_credentials", () => device.LoginAsync(me.Phone!, "wrong password"));
        await Refused.WithAsync(HttpStatusCode.Unauthorized, "invalid_credentials", () => device.LoginAsync("nobody_here_at_all", "whatever1"));
    }

    [Fact]
    public async Task RefreshingRotatesTheTokenAndTheOldOneNoLongerWorks()
    {
        using var user = await _server.NewUserAsync();
        var first = user.Session!;
        var second = await user.RefreshAsync();
        Assert.NotEqual(first.RefreshToken, second.RefreshToken);
        Assert.Equal(first.User.Id, second.User.Id);
        await user.GetMeAsync();

        // Replaying the rotated token means it leaked: the whole session ends, the new token with it.
        using var thief = _server.NewClient();
        await Refused.WithAsync(HttpStatusCode.Unauthorized, "refresh_token_reused", () => thief.RefreshAsync(first.RefreshToken));
        await Refused.WithAsync(HttpStatusCode.Unauthorized, "session_revoked", () => user.RefreshAsync());
        await Refused.WithAsync(HttpStatusCode.Unauthorized, "unauthorized", () => user.GetMeAsync());
    }

    [Fact]
    public async Task AnUnknownRefreshTokenIsRefused()
    {
        using var client = _server.NewClient();
        await Refused.WithAsync(HttpStatusCode.Unauthorized, "invalid_refresh_token", () => client.RefreshAsync("made-up-token"));
        await Refused.WithAsync(HttpStatusCode.BadRequest, "validation_failed", () => client.RefreshAsync(""));
    }

    [Fact]
    public async Task ConcurrentRefreshesWithOneTokenLetAtMostOneThrough()
    {
        using var user = await _server.NewUserAsync();
        var token = user.Session!.RefreshToken;
        var outcomes = await Task.WhenAll(Enumerable.Range(0, 6).Select(async _ =>
        {
            using var device = _server.NewClient();
            try
            {
                await device.RefreshAsync(token);
                return "ok";
            }
            catch (ParleyApiException e) when (e.Status == HttpStatusCode.Unauthorized)
            {
                return e.Code;
            }
        }));
        Assert.True(outcomes.Count(o => o == "ok") <= 1, string.Join(", ", outcomes));
        Assert.Contains("refresh_token_reused", outcomes);
    }

    [Fact]
    public async Task LogoutEndsTheSessionButNotTheOtherDevices()
    {
        using var phone = await _server.NewUserAsync();
        var me = await phone.GetMeAsync();
        using var laptop = _server.NewClient();
        await laptop.LoginAsync(me.Phone!, "correct horse 1");

        await phone.LogoutAsync();
        await Refused.WithAsync(HttpStatusCode.Unauthorized, "unauthorized", () => phone.GetMeAsync());
        await Refused.WithAsync(HttpStatusCode.Unauthorized, "session_revoked", () => phone.RefreshAsync());
        Assert.Equal(me.Id, (await laptop.GetMeAsync()).Id);
    }

    [Fact]
    public async Task ChangingThePasswordNeedsTheOldOneAndEndsOtherSessions()
    {
        using var phone = await _server.NewUserAsync();
        var me = await phone.GetMeAsync();
        using var laptop = _server.NewClient();
        await laptop.LoginAsync(me.Phone!, "correct horse 1");

        await Refused.WithAsync(HttpStatusCode.BadRequest, "validation_failed", () =>
            phone.UpdateMeAsync(new UpdateProfileRequest { Password = "brand new pass" }));
        await Refused.WithAsync(HttpStatusCode.Forbidden, "wrong_password", () =>
            phone.UpdateMeAsync(new UpdateProfileRequest { Password = "brand new pass", OldPassword = "not it at all" }));

        await phone.UpdateMeAsync(new UpdateProfileRequest { Password = "brand new pass", OldPassword = "correct horse 1" });
        Assert.Equal(me.Id, (await phone.GetMeAsync()).Id);
        await Refused.WithAsync(HttpStatusCode.Unauthorized, "unauthorized", () => laptop.GetMeAsync());
        await Refused.WithAsync(HttpStatusCode.Unauthorized, "session_revoked", () => laptop.RefreshAsync());

        using var again = _server.NewClient();
        await Refused.WithAsync(HttpStatusCode.Unauthorized, "invalid_credentials", () => again.LoginAsync(me.Phone!, "correct horse 1"));
        await again.LoginAsync(me.Phone!, "brand new pass");
    }

    [Fact]
    public async Task RequestsWithoutAValidTokenAreUnauthorizedProblems()
    {
        using var response = await _server.Http.GetAsync("api/v1/users/me");
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);

        using var forged = new HttpRequestMessage(HttpMethod.Get, "api/v1/users/me");
        forged.Headers.Authorization = new("Bearer", "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl");
        using var forgedResponse = await _server.Http.SendAsync(forged);
        Assert.Equal(HttpStatusCode.Unauthorized, forgedResponse.StatusCode);
    }

    [Fact]
    public async Task NeitherPasswordsNorTokensAppearInTheLog()
    {
        using var user = _server.NewClient();
        var password = $"pw-{Guid.NewGuid():N}";
        var result = await user.RegisterAsync(new RegisterRequest { Phone = _server.UniquePhone(), Password = password, Nickname = "quiet" });
        await user.RefreshAsync();
        await user.LoginAsync(result.User.Phone!, password);

        var log = string.Join('\n', _server.Log.Lines);
        Assert.DoesNotContain(password, log, StringComparison.Ordinal);
        Assert.DoesNotContain(result.RefreshToken, log, StringComparison.Ordinal);
        Assert.DoesNotContain(result.AccessToken, log, StringComparison.Ordinal);
    }
}
