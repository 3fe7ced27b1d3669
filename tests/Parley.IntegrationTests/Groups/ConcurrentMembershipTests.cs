using System.Net;
using Parley.Client;
using Parley.IntegrationTests.Infrastructure;

namespace Parley.IntegrationTests.Groups;

/// <summary>A server whose groups hold at most eight members, for the races at the limit.</summary>
public sealed class EightMemberGroupsServerFixture : IAsyncLifetime
{
    public const int MaxMembers = 8;

    public TestServer Server { get; private set; } = null!;

    public async Task InitializeAsync() =>
        Server = await TestServer.StartAsync(new Dictionary<string, string?> { ["Groups:MaxMembers"] = MaxMembers.ToString() });

    public async Task DisposeAsync() => await Server.DisposeAsync();
}

/// <summary>
/// Membership changes that race: the member limit and the one-pending-request and handle-once rules must
/// hold when requests arrive at the same moment, and none of them may end in a 500.
/// </summary>
public sealed class ConcurrentMembershipTests(EightMemberGroupsServerFixture fixture) : IClassFixture<EightMemberGroupsServerFixture>
{
    private readonly TestServer _server = fixture.Server;

    [Fact]
    public async Task ManyPeopleJoiningAnOpenGroupAtOnceNeverTakeItPastTheLimit()
    {
        const int askers = 24;
        using var owner = await _server.NewUserAsync("owner");
        var group = await owner.CreateGroupAsync("Rush", joinApproval: false);
        var people = new List<ParleyClient>();
        try
        {
            for (var i = 0; i < askers; i++) people.Add(await _server.NewUserAsync($"asker {i}"));

            var outcomes = await AllAtOnceAsync(people, person => person.RequestToJoinGroupAsync(group.Id));

            Assert.DoesNotContain(outcomes, o => o.Status >= HttpStatusCode.InternalServerError);
            var joined = outcomes.Where(o => o.Status == HttpStatusCode.OK).Select(o => o.Person.UserId).ToList();
            var refused = outcomes.Where(o => o.Status != HttpStatusCode.OK).ToList();
            Assert.All(refused, o => Assert.Equal((HttpStatusCode.Conflict, "group_full"), (o.Status, o.Code)));
            // Everyone who was turned away was turned away because the group was full, so exactly the free places were taken.
            Assert.Equal(EightMemberGroupsServerFixture.MaxMembers - 1, joined.Count);

            var members = await owner.MembersByIdAsync(group.Id);
            Assert.Equal(EightMemberGroupsServerFixture.MaxMembers, members.Count);
            Assert.Equal(joined.Append(owner.UserId).Order(), members.Keys.Order());
            Assert.Equal(EightMemberGroupsServerFixture.MaxMembers, (await owner.GetGroupAsync(group.Id)).MemberCount);
        }
        finally
        {
            foreach (var person in people) person.Dispose();
        }
    }

    [Fact]
    public async Task AskingToJoinSeveralTimesAtOnceMakesOnePendingRequest()
    {
        using var owner = await _server.NewUserAsync("owner");
        using var asker = await _server.NewUserAsync("asker");
        var group = await owner.CreateGroupAsync("Approval needed", joinApproval: true);

        var requests = new JoinRequestView?[6];
        var outcomes = await AllAtOnceAsync(Enumerable.Range(0, requests.Length).ToList(),
            async i => requests[i] = await asker.RequestToJoinGroupAsync(group.Id, $"try {i}"));

        Assert.All(outcomes, o => Assert.Equal(HttpStatusCode.OK, o.Status));
        var pending = Assert.Single(await owner.GetJoinRequestsAsync(group.Id));
        Assert.Equal(RequestStatus.Pending, pending.Status);
        Assert.All(requests, r => Assert.Equal(pending.Id, r?.Id));
    }

    [Fact]
    public async Task TheOwnerAndAnAdminAcceptingOneRequestAtOnceAddTheMemberOnce()
    {
        using var cast = await GroupCast.StartAsync(_server, joinApproval: true);
        using var asker = await _server.NewUserAsync("asker");
        var request = await asker.RequestToJoinGroupAsync(cast.GroupId);

        var outcomes = await AllAtOnceAsync(new[] { cast.Owner, cast.Admin }, handler => handler.AcceptJoinRequestAsync(cast.GroupId, request.Id));

        Assert.Single(outcomes, o => o.Status == HttpStatusCode.OK);
        Assert.Single(outcomes, o => (o.Status, o.Code) == (HttpStatusCode.Conflict, "request_already_handled"));
        var members = await cast.Owner.GetGroupMembersAsync(cast.GroupId);
        Assert.Equal(4, members.Count);
        Assert.Single(members, m => m.UserId == asker.UserId);
    }

    [Fact]
    public async Task TransferringOwnershipToTwoPeopleAtOnceLeavesOneOwner()
    {
        using var cast = await GroupCast.StartAsync(_server);
        // The owner on a second device, so that each call goes out on its own warm connection.
        using var ownersPhone = _server.NewClient();
        await ownersPhone.LoginAsync((await cast.Owner.GetMeAsync()).Phone!, "correct horse 1");
        var devices = new Dictionary<string, ParleyClient> { [cast.Admin.UserId] = cast.Owner, [cast.Member.UserId] = ownersPhone };

        var outcomes = await AllAtOnceAsync(new[] { cast.Admin, cast.Member },
            heir => devices[heir.UserId].SetGroupRoleAsync(cast.GroupId, heir.UserId, GroupRole.Owner));

        var heir = Assert.Single(outcomes, o => o.Status == HttpStatusCode.OK).Person;
        Assert.Single(outcomes, o => (o.Status, o.Code) == (HttpStatusCode.Forbidden, "not_group_owner"));
        var owner = Assert.Single(await cast.Owner.GetGroupMembersAsync(cast.GroupId), m => m.Role == GroupRole.Owner);
        Assert.Equal(heir.UserId, owner.UserId);
        Assert.Equal(heir.UserId, (await cast.Owner.GetGroupAsync(cast.GroupId)).OwnerId);
    }

    private sealed record Outcome<T>(T Person, HttpStatusCode Status, string? Code);

    /// <summary>Runs <paramref name="call"/> for every item, released together, and records how each answered.</summary>
    private static async Task<List<Outcome<T>>> AllAtOnceAsync<T>(IReadOnlyList<T> items, Func<T, Task> call)
    {
        var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var running = items.Select(item => Task.Run(async () =>
        {
            await start.Task;
            try
            {
                await call(item);
                return new Outcome<T>(item, HttpStatusCode.OK, null);
            }
            catch (ParleyApiException refusal)
            {
                return new Outcome<T>(item, refusal.Status, refusal.Code);
            }
        })).ToList();
        start.SetResult();
        return [.. await Task.WhenAll(running)];
    }
}
