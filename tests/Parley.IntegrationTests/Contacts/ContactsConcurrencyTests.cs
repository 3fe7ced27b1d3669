using System.Net;
using Parley.Client;
using Parley.IntegrationTests.Infrastructure;

namespace Parley.IntegrationTests.Contacts;

/// <summary>
/// Many calls between the same two people at once, as happens when both tap "add" or a client retries:
/// whatever the interleaving, there is one request and one friendship, and every call gets a clean answer.
/// Each scenario runs a few rounds on fresh pairs, since one round may happen not to interleave.
/// </summary>
public sealed class ContactsConcurrencyTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private const int Callers = 10;
    private const int Rounds = 3;
    private readonly TestServer _server = fixture.Server;

    [Fact]
    public async Task ConcurrentCrossedAndRepeatedRequestsMakeExactlyOneFriendship()
    {
        for (var round = 0; round < Rounds; round++)
        {
            using var alice = await _server.NewUserAsync("alice");
            using var bob = await _server.NewUserAsync("bob");

            var answers = await AllAtOnceAsync(Enumerable.Range(0, Callers).SelectMany(i => new Func<Task<RawAnswer>>[]
            {
                () => RawAnswer.AskAsync(alice, bob.UserId, $"alice {i}"),
                () => RawAnswer.AskAsync(bob, alice.UserId, $"bob {i}"),
            }));

            AssertEveryAnswerIsClean(answers);
            AssertRefusalsAre(answers, (HttpStatusCode.Conflict, "already_friends"));
            AssertCount(1, answers, a => a.Status == HttpStatusCode.Created, "201 Created");
            var requests = answers.Where(a => a.Succeeded).Select(a => a.As<FriendRequestView>()).ToList();
            Assert.Single(requests.Select(r => r.Id).Distinct());
            Assert.Contains(requests, r => r.Status == RequestStatus.Accepted);
            await AssertFriendsOnceEachWayAsync(alice, bob);
            await AssertOneRequestBetweenAsync(alice, bob, RequestStatus.Accepted);
        }
    }

    [Fact]
    public async Task ConcurrentRepeatedRequestsOneWayMakeOnePendingRequest()
    {
        for (var round = 0; round < Rounds; round++)
        {
            using var alice = await _server.NewUserAsync();
            using var bob = await _server.NewUserAsync();

            var answers = await AllAtOnceAsync(Enumerable.Range(0, Callers)
                .Select(i => (Func<Task<RawAnswer>>)(() => RawAnswer.AskAsync(alice, bob.UserId, $"try {i}"))));

            AssertEveryAnswerIsClean(answers);
            Assert.All(answers, a => Assert.True(a.Succeeded, $"every repeat succeeds, but got {a}"));
            AssertCount(1, answers, a => a.Status == HttpStatusCode.Created, "201 Created");
            Assert.Single(answers.Select(a => a.As<FriendRequestView>().Id).Distinct());
            await AssertOneRequestBetweenAsync(alice, bob, RequestStatus.Pending);
            Assert.Empty(await alice.GetFriendsAsync());
        }
    }

    [Fact]
    public async Task ConcurrentAcceptsOfOneRequestMakeExactlyOneFriendship()
    {
        for (var round = 0; round < Rounds; round++)
        {
            using var alice = await _server.NewUserAsync();
            using var bob = await _server.NewUserAsync();
            var sent = await alice.SendFriendRequestAsync(bob.UserId);

            var answers = await AllAtOnceAsync(Enumerable.Range(0, Callers)
                .Select(_ => (Func<Task<RawAnswer>>)(() => RawAnswer.SendAsync(bob, HttpMethod.Post, $"api/v1/friend-requests/{sent.Id}/accept"))));

            AssertEveryAnswerIsClean(answers);
            AssertRefusalsAre(answers, (HttpStatusCode.Conflict, "request_already_handled"));
            var accepted = SingleSuccess(answers).As<FriendRequestView>();
            Assert.Equal(sent.Id, accepted.Id);
            Assert.Equal(RequestStatus.Accepted, accepted.Status);
            await AssertFriendsOnceEachWayAsync(alice, bob);
            await AssertOneRequestBetweenAsync(alice, bob, RequestStatus.Accepted);
        }
    }

    [Fact]
    public async Task ConcurrentAcceptsAndRejectsOfOneRequestHaveOneWinner()
    {
        for (var round = 0; round < Rounds; round++)
        {
            using var alice = await _server.NewUserAsync();
            using var bob = await _server.NewUserAsync();
            var sent = await alice.SendFriendRequestAsync(bob.UserId);

            var answers = await AllAtOnceAsync(Enumerable.Range(0, Callers).Select(i => (Func<Task<RawAnswer>>)(() =>
                RawAnswer.SendAsync(bob, HttpMethod.Post, $"api/v1/friend-requests/{sent.Id}/{(i % 2 == 0 ? "accept" : "reject")}"))));

            AssertEveryAnswerIsClean(answers);
            AssertRefusalsAre(answers, (HttpStatusCode.Conflict, "request_already_handled"));
            var winner = SingleSuccess(answers).As<FriendRequestView>();
            await AssertOneRequestBetweenAsync(alice, bob, winner.Status);
            if (winner.Status == RequestStatus.Accepted)
            {
                await AssertFriendsOnceEachWayAsync(alice, bob);
            }
            else
            {
                Assert.Equal(RequestStatus.Rejected, winner.Status);
                Assert.Empty(await alice.GetFriendsAsync());
                Assert.Empty(await bob.GetFriendsAsync());
            }
        }
    }

    [Fact]
    public async Task ConcurrentAcceptsAndAskingBackMakeExactlyOneFriendship()
    {
        for (var round = 0; round < Rounds; round++)
        {
            using var alice = await _server.NewUserAsync();
            using var bob = await _server.NewUserAsync();
            var sent = await alice.SendFriendRequestAsync(bob.UserId);

            var answers = await AllAtOnceAsync(Enumerable.Range(0, Callers).Select(i => (Func<Task<RawAnswer>>)(() => i % 2 == 0
                ? RawAnswer.SendAsync(bob, HttpMethod.Post, $"api/v1/friend-requests/{sent.Id}/accept")
                : RawAnswer.AskAsync(bob, alice.UserId, "yes!"))));

            AssertEveryAnswerIsClean(answers);
            AssertRefusalsAre(answers, (HttpStatusCode.Conflict, "request_already_handled"), (HttpStatusCode.Conflict, "already_friends"));
            var winner = SingleSuccess(answers).As<FriendRequestView>();
            Assert.Equal(sent.Id, winner.Id);
            Assert.Equal(RequestStatus.Accepted, winner.Status);
            await AssertFriendsOnceEachWayAsync(alice, bob);
            await AssertOneRequestBetweenAsync(alice, bob, RequestStatus.Accepted);
        }
    }

    [Fact]
    public async Task ConcurrentRemovalsFromBothSidesRemoveTheFriendshipOnce()
    {
        for (var round = 0; round < Rounds; round++)
        {
            using var alice = await _server.NewUserAsync();
            using var bob = await _server.NewUserAsync();
            await TestServer.MakeFriendsAsync(alice, bob);

            var answers = await AllAtOnceAsync(Enumerable.Range(0, Callers).Select(i => (Func<Task<RawAnswer>>)(() => i % 2 == 0
                ? RawAnswer.SendAsync(alice, HttpMethod.Delete, $"api/v1/friends/{bob.UserId}")
                : RawAnswer.SendAsync(bob, HttpMethod.Delete, $"api/v1/friends/{alice.UserId}"))));

            AssertEveryAnswerIsClean(answers);
            AssertRefusalsAre(answers, (HttpStatusCode.NotFound, "not_friends"));
            Assert.Equal(HttpStatusCode.NoContent, SingleSuccess(answers).Status);
            Assert.Empty(await alice.GetFriendsAsync());
            Assert.Empty(await bob.GetFriendsAsync());
        }
    }

    [Fact]
    public async Task ConcurrentBlocksOfOnePersonMakeOneBlock()
    {
        for (var round = 0; round < Rounds; round++)
        {
            using var alice = await _server.NewUserAsync();
            using var bob = await _server.NewUserAsync();

            var answers = await AllAtOnceAsync(Enumerable.Range(0, Callers)
                .Select(_ => (Func<Task<RawAnswer>>)(() => RawAnswer.SendAsync(alice, HttpMethod.Post, "api/v1/blocks", new { userId = bob.UserId }))));

            AssertEveryAnswerIsClean(answers);
            Assert.All(answers, a => Assert.True(a.Succeeded, $"every block succeeds, but got {a}"));
            Assert.All(answers, a => Assert.Equal(bob.UserId, a.As<BlockedUserView>().UserId));
            Assert.Equal(bob.UserId, Assert.Single(await alice.GetBlocksAsync()).UserId);
            await Refused.WithAsync(HttpStatusCode.Forbidden, "blocked", () => bob.SendFriendRequestAsync(alice.UserId));
        }
    }

    /// <summary>Starts every call together, behind one gate, and waits for all of them, but never for long.</summary>
    private static async Task<RawAnswer[]> AllAtOnceAsync(IEnumerable<Func<Task<RawAnswer>>> calls)
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var running = calls.Select(call => Task.Run(async () =>
        {
            await gate.Task;
            return await call();
        })).ToList();
        gate.SetResult();
        return await Task.WhenAll(running).WaitAsync(RawAnswer.Patience * 2);
    }

    private static void AssertCount(int expected, RawAnswer[] answers, Func<RawAnswer, bool> which, string what) =>
        Assert.True(answers.Count(which) == expected,
            $"expected {expected} answer(s) {what} but got {answers.Count(which)}:\n{string.Join("\n", answers.Select(a => a.ToString()))}");

    private static RawAnswer SingleSuccess(RawAnswer[] answers)
    {
        AssertCount(1, answers, a => a.Succeeded, "succeeding");
        return answers.Single(a => a.Succeeded);
    }

    /// <summary>No 5xx, and every refusal is a problem-details 4xx with a code.</summary>
    private static void AssertEveryAnswerIsClean(RawAnswer[] answers) =>
        Assert.All(answers, a => Assert.True(
            a.Succeeded || ((int)a.Status is >= 400 and < 500 && a.Code is not null),
            $"expected a success or a clean refusal, but got {a}"));

    private static void AssertRefusalsAre(RawAnswer[] answers, params (HttpStatusCode Status, string Code)[] allowed) =>
        Assert.All(answers.Where(a => !a.Succeeded), a => Assert.True(
            allowed.Contains((a.Status, a.Code!)),
            $"expected only {string.Join(" or ", allowed.Select(x => $"{(int)x.Status} {x.Code}"))}, but got {a}"));

    private static async Task AssertFriendsOnceEachWayAsync(ParleyClient a, ParleyClient b)
    {
        Assert.Equal([b.UserId], (await a.GetFriendsAsync()).Select(f => f.UserId));
        Assert.Equal([a.UserId], (await b.GetFriendsAsync()).Select(f => f.UserId));
    }

    /// <summary>Exactly one request exists between the two, in whichever direction, with this status.</summary>
    private static async Task AssertOneRequestBetweenAsync(ParleyClient a, ParleyClient b, RequestStatus status)
    {
        var sentByA = await a.GetFriendRequestsAsync("outgoing");
        var sentByB = await b.GetFriendRequestsAsync("outgoing");
        var all = sentByA.Concat(sentByB).ToList();
        var only = Assert.Single(all);
        Assert.Equal(status, only.Status);
        var seenByAddressee = only.ToUserId == a.UserId ? await a.GetFriendRequestsAsync("incoming") : await b.GetFriendRequestsAsync("incoming");
        var seen = Assert.Single(seenByAddressee);
        Assert.Equal((only.Id, status), (seen.Id, seen.Status));
    }
}
