namespace Parley.Client;

public sealed partial class ParleyClient
{
    public Task<FriendRequest> SendFriendRequestAsync(string userId, string? message = null, CancellationToken cancellationToken = default) =>
        SendAsync<FriendRequest>(HttpMethod.Post, "api/v1/friend-requests", new { userId, message }, cancellationToken);

    public Task<List<FriendRequest>> GetFriendRequestsAsync(string direction = "incoming", CancellationToken cancellationToken = default) =>
        SendAsync<List<FriendRequest>>(HttpMethod.Get, $"api/v1/friend-requests?direction={Escape(direction)}", null, cancellationToken);

    public Task<FriendRequest> AcceptFriendRequestAsync(string requestId, CancellationToken cancellationToken = default) =>
        SendAsync<FriendRequest>(HttpMethod.Post, $"api/v1/friend-requests/{Escape(requestId)}/accept", null, cancellationToken);

    public Task<FriendRequest> RejectFriendRequestAsync(string requestId, CancellationToken cancellationToken = default) =>
        SendAsync<FriendRequest>(HttpMethod.Post, $"api/v1/friend-requests/{Escape(requestId)}/reject", null, cancellationToken);

    public Task<List<Friend>> GetFriendsAsync(CancellationToken cancellationToken = default) =>
        SendAsync<List<Friend>>(HttpMethod.Get, "api/v1/friends", null, cancellationToken);

    public Task<Friend> SetRemarkAsync(string userId, string? remark, CancellationToken cancellationToken = default) =>
        SendAsync<Friend>(HttpMethod.Patch, $"api/v1/friends/{Escape(userId)}", new { remark }, cancellationToken);

    public Task RemoveFriendAsync(string userId, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Delete, $"api/v1/friends/{Escape(userId)}", null, cancellationToken);

    public Task<List<BlockedUser>> GetBlocksAsync(CancellationToken cancellationToken = default) =>
        SendAsync<List<BlockedUser>>(HttpMethod.Get, "api/v1/blocks", null, cancellationToken);

    public Task<BlockedUser> BlockAsync(string userId, CancellationToken cancellationToken = default) =>
        SendAsync<BlockedUser>(HttpMethod.Post, "api/v1/blocks", new { userId }, cancellationToken);

    public Task UnblockAsync(string userId, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Delete, $"api/v1/blocks/{Escape(userId)}", null, cancellationToken);
}
