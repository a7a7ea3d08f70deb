using System;
using System.Net.Sockets;
using System.Threading;
using System.Threading.Tasks;

namespace RedisCaching.Testing;

/// <summary>One relayed client connection: two pumps, client to server and server to client.</summary>
internal sealed class FaultProxyConnection : IDisposable
{
    private const int ChunkSize = 16 * 1024;

    private readonly FaultProxy _proxy;
    private readonly Socket _client;
    private readonly Socket _server = new(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
    private readonly CancellationTokenSource _cts;
    private int _aborted;

    public FaultProxyConnection(FaultProxy proxy, Socket client, CancellationToken proxyStopping)
    {
        _proxy = proxy;
        _client = client;
        _client.NoDelay = true;
        _cts = CancellationTokenSource.CreateLinkedTokenSource(proxyStopping);
    }

    public async Task RunAsync(string upstreamHost, int upstreamPort)
    {
        try
        {
            await _server.ConnectAsync(upstreamHost, upstreamPort, _cts.Token).ConfigureAwait(false);
            var up = PumpAsync(_client, _server, serverToClient: false);
            var down = PumpAsync(_server, _client, serverToClient: true);
            // Either side closing ends the relay: Redis connections do not half-close.
            await Task.WhenAny(up, down).ConfigureAwait(false);
            Abort();
            await Task.WhenAll(up, down).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is SocketException or OperationCanceledException or ObjectDisposedException)
        {
            // The upstream is down or the proxy is stopping: the client sees its connection close.
        }
        finally
        {
            Abort();
            _cts.Dispose();
        }
    }

    /// <summary>Same as <see cref="Abort"/>: resets both sockets.</summary>
    public void Dispose() => Abort();

    /// <summary>Resets both sockets (RST, not FIN: a cut must look like a failure, not a clean end).</summary>
    public void Abort()
    {
        if (Interlocked.Exchange(ref _aborted, 1) != 0)
        {
            return;
        }

        try
        {
            _cts.Cancel();
        }
        catch (ObjectDisposedException)
        {
        }

        Reset(_client);
        Reset(_server);
    }

    private static void Reset(Socket socket)
    {
        try
        {
            socket.LingerState = new LingerOption(true, 0);
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
        }

        socket.Dispose();
    }

    private async Task PumpAsync(Socket source, Socket destination, bool serverToClient)
    {
        var buffer = new byte[ChunkSize];
        var generation = -1L;
        var budget = 0L;
        var token = _cts.Token;
        try
        {
            while (true)
            {
                var read = await source.ReceiveAsync(buffer, SocketFlags.None, token).ConfigureAwait(false);
                if (read == 0)
                {
                    return;
                }

                var chunk = new ReadOnlyMemory<byte>(buffer, 0, read);
                while (true)
                {
                    var settings = _proxy.Settings;
                    if (settings.Mode == FaultProxyMode.BlackHole)
                    {
                        // Hold the chunk (and, by not reading, everything behind it) until the mode changes.
                        await _proxy.WaitForModeChangeAsync(settings, token).ConfigureAwait(false);
                        continue;
                    }

                    if (settings.Mode == FaultProxyMode.Latency)
                    {
                        await Task.Delay(settings.Latency, token).ConfigureAwait(false);
                    }
                    else if (settings.Mode == FaultProxyMode.CutAfterServerBytes && serverToClient)
                    {
                        if (generation != settings.Generation)
                        {
                            generation = settings.Generation;
                            budget = settings.CutAfterBytes;
                        }

                        if (chunk.Length > budget)
                        {
                            await SendAllAsync(destination, chunk[..(int)budget], token).ConfigureAwait(false);
                            Abort();
                            return;
                        }

                        budget -= chunk.Length;
                    }

                    break;
                }

                await SendAllAsync(destination, chunk, token).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is SocketException or OperationCanceledException or ObjectDisposedException)
        {
            // Closed by the other side, by a cut, by DropAllConnections or by the proxy stopping.
        }
    }

    private static async Task SendAllAsync(Socket socket, ReadOnlyMemory<byte> data, CancellationToken token)
    {
        while (!data.IsEmpty)
        {
            var sent = await socket.SendAsync(data, SocketFlags.None, token).ConfigureAwait(false);
            data = data[sent..];
        }
    }
}
