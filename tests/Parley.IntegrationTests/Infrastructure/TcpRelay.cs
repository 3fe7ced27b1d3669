using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace Parley.IntegrationTests.Infrastructure;

/// <summary>
/// A TCP relay on a free loopback port to another address (e.g. the test run's Redis). <see cref="Cut"/> stops
/// listening and drops every relayed connection: from then on nothing listens at <see cref="Endpoint"/>, as if the
/// service had gone away, while the real one keeps serving everyone else.
/// </summary>
public sealed class TcpRelay : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly string _host;
    private readonly int _port;
    private readonly ConcurrentBag<TcpClient> _open = [];
    private readonly CancellationTokenSource _cut = new();
    private readonly Task _accepting;

    /// <param name="target">host:port</param>
    public TcpRelay(string target)
    {
        var colon = target.LastIndexOf(':');
        _host = target[..colon];
        _port = int.Parse(target[(colon + 1)..], System.Globalization.CultureInfo.InvariantCulture);
        _listener.Start();
        _accepting = AcceptAsync();
    }

    /// <summary>host:port to connect to instead of the target.</summary>
    public string Endpoint => $"127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}";

    private async Task AcceptAsync()
    {
        try
        {
            while (true)
            {
                var client = await _listener.AcceptTcpClientAsync(_cut.Token);
                var upstream = new TcpClient();
                try
                {
                    await upstream.ConnectAsync(_host, _port, _cut.Token);
                }
                catch (SocketException)
                {
                    client.Dispose();
                    upstream.Dispose();
                    continue;
                }
                _open.Add(client);
                _open.Add(upstream);
                _ = PumpAsync(client, upstream);
                _ = PumpAsync(upstream, client);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }
    }

    private async Task PumpAsync(TcpClient from, TcpClient to)
    {
        try
        {
            await from.GetStream().CopyToAsync(to.GetStream(), _cut.Token);
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or SocketException or ObjectDisposedException)
        {
        }
        from.Dispose();
        to.Dispose();
    }

    /// <summary>Nothing listens any more, and every relayed connection is reset.</summary>
    public void Cut()
    {
        if (_cut.IsCancellationRequested) return;
        _cut.Cancel();
        _listener.Stop();
        foreach (var client in _open)
        {
            try
            {
                if (client.Client is { } socket) socket.LingerState = new LingerOption(true, 0);
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
            }
            client.Dispose();
        }
    }

    public async ValueTask DisposeAsync()
    {
        Cut();
        await _accepting;
        _cut.Dispose();
    }
}
