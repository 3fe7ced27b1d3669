using System.Net;
using System.Net.Sockets;

namespace Parley.Server.Push;

/// <summary>
/// Opens the connections to push services, and only to addresses that <see cref="PushAddressRules.IsAllowed"/>
/// accepts: the name is resolved again here, at connect time, so an endpoint whose name has since been pointed at a
/// private address (DNS rebinding) is refused rather than called.
/// </summary>
public sealed class PushEndpointGuard(bool allowLoopback)
{
    public async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        var host = context.DnsEndPoint.Host;
        var addresses = IPAddress.TryParse(host.Trim('[', ']'), out var literal)
            ? [literal]
            : await Dns.GetHostAddressesAsync(host, cancellationToken);
        var allowed = addresses.Where(a => PushAddressRules.IsAllowed(a, allowLoopback)).ToArray();
        if (allowed.Length == 0 || allowed.Length != addresses.Length)
            throw new HttpRequestException($"Push endpoint host {host} resolves to an address that is not allowed.");

        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(allowed, context.DnsEndPoint.Port, cancellationToken);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}
