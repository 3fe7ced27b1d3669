using System.Text.RegularExpressions;
using Parley.Client;
using Parley.IntegrationTests.Infrastructure;

namespace Parley.IntegrationTests.Accounts;

public sealed partial class EmailDeliveryTests
{
    [Fact]
    public async Task WithSmtpConfiguredTheCodeIsMailedAndNotLogged()
    {
        await using var smtp = new SmtpSink();
        await using var server = await TestServer.StartAsync(new Dictionary<string, string?>
        {
            ["Smtp:Host"] = "127.0.0.1",
            ["Smtp:Port"] = smtp.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Smtp:Security"] = "None",
            ["Smtp:From"] = "Parley <codes@parley.test>",
        });
        var email = TestServer.UniqueEmail();
        using var client = server.NewClient();
        await client.RequestVerificationCodeAsync(email);

        var (recipient, data) = Assert.Single(smtp.Messages);
        Assert.Equal(email, recipient);
        Assert.Contains("From: Parley <codes@parley.test>", data, StringComparison.Ordinal);
        var code = Code().Match(data).Groups[1].Value;
        Assert.Matches(@"^\d{6}$", code);
        Assert.DoesNotContain(server.Log.Lines, l => l.Contains(code, StringComparison.Ordinal));

        var registered = await client.RegisterAsync(new RegisterRequest { Email = email, Password = "mailed code 1", Nickname = "mailed", Code = code });
        Assert.Equal(email, registered.User.Email);
    }

    [GeneratedRegex(@"verification code is (\d{6})")]
    private static partial Regex Code();
}
