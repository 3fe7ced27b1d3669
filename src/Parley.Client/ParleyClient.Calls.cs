namespace Parley.Client;

public sealed partial class ParleyClient
{
    /// <summary>The STUN/TURN servers to give RTCPeerConnection (TURN credentials expire after <c>TtlSeconds</c>).</summary>
    public Task<IceServersResponse> GetIceServersAsync(CancellationToken cancellationToken = default) =>
        SendAsync<IceServersResponse>(HttpMethod.Get, "api/v1/calls/ice-servers", null, cancellationToken);
}
