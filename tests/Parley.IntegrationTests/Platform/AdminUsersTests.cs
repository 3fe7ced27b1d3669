using System.Net;
using System.Net.WebSockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Parley.Client;
using Parley.IntegrationTests.Infrastructure;
using Parley.IntegrationTests.ScaleOut;

namespace Parley.IntegrationTests.Platform;

/// <summary>The product's users: import, look-up, minted tokens, bans.</summary>
public sealed class AdminUsersTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private TestServer Server => fixture.Server;

    [Fact]
    public async Task AnImportedUserIsFoundByItsExternalIdAndSignsInWithMintedTokens()
    {
        using var admin = await Server.NewAdminAsync();
        var externalId = PlatformKit.UniqueExternalId();
        var created = await admin.CreateUserAsync(new CreateUserRequest { ExternalId = externalId, Nickname = "Imported", Username = $"imp{Random.Shared.Next(1_000_000)}" });
        Assert.Equal((externalId, false, false, false), (created.ExternalId, created.Bot, created.Banned, created.Online));

        Assert.Equal(created, await admin.GetUserByExternalIdAsync(externalId));
        Assert.Equal(created.Id, (await admin.GetUserAsync(created.Id)).Id);
        await Refused.WithAsync(HttpStatusCode.NotFound, "user_not_found", () => admin.GetUserByExternalIdAsync("nobody-" + externalId));
        await Refused.WithAsync(HttpStatusCode.Conflict, "external_id_taken",
            () => admin.CreateUserAsync(new CreateUserRequest { ExternalId = externalId, Nickname = "Twin" }));
        await Refused.WithAsync(HttpStatusCode.BadRequest, "validation_failed", () => admin.CreateUserAsync(new CreateUserRequest { Nickname = " " }));

        using var app = await Server.SignInAsync(admin, created.Id);
        Assert.Equal(created.Id, (await app.GetMeAsync()).Id);
        await app.RefreshAsync();
        await using var socket = await ParleyRealtime.ConnectAsync(app);
        await socket.RequestAsync("ping", null);
        Assert.True((await admin.GetUserAsync(created.Id)).Online);
    }

    [Fact]
    public async Task ThirtyTwoImportsAtOnceAllAnswer201AndEveryUserIsStored()
    {
        using var admin = await Server.NewAdminAsync();
        var externalIds = Enumerable.Range(0, 32).Select(_ => PlatformKit.UniqueExternalId()).ToList();

        // All at once, as a product's back end importing its users does (bench/broadcast.sh saw "database is locked" here).
        var answers = await Task.WhenAll(externalIds.Select(async externalId =>
        {
            using var response = await admin.SendRawAsync(HttpMethod.Post, "api/v1/admin/users",
                new CreateUserRequest { ExternalId = externalId, Nickname = "Burst" });
            return (response.StatusCode, Body: await response.Content.ReadAsStringAsync());
        }));

        var failed = answers.Where(a => a.StatusCode != HttpStatusCode.Created).ToList();
        Assert.True(failed.Count == 0, $"{failed.Count} of 32 imports failed: {string.Join(" | ", failed.Select(f => $"{(int)f.StatusCode} {f.Body}").Distinct())}\n"
            + string.Join("\n", Server.Log.Lines.Where(l => l.Contains("locked", StringComparison.OrdinalIgnoreCase)).Take(2)));
        foreach (var externalId in externalIds)
            Assert.Equal(externalId, (await admin.GetUserByExternalIdAsync(externalId)).ExternalId);
    }

    [Fact]
    public async Task AUserMadeWithoutAPasswordCannotSignInWithAny()
    {
        using var admin = await Server.NewAdminAsync();
        var username = $"nopw{Random.Shared.Next(1_000_000)}";
        await admin.CreateUserAsync(new CreateUserRequest { Nickname = "No password", Username = username });
        using var client = Server.NewClient();
        await Refused.WithAsync(HttpStatusCode.Unauthorized, "invalid_credentials", () => client.LoginAsync(username, "anything at all"));
    }

    [Fact]
    public async Task ABanEndsSessionsAndSocketsAndRefusesEveryWayInUntilLifted()
    {
        using var admin = await Server.NewAdminAsync();
        var username = $"ban{Random.Shared.Next(1_000_000)}";
        var user = await admin.CreateUserAsync(new CreateUserRequest { Nickname = "Abuser", Username = username, Password = "correct horse 1" });
        using var app = Server.NewClient();
        await app.LoginAsync(username, "correct horse 1");
        await using var socket = await ParleyRealtime.ConnectAsync(app);
        await socket.RequestAsync("ping", null);

        var banned = await admin.BanAsync(user.Id, reason: "spam");
        Assert.Equal((true, (DateTimeOffset?)null, "spam"), (banned.Banned, banned.BannedUntil, banned.BanReason));
        await socket.Closed.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(WebSocketCloseStatus.PolicyViolation, socket.CloseStatus);
        await Refused.WithAsync(HttpStatusCode.Unauthorized, "unauthorized", () => app.GetMeAsync());
        await Refused.WithAsync(HttpStatusCode.Forbidden, "account_banned", () => app.RefreshAsync());
        await Refused.WithAsync(HttpStatusCode.Forbidden, "account_banned", () => Server.NewClient().LoginAsync(username, "correct horse 1"));
        await Refused.WithAsync(HttpStatusCode.Forbidden, "account_banned", () => admin.MintTokensAsync(user.Id));
        await Refused.WithAsync(HttpStatusCode.Forbidden, "account_banned", () => admin.SendMessageAsync(new AdminMessageRequest
        {
            SenderId = user.Id, To = SendTarget.User(user.Id), ClientMsgId = "banned-1", Type = "text", Content = "hi",
        }));

        Assert.False((await admin.UnbanAsync(user.Id)).Banned);
        using var again = Server.NewClient();
        await again.LoginAsync(username, "correct horse 1");
        using var minted = await Server.SignInAsync(admin, user.Id);
        Assert.Equal(user.Id, (await minted.GetMeAsync()).Id);
    }

    [Fact]
    public async Task ABanEndsOnItsOwnWhenUntilPassesWithoutARestart()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var server = await TestServer.StartAsync(adjust: builder => builder.Services.AddSingleton<TimeProvider>(clock));
        using var admin = await server.NewAdminAsync();
        var username = $"tmp{Random.Shared.Next(1_000_000)}";
        var user = await admin.CreateUserAsync(new CreateUserRequest { Nickname = "Cooling off", Username = username, Password = "correct horse 1" });
        var until = clock.GetUtcNow().AddHours(1);

        var banned = await admin.BanAsync(user.Id, until);
        Assert.Equal(until.ToUnixTimeMilliseconds(), banned.BannedUntil?.ToUnixTimeMilliseconds());
        await Refused.WithAsync(HttpStatusCode.Forbidden, "account_banned", () => server.NewClient().LoginAsync(username, "correct horse 1"));
        await Refused.WithAsync(HttpStatusCode.BadRequest, "validation_failed", () => admin.BanAsync(user.Id, clock.GetUtcNow().AddMinutes(-1)));

        clock.Advance(TimeSpan.FromHours(1) + TimeSpan.FromSeconds(1));
        Assert.False((await admin.GetUserAsync(user.Id)).Banned);
        using var back = server.NewClient();
        await back.LoginAsync(username, "correct horse 1");
    }

    [Fact]
    public async Task ABanOnOneNodeClosesTheUsersSocketsOnTheOther()
    {
        await using var nodes = await TwoNodes.StartAsync();
        using var admin = await nodes.A.NewAdminAsync();
        var user = await admin.CreateUserAsync(new CreateUserRequest { Nickname = "Roams", ExternalId = PlatformKit.UniqueExternalId() });
        using var onB = await nodes.B.SignInAsync(admin, user.Id);
        await using var device = await TwoNodes.ConnectAsync(onB);

        await admin.BanAsync(user.Id);
        await device.Closed.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(WebSocketCloseStatus.PolicyViolation, device.CloseStatus);
    }

    [Fact]
    public async Task ErasingAnAccountEndsItsSessionsAndFreesItsExternalIdAsDeletingItselfWould()
    {
        using var admin = await Server.NewAdminAsync();
        var externalId = PlatformKit.UniqueExternalId();
        var user = await admin.CreateUserAsync(new CreateUserRequest { ExternalId = externalId, Nickname = "Goes" });
        using var app = await Server.SignInAsync(admin, user.Id);
        await using var device = await ParleyRealtime.ConnectAsync(app);
        await device.RequestAsync("ping", null);

        await admin.DeleteUserAsync(user.Id);

        await Refused.WithAsync(HttpStatusCode.Unauthorized, "unauthorized", () => app.GetMeAsync());
        Assert.Equal("Deleted account", (await admin.GetUserAsync(user.Id)).Nickname);
        await Refused.WithAsync(HttpStatusCode.NotFound, "user_not_found", () => admin.DeleteUserAsync(user.Id));
        Assert.NotEqual(user.Id, (await admin.CreateUserAsync(new CreateUserRequest { ExternalId = externalId, Nickname = "Again" })).Id);
    }
}
