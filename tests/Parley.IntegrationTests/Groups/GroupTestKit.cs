using Parley.Client;
using Parley.IntegrationTests.Infrastructure;

namespace Parley.IntegrationTests.Groups;

/// <summary>Small helpers shared by the group tests.</summary>
internal static class GroupTestKit
{
    /// <summary>Registers a new user who is already a friend of <paramref name="of"/>.</summary>
    public static async Task<ParleyClient> NewFriendAsync(this TestServer server, ParleyClient of, string nickname)
    {
        var friend = await server.NewUserAsync(nickname);
        await TestServer.MakeFriendsAsync(of, friend);
        return friend;
    }

    public static async Task<Dictionary<string, GroupMemberView>> MembersByIdAsync(this ParleyClient client, string groupId) =>
        (await client.GetGroupMembersAsync(groupId)).ToDictionary(m => m.UserId);

    /// <summary>A time <paramref name="fromNow"/> ahead, on a whole second, so that it survives the round trip exactly.</summary>
    public static DateTimeOffset WholeSecondsFromNow(TimeSpan fromNow)
    {
        var at = DateTimeOffset.UtcNow.Add(fromNow);
        return new DateTimeOffset(at.Ticks - at.Ticks % TimeSpan.TicksPerSecond, TimeSpan.Zero);
    }

    /// <summary>Sends a raw request (for bodies the SDK cannot produce) and turns a refusal into a <see cref="ParleyApiException"/>.</summary>
    public static async Task SendRawOrThrowAsync(this ParleyClient client, HttpMethod method, string path, object? body)
    {
        using var response = await client.SendRawAsync(method, path, body);
        await ParleyClient.ThrowIfFailedAsync(response);
    }
}

/// <summary>
/// A group with one of each: an owner, an admin, a plain member (both friends of the owner, invited at
/// creation) and an outsider who is nobody's friend.
/// </summary>
internal sealed class GroupCast : IDisposable
{
    private GroupCast(ParleyClient owner, ParleyClient admin, ParleyClient member, ParleyClient outsider, GroupView group)
    {
        Owner = owner;
        Admin = admin;
        Member = member;
        Outsider = outsider;
        Group = group;
    }

    public ParleyClient Owner { get; }
    public ParleyClient Admin { get; }
    public ParleyClient Member { get; }
    public ParleyClient Outsider { get; }
    public GroupView Group { get; }
    public string GroupId => Group.Id;

    public static async Task<GroupCast> StartAsync(TestServer server, bool joinApproval = false, string name = "The Cast")
    {
        var owner = await server.NewUserAsync("owner");
        var admin = await server.NewFriendAsync(owner, "admin");
        var member = await server.NewFriendAsync(owner, "member");
        var outsider = await server.NewUserAsync("outsider");
        var group = await owner.CreateGroupAsync(name, [admin.UserId, member.UserId], joinApproval);
        await owner.SetGroupRoleAsync(group.Id, admin.UserId, GroupRole.Admin);
        return new GroupCast(owner, admin, member, outsider, group);
    }

    public void Dispose()
    {
        Owner.Dispose();
        Admin.Dispose();
        Member.Dispose();
        Outsider.Dispose();
    }
}
