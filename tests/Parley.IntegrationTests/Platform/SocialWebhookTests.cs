using System.Text.Json;
using Parley.Client;
using Parley.IntegrationTests.Infrastructure;

namespace Parley.IntegrationTests.Platform;

/// <summary>
/// The friend and group webhook events, written in each change's own transaction (Social's <c>ISocialOutbox</c>
/// port), to a real HTTP receiver: one per change, none for a refused change, in order per group.
/// </summary>
public sealed class SocialWebhookTests
{
    private static readonly string[] SocialEvents =
        ["friend.added", "friend.removed", "group.created", "group.member.joined", "group.member.left", "group.dissolved"];

    private static string? Text(JsonElement data, string name) =>
        data.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    /// <summary>The group's events as the receiver accepted them, each as "type actor/subject".</summary>
    private static List<string> GroupStory(WebhookReceiver receiver, string groupId)
    {
        lock (receiver.Accepted)
            return receiver.Accepted.Where(w => w.Type.StartsWith("group.", StringComparison.Ordinal) && Text(w.Data, "groupId") == groupId)
                .Select(w => w.Type switch
                {
                    "group.created" => $"created by {Text(w.Data, "ownerId")} with {string.Join("+", w.Data.GetProperty("memberIds").EnumerateArray().Select(m => m.GetString()))}",
                    "group.member.joined" => $"joined {string.Join("+", w.Data.GetProperty("members").EnumerateArray().Select(m => m.GetProperty("userId").GetString()))} by {Text(w.Data, "by") ?? "-"}",
                    "group.member.left" => $"left {Text(w.Data, "userId")} by {Text(w.Data, "removedBy") ?? "-"}",
                    "group.dissolved" => $"dissolved by {Text(w.Data, "by")}",
                    _ => w.Type,
                }).ToList();
    }

    [Fact]
    public async Task EveryFriendAndGroupChangeWritesItsEventOnceAndInOrderPerGroup()
    {
        await using var server = await TestServer.StartAsync();
        await using var receiver = await WebhookReceiver.StartAsync();
        using var admin = await server.NewAdminAsync();
        await admin.CreateWebhookAsync(new CreateWebhookRequest { Url = receiver.Url.ToString(), Events = [.. SocialEvents] });

        using var olive = await server.NewUserAsync("olive");
        using var ann = await server.NewUserAsync("ann");
        using var ben = await server.NewUserAsync("ben");
        using var cid = await server.NewUserAsync("cid");
        using var stranger = await server.NewUserAsync("stranger");
        await TestServer.MakeFriendsAsync(olive, ann);
        await TestServer.MakeFriendsAsync(olive, ben);
        await TestServer.MakeFriendsAsync(olive, cid);

        var club = await olive.CreateGroupAsync("club", [ann.UserId]);
        await olive.InviteToGroupAsync(club.Id, [ben.UserId, cid.UserId]);
        // Refused (not Olive's friend): no event.
        await Assert.ThrowsAsync<ParleyApiException>(() => olive.InviteToGroupAsync(club.Id, [stranger.UserId]));
        await ann.LeaveGroupAsync(club.Id);
        await olive.RemoveGroupMemberAsync(club.Id, ben.UserId);
        await olive.DissolveGroupAsync(club.Id);

        // Cid's own groups: one passes to Olive when Cid's account is erased, the other (Cid alone) is dissolved.
        var cidsGroup = await cid.CreateGroupAsync("cid's", [olive.UserId]);
        var alone = await cid.CreateGroupAsync("alone");
        await olive.RemoveFriendAsync(ann.UserId);
        await cid.DeleteAccountAsync("correct horse 1");

        await receiver.AcceptedAsync("group.dissolved", 2);
        await receiver.AcceptedAsync("group.member.left", 3);
        var removed = await receiver.AcceptedAsync("friend.removed", 2);

        Assert.Equal(
            [$"created by {olive.UserId} with {olive.UserId}+{ann.UserId}", $"joined {ann.UserId} by {olive.UserId}",
             $"joined {ben.UserId}+{cid.UserId} by {olive.UserId}", $"left {ann.UserId} by -", $"left {ben.UserId} by {olive.UserId}",
             $"dissolved by {olive.UserId}"],
            GroupStory(receiver, club.Id));
        Assert.Equal(
            [$"created by {cid.UserId} with {cid.UserId}+{olive.UserId}", $"joined {olive.UserId} by {cid.UserId}", $"left {cid.UserId} by -"],
            GroupStory(receiver, cidsGroup.Id));
        Assert.Equal([$"created by {cid.UserId} with {cid.UserId}", $"dissolved by {cid.UserId}"], GroupStory(receiver, alone.Id));

        var added = await receiver.AcceptedAsync("friend.added", 3);
        Assert.Equal(3, added.Count);
        Assert.Equal(
            new[] { ann.UserId, ben.UserId, cid.UserId }.Order(),
            added.Select(w => new[] { Text(w.Data, "userId"), Text(w.Data, "friendId") }.Single(id => id != olive.UserId)).Order());
        Assert.Equal(
            new[] { $"{olive.UserId}-{ann.UserId}", $"{cid.UserId}-{olive.UserId}" }.Order(),
            removed.Select(w => $"{Text(w.Data, "userId")}-{Text(w.Data, "friendId")}").Order());
        lock (receiver.Accepted) Assert.Equal(receiver.Accepted.Count, receiver.Accepted.Select(w => w.Id).Distinct().Count());
    }
}
