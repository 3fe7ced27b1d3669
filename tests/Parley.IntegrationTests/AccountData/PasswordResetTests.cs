using System.Net;
using System.Net.WebSockets;
using Parley.Client;
using Parley.IntegrationTests.Infrastructure;

namespace Parley.IntegrationTests.AccountData;

/// <summary>API.md, "Account recovery": a code e-mailed (here, logged) to the account's address sets a new password and ends every session.</summary>
public sealed class PasswordResetTests(PasswordResetTests.Server fixture) : IClassFixture<PasswordResetTests.Server>
{
    /// <summary>Sign-up by e-mail without a code, so that the first code an address gets is the reset's (one code per address per cooldown).</summary>
    public sealed class Server : IAsyncLifetime
    {
        public TestServer Instance { get; private set; } = null!;

        public async Task InitializeAsync() =>
            Instance = await TestServer.StartAsync(new Dictionary<string, string?> { ["Accounts:RequireEmailVerification"] = "false" });

        public async Task DisposeAsync() => await Instance.DisposeAsync();
    }

    private readonly TestServer _server = fixture.Instance;

    private async Task<(ParleyClient Client, string Email, string Phone)> NewEmailUserAsync(string password = "old password 1")
    {
        var email = TestServer.UniqueEmail();
        var client = _server.NewClient();
        var phone = _server.UniquePhone();
        await client.RegisterAsync(new RegisterRequest
        {
            Email = email, Phone = phone, Password = password, Nickname = "forgetful",
        });
        return (client, email, phone);
    }

    /// <summary>The reset code logged for the address (the e-mail is sent before the request is answered).</summary>
    private string CodeSentTo(string email)
    {
        Assert.Contains(_server.Log.Lines, l => l.Contains($"e-mail to {email} not sent", StringComparison.Ordinal) && l.Contains("password reset", StringComparison.Ordinal));
        return _server.LastCodeSentTo(email);
    }

    [Fact]
    public async Task AResetCodeSetsANewPasswordAndEndsEverySessionAndSocket()
    {
        var (phone, email, phoneNumber) = await NewEmailUserAsync();
        using var laptop = _server.NewClient();
        await laptop.LoginAsync(email, "old password 1");
        await using var socket = await ParleyRealtime.ConnectAsync(laptop);

        using var stranger = _server.NewClient();
        // By phone number: the code still goes to the account's e-mail address.
        await stranger.RequestPasswordResetAsync(phoneNumber);
        var code = CodeSentTo(email);
        await stranger.ConfirmPasswordResetAsync(phoneNumber, code, "new password 2");

        await socket.Closed.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(WebSocketCloseStatus.PolicyViolation, socket.CloseStatus);
        foreach (var device in new[] { phone, laptop })
        {
            await Refused.WithAsync(HttpStatusCode.Unauthorized, "unauthorized", () => device.GetMeAsync());
            await Refused.WithAsync(HttpStatusCode.Unauthorized, "session_revoked", () => device.RefreshAsync());
        }
        using var again = _server.NewClient();
        await Refused.WithAsync(HttpStatusCode.Unauthorized, "invalid_credentials", () => again.LoginAsync(email, "old password 1"));
        await again.LoginAsync(email, "new password 2");
        phone.Dispose();
    }

    [Fact]
    public async Task ACodeWorksOnceAndAWrongOneIsInvalid()
    {
        var (client, email, _) = await NewEmailUserAsync();
        client.Dispose();
        using var stranger = _server.NewClient();
        await stranger.RequestPasswordResetAsync(email.ToUpperInvariant());
        var code = CodeSentTo(email);
        var wrong = code == "000000" ? "111111" : "000000";

        await Refused.WithAsync(HttpStatusCode.BadRequest, "invalid_code", () => stranger.ConfirmPasswordResetAsync(email, wrong, "new password 2"));
        await stranger.ConfirmPasswordResetAsync(email, code, "new password 2");
        await Refused.WithAsync(HttpStatusCode.BadRequest, "invalid_code", () => stranger.ConfirmPasswordResetAsync(email, code, "new password 3"));
        await stranger.LoginAsync(email, "new password 2");
    }

    [Fact]
    public async Task TooManyWrongGuessesKillTheCode()
    {
        var (client, email, _) = await NewEmailUserAsync();
        client.Dispose();
        using var stranger = _server.NewClient();
        await stranger.RequestPasswordResetAsync(email);
        var code = CodeSentTo(email);
        var wrong = code == "000000" ? "111111" : "000000";
        for (var i = 0; i < 5; i++)
            await Refused.WithAsync(HttpStatusCode.BadRequest, "invalid_code", () => stranger.ConfirmPasswordResetAsync(email, wrong, "new password 2"));
        await Refused.WithAsync(HttpStatusCode.BadRequest, "invalid_code", () => stranger.ConfirmPasswordResetAsync(email, code, "new password 2"));
        await stranger.LoginAsync(email, "old password 1");
    }

    [Fact]
    public async Task AnUnknownLoginGetsTheSameAnswerAndNoMail()
    {
        using var stranger = _server.NewClient();
        var nobody = TestServer.UniqueEmail();
        using var response = await stranger.SendRawAsync(HttpMethod.Post, "api/v1/auth/password-reset", new { login = nobody }, authenticated: false);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.DoesNotContain(_server.Log.Lines, l => l.Contains(nobody, StringComparison.Ordinal));
        await Refused.WithAsync(HttpStatusCode.BadRequest, "invalid_code", () => stranger.ConfirmPasswordResetAsync(nobody, "123456", "new password 2"));
        // The per-address limit counts logins, not accounts: it tells nothing either.
        await Refused.WithAsync(HttpStatusCode.TooManyRequests, "rate_limited", () => stranger.RequestPasswordResetAsync(nobody));
    }

    [Fact]
    public async Task AskingAgainForTheSameAddressAtOnceIsRateLimited()
    {
        var (client, email, _) = await NewEmailUserAsync();
        client.Dispose();
        using var stranger = _server.NewClient();
        await stranger.RequestPasswordResetAsync(email);
        await Refused.WithAsync(HttpStatusCode.TooManyRequests, "rate_limited", () => stranger.RequestPasswordResetAsync(email));
    }

    [Fact]
    public async Task ABadNewPasswordIsRefusedWithoutUsingTheCode()
    {
        var (client, email, _) = await NewEmailUserAsync();
        client.Dispose();
        using var stranger = _server.NewClient();
        await stranger.RequestPasswordResetAsync(email);
        var code = CodeSentTo(email);
        await Refused.WithAsync(HttpStatusCode.BadRequest, "validation_failed", () => stranger.ConfirmPasswordResetAsync(email, code, "short"));
        await stranger.ConfirmPasswordResetAsync(email, code, "long enough now");
    }
}
