using System.Text;
using Parley.Server.ScaleOut;

namespace Parley.IntegrationTests.ScaleOut.Contract;

/// <summary>One node as the contract tests drive it: its router, its presence store and its devices.</summary>
internal sealed record ContractNode(IMessageRouter Router, IPresenceStore Presence, RecordingDevices Devices);

/// <summary>
/// What every <see cref="IMessageRouter"/> and <see cref="IPresenceStore"/> must do, run against each
/// implementation (as ASP.NET Core SignalR's <c>HubLifetimeManagerTestBase</c> does for its lifetime managers):
/// a subclass says how to start the nodes. <see cref="Publisher"/> is where frames are published and presence is
/// asked, <see cref="Holder"/> where the recipients' devices are; they are one node for the in-memory
/// implementation and for "Redis, same node", two for "Redis, across nodes". A device counts as connected once
/// the presence store has been told (<see cref="IPresenceStore.DeviceAddedAsync"/> completed), as the gateway does
/// before it answers the device. Tests wait on frames arriving, never on the clock.
/// </summary>
public abstract class RouterAndPresenceContract : IAsyncLifetime
{
    private static long _nextUser = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() * 1000;

    private protected ContractNode Publisher { get; private set; } = null!;
    private protected ContractNode Holder { get; private set; } = null!;

    /// <summary>Starts the nodes: (publisher, holder), which may be the same node.</summary>
    private protected abstract Task<(ContractNode Publisher, ContractNode Holder)> StartNodesAsync();

    /// <summary>Stops whatever <see cref="StartNodesAsync"/> started.</summary>
    protected abstract Task StopNodesAsync();

    public async Task InitializeAsync() => (Publisher, Holder) = await StartNodesAsync();

    public Task DisposeAsync() => StopNodesAsync();

    /// <summary>A user id no other test uses (the Redis keys are shared by prefix only).</summary>
    protected static long NewUser() => Interlocked.Increment(ref _nextUser);

    private protected static async Task<RecordingDevices.Device> ConnectAsync(ContractNode node, long userId)
    {
        var (device, first) = node.Devices.Add(userId);
        await node.Presence.DeviceAddedAsync(userId, first);
        return device;
    }

    protected static byte[] Frame(string text) => Encoding.UTF8.GetBytes(text);

    [Fact]
    public async Task APublishReachesEveryDeviceOfEveryRecipient()
    {
        var (ann, ben, cat) = (NewUser(), NewUser(), NewUser());
        var annPhone = await ConnectAsync(Holder, ann);
        var annLaptop = await ConnectAsync(Holder, ann);
        var benPhone = await ConnectAsync(Holder, ben);

        // cat has no device anywhere: nothing to deliver, and nothing breaks.
        Publisher.Router.Publish([ann, ben, cat], Frame("hello"));

        Assert.Equal("hello", await annPhone.NextAsync());
        Assert.Equal("hello", await annLaptop.NextAsync());
        Assert.Equal("hello", await benPhone.NextAsync());
    }

    [Fact]
    public async Task ThePublishersOwnDeviceIsSkipped()
    {
        var ann = NewUser();
        var phone = await ConnectAsync(Holder, ann);
        var laptop = await ConnectAsync(Holder, ann);

        Publisher.Router.Publish([ann], Frame("not for the phone"), exceptConnectionId: phone.Id);
        Publisher.Router.Publish([ann], Frame("for both"));

        // Frames of one publisher keep their order: had the phone got the first, it would come before the second.
        Assert.Equal("for both", await phone.NextAsync());
        Assert.Equal("not for the phone", await laptop.NextAsync());
        Assert.Equal("for both", await laptop.NextAsync());
    }

    [Fact]
    public async Task FramesOfOnePublisherArriveInPublishOrderOnEveryDevice()
    {
        var (ann, ben) = (NewUser(), NewUser());
        var annPhone = await ConnectAsync(Holder, ann);
        var annLaptop = await ConnectAsync(Holder, ann);
        var benPhone = await ConnectAsync(Holder, ben);

        const int count = 2000;
        for (var i = 0; i < count; i++)
        {
            // Recipients vary from frame to frame, so that batches mix them.
            IReadOnlyList<long> to = (i % 3) switch { 0 => [ann], 1 => [ben], _ => [ann, ben] };
            Publisher.Router.Publish(to, Frame(i.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        }

        foreach (var (device, user) in new[] { (annPhone, ann), (annLaptop, ann), (benPhone, ben) })
        {
            var expected = Enumerable.Range(0, count).Where(i => (i % 3) switch { 0 => user == ann, 1 => user == ben, _ => true });
            foreach (var i in expected) Assert.Equal(i.ToString(System.Globalization.CultureInfo.InvariantCulture), await device.NextAsync());
        }
    }

    [Fact]
    public async Task AUserIsOnlineFromTheFirstDeviceToTheLast()
    {
        var ann = NewUser();
        Assert.DoesNotContain(ann, await Publisher.Presence.OnlineAsync([ann], default));

        var (first, isFirst) = Holder.Devices.Add(ann);
        Assert.True(await Holder.Presence.DeviceAddedAsync(ann, isFirst));
        Assert.Contains(ann, await Publisher.Presence.OnlineAsync([ann], default));
        Assert.Contains(ann, await Holder.Presence.OnlineAsync([ann], default));

        // A second device (on the publisher's node, which is the holder's when there is one node): no news.
        var (second, isFirstThere) = Publisher.Devices.Add(ann);
        Assert.False(await Publisher.Presence.DeviceAddedAsync(ann, isFirstThere));

        // The first leaves: still online through the second.
        Assert.False(await Holder.Presence.DeviceRemovedAsync(ann, Holder.Devices.Remove(first)));
        Assert.Contains(ann, await Publisher.Presence.OnlineAsync([ann], default));
        Assert.Contains(ann, await Holder.Presence.OnlineAsync([ann], default));

        // The last leaves: offline everywhere.
        Assert.True(await Publisher.Presence.DeviceRemovedAsync(ann, Publisher.Devices.Remove(second)));
        Assert.DoesNotContain(ann, await Publisher.Presence.OnlineAsync([ann], default));
        Assert.DoesNotContain(ann, await Holder.Presence.OnlineAsync([ann], default));

        // And back.
        var (again, isFirstAgain) = Holder.Devices.Add(ann);
        Assert.True(await Holder.Presence.DeviceAddedAsync(ann, isFirstAgain));
        Assert.Contains(ann, await Publisher.Presence.OnlineAsync([ann], default));
        Assert.True(await Holder.Presence.DeviceRemovedAsync(ann, Holder.Devices.Remove(again)));
    }

    [Fact]
    public async Task OnlineAnswersForManyUsersAtOnce()
    {
        var users = Enumerable.Range(0, 50).Select(_ => NewUser()).ToList();
        var online = users.Where((_, i) => i % 3 == 0).ToHashSet();
        foreach (var user in online) await ConnectAsync(user % 2 == 0 ? Holder : Publisher, user);

        Assert.Equal(online, (await Publisher.Presence.OnlineAsync(users, default)).ToHashSet());
        Assert.Equal(online, (await Holder.Presence.OnlineAsync(users, default)).ToHashSet());
        Assert.Empty(await Publisher.Presence.OnlineAsync([], default));
    }

    [Fact]
    public async Task AFrameForADeviceThatLeftIsNotDeliveredAndTheOthersStillAre()
    {
        var ann = NewUser();
        var phone = await ConnectAsync(Holder, ann);
        var laptop = await ConnectAsync(Holder, ann);
        await Holder.Presence.DeviceRemovedAsync(ann, Holder.Devices.Remove(phone));

        Publisher.Router.Publish([ann], Frame("after the phone left"));

        Assert.Equal("after the phone left", await laptop.NextAsync());
        Assert.False(phone.Frames.Reader.TryRead(out _));
    }
}
