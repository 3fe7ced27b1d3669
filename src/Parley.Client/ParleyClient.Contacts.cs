namespace Parley.Client;

public sealed partial class ParleyClient
{
    public Task<FriendRequestView> SendFriendRequestAsync(string userId, string? message = null, CancellationToken cancellationToken = default) =>
        SendAsync<FriendRequestView>(HttpMethod.Post, "api/v1/friend-requests", new { userId, message }, cancellationToken);

    public Task<List<FriendRequestView>> GetFriendRequestsAsync(string direction = "incoming", CancellationToken cancellationToken = default) =>
        SendAsync<List<FriendRequestView>>(HttpMethod.Get, $"api/v1/friend-requests?direction={Escape(direction)}", null, cancellationToken);

    public Task<FriendRequestView> AcceptFriendRequestAsync(string requestId, CancellationToken cancellationToken = default) =>
        SendAsync<FriendRequestView>(HttpMethod.Post, $"api/v1/friend-requests/{Escape(requestId)}/accept", null, cancellationToken);

    public Task<FriendRequestView> RejectFriendRequestAsync(string requestId, CancellationToken cancellationToken = default) =>
        SendAsync<FriendRequestView>(HttpMethod.Post, $"api/v1/friend-requests/{Escape(requestId)}/reject", null, cancellationToken);

    public Task<List<FriendView>> GetFriendsAsync(CancellationToken cancellationToken = default) =>
        SendAsync<List<FriendView>>(HttpMethod.Get, "api/v1/friends", null, cancellationToken);

    public Task<FriendView> SetRemarkAsync(string userId, string? remark, CancellationToken cancellationToken = default) =>
        SendAsync<FriendView>(HttpMethod.Patch, $"api/v1/friends/{Escape(userId)}", new { remark }, cancellationToken);

    public Task RemoveFriendAsync(string userId, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Delete, $"api/v1/friends/{Escape(userId)}", null, cancellationToken);

    public Task<List<BlockedUserView>> GetBlocksAsync(CancellationToken cancellationToken = default) =>
        SendAsync<List<BlockedUserView>>(HttpMethod.Get, "api/v1/blocks", null, cancellationToken);

    public Task<BlockedUserView> BlockAsync(string userId, CancellationToken cancellationToken = default) =>
        SendAsync<BlockedUserView>(HttpMethod.Post, "api/v1/blocks", new { userId }, cancellationToken);

    public Task UnblockAsync(string userId, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Delete, $"api/v1/blocks/{Escape(userId)}", null, cancellationToken);
}
