using System.Net;
using Parley.Client;
using Parley.IntegrationTests.Infrastructure;

namespace Parley.IntegrationTests.Accounts;

public sealed class RegistrationTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private readonly TestServer _server = fixture.Server;

    [Fact]
    public async Task RegisteringByPhoneReturnsTokensAndTheProfileWithTheNumberInE164()
    {
        using var client = _server.NewClient();
        var suffix = Random.Shared.Next(10_000_000, 99_999_999);
        var result = await client.RegisterAsync(new RegisterRequest
        {
            Phone = $"138 {suffix / 10000:D4}-{suffix % 10000:D4}", Password = "s3cret-pass", Nickname = "  Alice  ", Sex = Sex.Female,
        });

        Assert.False(string.IsNullOrEmpty(result.AccessToken));
        Assert.False(string.IsNullOrEmpty(result.RefreshToken));
        Assert.True(result.ExpiresAt > DateTimeOffset.UtcNow);
        Assert.Equal($"+86138{suffix}", result.User.Phone);
        Assert.Equal("Alice", result.User.Nickname);
        Assert.Equal(Sex.Female, result.User.Sex);
        Assert.True(long.TryParse(result.User.Id, out _), "ids are decimal strings");

        var me = await client.GetMeAsync();
        Assert.Equal(result.User, me);
    }

    [Fact]
    public async Task TheSamePhoneInAnotherFormatIsTaken()
    {
        using var first = _server.NewClient();
        var phone = _server.UniquePhone();
        await first.RegisterAsync(new RegisterRequest { Phone = phone, Password = "s3cret-pass", Nickname = "first" });

        using var second = _server.NewClient();
        var local = phone["+86".Length..];
        await Refused.WithAsync(HttpStatusCode.Conflict, "phone_taken", () =>
            second.RegisterAsync(new RegisterRequest { Phone = $"0086 {local}", Password = "s3cret-pass", Nickname = "second" }));
    }

    [Fact]
    public async Task UsernamesAreUniqueWithoutRegardToCase()
    {
        var handle = $"Han_{Random.Shared.Next(1_000_000)}";
        using var first = _server.NewClient();
        await first.RegisterAsync(new RegisterRequest { Phone = _server.UniquePhone(), Username = handle, Password = "s3cret-pass", Nickname = "a" });
        using var second = _server.NewClient();
        await Refused.WithAsync(HttpStatusCode.Conflict, "username_taken", () => second.RegisterAsync(new RegisterRequest
        {
            Phone = _server.UniquePhone(), Username = handle.ToUpperInvariant(), Password = "s3cret-pass", Nickname = "b",
        }));
    }

    [Theory]
    [InlineData("phone", "not-a-phone", "s3cret-pass", "nick", null)]
    [InlineData("phone", "12", "s3cret-pass", "nick", null)]
    [InlineData("password", null, "short", "nick", null)]
    [InlineData("nickname", null, "s3cret-pass", "   ", null)]
    [InlineData("username", null, "s3cret-pass", "nick", "no spaces allowed")]
    [InlineData("username", null, "s3cret-pass", "nick", "ab")]
    public async Task MalformedFieldsAreRefusedNamingTheField(string field, string? phone, string password, string nickname, string? username)
    {
        using var client = _server.NewClient();
        var refusal = await Refused.WithAsync(HttpStatusCode.BadRequest, "validation_failed", () => client.RegisterAsync(new RegisterRequest
        {
            Phone = phone ?? _server.UniquePhone(), Password = password, Nickname = nickname, Username = username,
        }));
        Assert.NotNull(refusal.Errors);
        Assert.Contains(field, refusal.Errors!.Keys);
    }

    [Fact]
    public async Task APhoneOrAnEmailIsRequired()
    {
        using var client = _server.NewClient();
        await Refused.WithAsync(HttpStatusCode.BadRequest, "validation_failed", () =>
            client.RegisterAsync(new RegisterRequest { Password = "s3cret-pass", Nickname = "nobody" }));
    }

    [Fact]
    public async Task APasswordLongerThanBcryptReadsIsRefusedRatherThanCut()
    {
        using var client = _server.NewClient();
        await Refused.WithAsync(HttpStatusCode.BadRequest, "validation_failed", () => client.RegisterAsync(new RegisterRequest
        {
            Phone = _server.UniquePhone(), Password = new string('x', 73), Nickname = "long",
        }));
    }

    [Fact]
    public async Task EmailSignUpNeedsTheCodeThatWasEmailed()
    {
        var email = TestServer.UniqueEmail();
        using var client = _server.NewClient();
        await Refused.WithAsync(HttpStatusCode.BadRequest, "validation_failed", () =>
            client.RegisterAsync(new RegisterRequest { Email = email, Password = "s3cret-pass", Nickname = "mail" }));

        var sent = await client.RequestVerificationCodeAsync(email.ToUpperInvariant());
        Assert.True(sent.ExpiresAt > DateTimeOffset.UtcNow);
        var code = _server.LastCodeSentTo(email);
        var wrong = code == "000000" ? "111111" : "000000";
        await Refused.WithAsync(HttpStatusCode.BadRequest, "invalid_code", () =>
            client.RegisterAsync(new RegisterRequest { Email = email, Password = "s3cret-pass", Nickname = "mail", Code = wrong }));

        var result = await client.RegisterAsync(new RegisterRequest { Email = email, Password = "s3cret-pass", Nickname = "mail", Code = code });
        Assert.Equal(email, result.User.Email);

        using var again = _server.NewClient();
        await Refused.WithAsync(HttpStatusCode.Conflict, "email_taken", () =>
            again.RegisterAsync(new RegisterRequest { Email = email, Password = "s3cret-pass", Nickname = "again", Code = code }));
    }

    [Fact]
    public async Task AVerificationCodeWorksOnlyOnce()
    {
        var email = TestServer.UniqueEmail();
        using var client = _server.NewClient();
        await client.RequestVerificationCodeAsync(email);
        var code = _server.LastCodeSentTo(email);
        await client.RegisterAsync(new RegisterRequest { Email = email, Phone = null, Password = "s3cret-pass", Nickname = "once", Code = code });

        // The address is now taken, so try the code for a different purpose: another account with the same code.
        using var other = _server.NewClient();
        var otherEmail = TestServer.UniqueEmail();
        await Refused.WithAsync(HttpStatusCode.BadRequest, "invalid_code", () =>
            other.RegisterAsync(new RegisterRequest { Email = otherEmail, Password = "s3cret-pass", Nickname = "other", Code = code }));
    }

    [Fact]
    public async Task ACodeDiesAfterFiveWrongGuesses()
    {
        var email = TestServer.UniqueEmail();
        using var client = _server.NewClient();
        await client.RequestVerificationCodeAsync(email);
        var code = _server.LastCodeSentTo(email);
        var wrong = code == "123456" ? "654321" : "123456";
        for (var i = 0; i < 5; i++)
            await Refused.WithAsync(HttpStatusCode.BadRequest, "invalid_code", () =>
                client.RegisterAsync(new RegisterRequest { Email = email, Password = "s3cret-pass", Nickname = "guess", Code = wrong }));

        await Refused.WithAsync(HttpStatusCode.BadRequest, "invalid_code", () =>
            client.RegisterAsync(new RegisterRequest { Email = email, Password = "s3cret-pass", Nickname = "guess", Code = code }));
    }

    [Fact]
    public async Task ASecondCodeForTheSameAddressTooSoonIsRateLimited()
    {
        var email = TestServer.UniqueEmail();
        using var client = _server.NewClient();
        await client.RequestVerificationCodeAsync(email);
        var refusal = await Refused.WithAsync(HttpStatusCode.TooManyRequests, "rate_limited", () => client.RequestVerificationCodeAsync(email));
        Assert.NotNull(refusal.RetryAfter);
        Assert.InRange(refusal.RetryAfter!.Value.TotalSeconds, 1, 60);
    }

    [Fact]
    public async Task ACodeForAnAddressAlreadyRegisteredIsRefused()
    {
        var email = TestServer.UniqueEmail();
        using var client = _server.NewClient();
        await client.RequestVerificationCodeAsync(email);
        await client.RegisterAsync(new RegisterRequest { Email = email, Password = "s3cret-pass", Nickname = "x", Code = _server.LastCodeSentTo(email) });
        await Refused.WithAsync(HttpStatusCode.Conflict, "email_taken", () => _server.NewClient().RequestVerificationCodeAsync(email));
    }

    [Fact]
    public async Task AMalformedAddressGetsNoCode()
    {
        using var client = _server.NewClient();
        await Refused.WithAsync(HttpStatusCode.BadRequest, "validation_failed", () => client.RequestVerificationCodeAsync("not-an-address"));
    }

    [Fact]
    public async Task ConcurrentSignUpsWithOnePhoneMakeOneAccount()
    {
        var phone = _server.UniquePhone();
        var attempts = Enumerable.Range(0, 8).Select(async i =>
        {
            using var client = _server.NewClient();
            try
            {
                await client.RegisterAsync(new RegisterRequest { Phone = phone, Password = "s3cret-pass", Nickname = $"racer{i}" });
                return "created";
            }
            catch (ParleyApiException e) when (e.Status == HttpStatusCode.Conflict)
            {
                return e.Code;
            }
        });
        var outcomes = await Task.WhenAll(attempts);
        Assert.Equal(1, outcomes.Count(o => o == "created"));
        Assert.All(outcomes.Where(o => o != "created"), o => Assert.Equal("phone_taken", o));
    }
}
