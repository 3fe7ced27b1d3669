namespace Parley.Server.Realtime;

/// <summary>
/// One connected device as the call signalling sees it: a <see cref="Connection"/> on this node, or (scaled out)
/// a device on another node whose call frames were forwarded here.
/// </summary>
public interface IDevice
{
    long Id { get; }
    long UserId { get; }

    /// <summary>Never waits (see <see cref="Connection.Enqueue"/>).</summary>
    void Enqueue(ReadOnlyMemory<byte> frame);

    /// <summary>A reply to the device's own request.</summary>
    ValueTask SendAsync(ReadOnlyMemory<byte> frame);

    /// <summary>The node the device is connected to; null for this node.</summary>
    string? Node => null;
}
