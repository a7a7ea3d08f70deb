using System;
using System.Collections.Concurrent;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Threading;
using System.Threading.Tasks;
using StackExchange.Redis;

namespace RedisCaching.Testing;

/// <summary>
/// A TCP proxy on a free loopback port in front of a server, whose behaviour a test switches at run time:
/// pass-through, cut after N bytes of reply, black hole, added latency, refusal of new connections.
/// Thread-safe; disposing it closes every connection and waits for all of its tasks.
/// </summary>
/// <example><code>
/// await using var proxy = FaultProxy.Start(server);
/// await using var redis = await ConnectionMultiplexer.ConnectAsync(proxy.CreateConfigurationOptions(server));
/// proxy.BlackHole();
/// </code></example>
public sealed class FaultProxy : IAsyncDisposable
{
    private readonly Socket _listener;
    private readonly string _upstreamHost;
    private readonly int _upstreamPort;
    private readonly CancellationTokenSource _stopping = new();
    private readonly ConcurrentDictionary<FaultProxyConnection, Task> _connections = new();
    private readonly object _modeLock = new();
    private readonly Task _acceptLoop;
    private FaultProxySettings _settings = new(FaultProxyMode.PassThrough, 0, TimeSpan.Zero, 0);
    private TaskCompletionSource _modeChanged = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _disposed;

    private FaultProxy(string upstreamHost, int upstreamPort)
    {
        _upstreamHost = upstreamHost;
        _upstreamPort = upstreamPort;
        _listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        // Port 0: the kernel picks a free port, with no window for another process to take it.
        _listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _listener.Listen(128);
        Endpoint = (IPEndPoint)_listener.LocalEndPoint!;
        _acceptLoop = AcceptLoopAsync();
    }

    /// <summary>Where clients connect.</summary>
    public IPEndPoint Endpoint { get; }

    /// <summary>The port clients connect to.</summary>
    public int Port => Endpoint.Port;

    /// <summary>The connections being relayed (or held) now.</summary>
    public int ActiveConnections => _connections.Count;

    /// <summary>The current mode.</summary>
    public FaultProxyMode Mode => Settings.Mode;

    internal FaultProxySettings Settings => Volatile.Read(ref _settings);

    /// <summary>Starts a proxy in pass-through mode in front of <paramref name="upstreamHost"/>:<paramref name="upstreamPort"/>.</summary>
    public static FaultProxy Start(string upstreamHost, int upstreamPort)
    {
        ArgumentException.ThrowIfNullOrEmpty(upstreamHost);
        return new FaultProxy(upstreamHost, upstreamPort);
    }

    /// <summary>Starts a proxy in pass-through mode in front of <paramref name="server"/>.</summary>
    public static FaultProxy Start(IRedisTestServer server)
    {
        ArgumentNullException.ThrowIfNull(server);
        return Start(server.Host, server.Port);
    }

    /// <summary>
    /// <paramref name="server"/>'s options (credentials, TLS callbacks) with the proxy as the only endpoint. TLS
    /// still validates, as the options ask for the certificate's host name, not the proxy's address.
    /// </summary>
    public ConfigurationOptions CreateConfigurationOptions(IRedisTestServer server)
    {
        ArgumentNullException.ThrowIfNull(server);
        var options = server.CreateConfigurationOptions();
        options.EndPoints.Clear();
        options.EndPoints.Add(Endpoint);
        return options;
    }

    /// <summary>Relays everything; data held by a black hole flows again.</summary>
    public void PassThrough() => SetMode(FaultProxyMode.PassThrough, 0, TimeSpan.Zero);

    /// <summary>Each connection relays <paramref name="byteCount"/> more bytes from the server, counted from now, then is reset.</summary>
    public void CutAfterServerBytes(long byteCount)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(byteCount);
        SetMode(FaultProxyMode.CutAfterServerBytes, byteCount, TimeSpan.Zero);
    }

    /// <summary>Relays nothing in either direction; connections stay open and new ones are accepted.</summary>
    public void BlackHole() => SetMode(FaultProxyMode.BlackHole, 0, TimeSpan.Zero);

    /// <summary>Delays each chunk by <paramref name="perChunk"/> in both directions (a request and its reply: twice).</summary>
    public void AddLatency(TimeSpan perChunk)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(perChunk, TimeSpan.Zero);
        SetMode(FaultProxyMode.Latency, 0, perChunk);
    }

    /// <summary>New connections are closed at once; existing ones keep relaying.</summary>
    public void RefuseNewConnections() => SetMode(FaultProxyMode.RefuseNewConnections, 0, TimeSpan.Zero);

    /// <summary>Resets every current connection; returns how many there were. The mode is unchanged.</summary>
    public int DropAllConnections()
    {
        var connections = _connections.Keys.ToArray();
        foreach (var connection in connections)
        {
            connection.Abort();
        }

        return connections.Length;
    }

    /// <summary>Stops accepting, resets every connection and waits for all relay tasks to end.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _stopping.CancelAsync().ConfigureAwait(false);
        _listener.Dispose();
        await _acceptLoop.ConfigureAwait(false);
        DropAllConnections();
        await Task.WhenAll(_connections.Values).ConfigureAwait(false);
        _stopping.Dispose();
    }

    internal Task WaitForModeChangeAsync(FaultProxySettings seen, CancellationToken token)
    {
        lock (_modeLock)
        {
            return ReferenceEquals(_settings, seen) ? _modeChanged.Task.WaitAsync(token) : Task.CompletedTask;
        }
    }

    private void SetMode(FaultProxyMode mode, long cutAfterBytes, TimeSpan latency)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        TaskCompletionSource changed;
        lock (_modeLock)
        {
            _settings = new FaultProxySettings(mode, cutAfterBytes, latency, _settings.Generation + 1);
            changed = _modeChanged;
            _modeChanged = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        changed.TrySetResult();
    }

    private async Task AcceptLoopAsync()
    {
        while (true)
        {
            Socket client;
            try
            {
                client = await _listener.AcceptAsync(_stopping.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }

            if (Settings.Mode == FaultProxyMode.RefuseNewConnections)
            {
                client.LingerState = new LingerOption(true, 0);
                client.Dispose();
                continue;
            }

            var connection = new FaultProxyConnection(this, client, _stopping.Token);
            // Registered before it runs, so DropAllConnections and DisposeAsync always see it.
            var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _connections[connection] = RunConnectionAsync(connection, started.Task);
            started.SetResult();
        }
    }

    private async Task RunConnectionAsync(FaultProxyConnection connection, Task registered)
    {
        await registered.ConfigureAwait(false);
        try
        {
            await connection.RunAsync(_upstreamHost, _upstreamPort).ConfigureAwait(false);
        }
        finally
        {
            _connections.TryRemove(connection, out _);
        }
    }
}
