namespace Parley.Client;

public sealed partial class ParleyClient
{
    /// <summary>
    /// Creates a group of which I am the owner. <paramref name="historyForNewMembers"/> false: members who join later see
    /// its messages only from their joining (left out: the server's default, true).
    /// </summary>
    public Task<GroupView> CreateGroupAsync(string name, IEnumerable<string>? memberIds = null, bool? joinApproval = null, string? icon = null,
        bool? historyForNewMembers = null, CancellationToken cancellationToken = default) =>
        SendAsync<GroupView>(HttpMethod.Post, "api/v1/groups", new { name, icon, joinApproval, memberIds = memberIds?.ToList(), historyForNewMembers }, cancellationToken);

    public Task<List<GroupView>> GetGroupsAsync(CancellationToken cancellationToken = default) =>
        SendAsync<List<GroupView>>(HttpMethod.Get, "api/v1/groups", null, cancellationToken);

    public Task<GroupView> GetGroupAsync(string groupId, CancellationToken cancellationToken = default) =>
        SendAsync<GroupView>(HttpMethod.Get, $"api/v1/groups/{Escape(groupId)}", null, cancellationToken);

    public Task<GroupView> UpdateGroupAsync(string groupId, UpdateGroupBody request, CancellationToken cancellationToken = default) =>
        SendAsync<GroupView>(HttpMethod.Patch, $"api/v1/groups/{Escape(groupId)}", request, cancellationToken);

    public Task DissolveGroupAsync(string groupId, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Delete, $"api/v1/groups/{Escape(groupId)}", null, cancellationToken);

    public Task<List<GroupMemberView>> GetGroupMembersAsync(string groupId, CancellationToken cancellationToken = default) =>
        SendAsync<List<GroupMemberView>>(HttpMethod.Get, $"api/v1/groups/{Escape(groupId)}/members", null, cancellationToken);

    public Task<InviteResult> InviteToGroupAsync(string groupId, IEnumerable<string> userIds, CancellationToken cancellationToken = default) =>
        SendAsync<InviteResult>(HttpMethod.Post, $"api/v1/groups/{Escape(groupId)}/members", new { userIds = userIds.ToList() }, cancellationToken);

    public Task<GroupMemberView> SetGroupRoleAsync(string groupId, string userId, GroupRole role, CancellationToken cancellationToken = default) =>
        SendAsync<GroupMemberView>(HttpMethod.Patch, $"api/v1/groups/{Escape(groupId)}/members/{Escape(userId)}", new { role }, cancellationToken);

    /// <summary>Removes a member (owner or admin over a lower role), or leaves when <paramref name="userId"/> is me.</summary>
    public Task RemoveGroupMemberAsync(string groupId, string userId, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Delete, $"api/v1/groups/{Escape(groupId)}/members/{Escape(userId)}", null, cancellationToken);

    public Task LeaveGroupAsync(string groupId, CancellationToken cancellationToken = default) =>
        RemoveGroupMemberAsync(groupId, UserId, cancellationToken);

    /// <summary>Mutes one member, or the whole group when <paramref name="userId"/> is null, until <paramref name="until"/>.</summary>
    public Task MuteAsync(string groupId, string? userId, DateTimeOffset until, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Post, $"api/v1/groups/{Escape(groupId)}/mutes", new { userId, until }, cancellationToken);

    /// <summary>Unmutes one member, or the whole group when <paramref name="userId"/> is null.</summary>
    public Task UnmuteAsync(string groupId, string? userId, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Delete, $"api/v1/groups/{Escape(groupId)}/mutes/{Escape(userId ?? "all")}", null, cancellationToken);

    public Task<JoinRequestView> RequestToJoinGroupAsync(string groupId, string? message = null, CancellationToken cancellationToken = default) =>
        SendAsync<JoinRequestView>(HttpMethod.Post, $"api/v1/groups/{Escape(groupId)}/join-requests", new { message }, cancellationToken);

    public Task<List<JoinRequestView>> GetJoinRequestsAsync(string groupId, string? status = null, CancellationToken cancellationToken = default) =>
        SendAsync<List<JoinRequestView>>(HttpMethod.Get,
            $"api/v1/groups/{Escape(groupId)}/join-requests" + (status is null ? "" : $"?status={Escape(status)}"), null, cancellationToken);

    public Task<JoinRequestView> AcceptJoinRequestAsync(string groupId, string requestId, CancellationToken cancellationToken = default) =>
        SendAsync<JoinRequestView>(HttpMethod.Post, $"api/v1/groups/{Escape(groupId)}/join-requests/{Escape(requestId)}/accept", null, cancellationToken);

    public Task<JoinRequestView> RejectJoinRequestAsync(string groupId, string requestId, CancellationToken cancellationToken = default) =>
        SendAsync<JoinRequestView>(HttpMethod.Post, $"api/v1/groups/{Escape(groupId)}/join-requests/{Escape(requestId)}/reject", null, cancellationToken);
}
