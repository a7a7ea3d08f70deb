using System;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace RedisCaching.Internal;

/// <summary>
/// Owns (or borrows) the multiplexers, connects them once, and hands them out round-robin. The fast path is a
/// volatile read and an index; the first call takes the slow path that connects.
/// </summary>
internal sealed partial class RedisConnection : IRedisConnection
{
    private readonly RedisConnectionOptions? _options;
    private readonly IConnectionMultiplexer? _external;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly Lock _gate = new();
    private readonly TlsCertificateFiles _certificates = new();
    private Task<IConnectionMultiplexer[]>? _connecting;
    private IConnectionMultiplexer[]? _multiplexers;
    private uint _next;
    private bool _disposed;

    /// <summary>1 once the reason no sentinel named a primary was logged (until a connect succeeds): said once, not per retry.</summary>
    private int _sentinelFailureExplained;

    /// <summary>Whether the connected server is a Redis Cluster (known once connected; the cache keeps a breaker per primary there).</summary>
    internal bool IsCluster { get; private set; }

    private RedisConnection(RedisConnectionOptions? options, IConnectionMultiplexer? external, ILogger logger, TimeProvider time)
    {
        _options = options;
        _external = external;
        _logger = logger;
        _time = time;
        _health = new RedisConnectionHealth(RedisConnectionStatus.NotConnected, 0, 0, null, null, time.GetUtcNow());
    }

    /// <summary>Creates a connection that opens its own multiplexers from <paramref name="options"/>.</summary>
    public static RedisConnection Create(RedisConnectionOptions options, ILogger logger, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(options);

        // Validate now, so a bad option fails at start-up rather than at the first cache call.
        ConfigurationOptionsBuilder.Validate(options);
        return new RedisConnection(options, null, logger, time);
    }

    /// <summary>Wraps a multiplexer the host owns; it is observed but never disposed here.</summary>
    public static RedisConnection Wrap(IConnectionMultiplexer multiplexer, ILogger logger, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(multiplexer);
        Log.UsingExternalMultiplexer(logger);
        var connection = new RedisConnection(null, multiplexer, logger, time);
        connection.Attach(multiplexer);
        connection._multiplexers = [multiplexer];
        connection.IsCluster = IsClusterServer(multiplexer);
        connection.RefreshStatus();
        return connection;
    }

    public ValueTask<IConnectionMultiplexer> GetMultiplexerAsync(CancellationToken cancellationToken = default)
    {
        var multiplexers = Volatile.Read(ref _multiplexers);
        if (multiplexers is not null)
        {
            return Volatile.Read(ref _heldOffSince) == 0 ? new ValueTask<IConnectionMultiplexer>(Pick(multiplexers)) : HeldOffOrPick(multiplexers);
        }

        return ConnectAndPickAsync(this, cancellationToken);

        static async ValueTask<IConnectionMultiplexer> ConnectAndPickAsync(RedisConnection self, CancellationToken cancellationToken)
        {
            var connected = await self.EnsureConnecting().WaitAsync(cancellationToken).ConfigureAwait(false);
            return self.Pick(connected);
        }
    }

    private IConnectionMultiplexer Pick(IConnectionMultiplexer[] multiplexers)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (multiplexers.Length == 1)
        {
            return multiplexers[0];
        }

        return multiplexers[Interlocked.Increment(ref _next) % (uint)multiplexers.Length];
    }

    private Task<IConnectionMultiplexer[]> EnsureConnecting()
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);

            // A faulted attempt (AbortOnConnectFail, or no sentinel naming a primary yet) is retried by the next caller.
            if (_connecting is null || _connecting.IsFaulted || _connecting.IsCanceled)
            {
                _connecting = ConnectAllAsync();
            }

            return _connecting;
        }
    }

    private async Task<IConnectionMultiplexer[]> ConnectAllAsync()
    {
        var options = _options!;
        var poolSize = ConfigurationOptionsBuilder.ResolvePoolSize(options);
        var attempts = new Task<ConnectionMultiplexer>[poolSize];
        var endpoints = "?";
        ConnectionMultiplexer[] multiplexers;
        var (sentinels, sentinelPrimary) = await FindSentinelPrimaryAsync(options).ConfigureAwait(false);
        if (sentinels is not null && sentinelPrimary is null)
        {
            // No sentinel named a primary (none reachable, or the service unknown). The sentinel configuration is never
            // handed to StackExchange.Redis: its sentinel-mode connect asks the sentinels synchronously, in parallel, on
            // thread-pool threads (seen in the HA tests on a loaded box: the pool starved for 1.4-1.7 s, every other
            // call timing out). This attempt fails; the next call tries again with whatever the watch has learnt by then.
            throw await SentinelUnansweredAsync(sentinels).ConfigureAwait(false);
        }

        try
        {
            for (var i = 0; i < poolSize; i++)
            {
                // Through the sentinels: straight to the primary they name, as a plain server (see above).
                var configuration = sentinels is null
                    ? ConfigurationOptionsBuilder.Build(options, _certificates)
                    : SentinelWatch.DirectTo(sentinels, sentinelPrimary!);

                // Subscribed before connecting: failed first attempts (wrong password, rejected certificate) raise no
                // ConnectionFailed, and they are exactly what an operator needs to see.
                configuration.ConnectionAttemptCompleted += OnConnectionAttemptCompleted;
                endpoints = Describe(configuration);
                Log.Connecting(_logger, i, endpoints);
                attempts[i] = ConnectionMultiplexer.ConnectAsync(configuration);
            }

            multiplexers = await Task.WhenAll(attempts).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            await DisposeStartedAsync(attempts).ConfigureAwait(false);
            if (sentinels is not null && ex is RedisConnectionException)
            {
                // The sentinels named a primary (as the watch last heard them), and it could not be reached: say which.
                var reason = SentinelDiagnosis.PrimaryUnreachable(sentinels.ServiceName!, sentinelPrimary!);
                Log.SentinelConnectFailed(_logger, sentinels.ServiceName!, reason);
                throw new RedisCachingException($"Could not connect through the sentinels for service '{sentinels.ServiceName}'. {reason}", ex);
            }

            Log.ConnectFailed(_logger, endpoints, ex);
            throw;
        }

        if (multiplexers.Length > 0 && !multiplexers[0].IsConnected && sentinels is not null)
        {
            // Not aborting on connect failure, StackExchange.Redis returns a multiplexer that keeps retrying the primary
            // the sentinels named; its own log lines do not say that the sentinels named it: say so, once.
            Log.SentinelConnectFailed(_logger, sentinels.ServiceName!, SentinelDiagnosis.PrimaryUnreachable(sentinels.ServiceName!, sentinelPrimary!));
        }

        IConnectionMultiplexer[] connected = [.. multiplexers];
        foreach (var multiplexer in connected)
        {
            Attach(multiplexer);
        }

        IsCluster = connected.Length > 0 && IsClusterServer(connected[0]);
        bool disposedMeanwhile;
        lock (_gate)
        {
            disposedMeanwhile = _disposed;
            if (!disposedMeanwhile)
            {
                Volatile.Write(ref _multiplexers, connected);
            }
        }

        if (disposedMeanwhile)
        {
            // Disposed while connecting: nobody else will close these.
            foreach (var multiplexer in connected)
            {
                Detach(multiplexer);
                await multiplexer.DisposeAsync().ConfigureAwait(false);
            }

            throw new ObjectDisposedException(nameof(RedisConnection));
        }

        FollowIfSwitchedWhileConnecting(sentinelPrimary);
        Volatile.Write(ref _sentinelFailureExplained, 0);

        RefreshStatus();
        Log.Connected(_logger, connected.Length, _health.Status);
        return connected;
    }

    private static async Task DisposeStartedAsync(Task<ConnectionMultiplexer>?[] attempts)
    {
        foreach (var attempt in attempts)
        {
            if (attempt is null)
            {
                continue;
            }

            try
            {
                await (await attempt.ConfigureAwait(false)).DisposeAsync().ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is RedisException or TimeoutException or ObjectDisposedException)
            {
                // That attempt failed on its own; nothing of it is left to close.
            }
        }
    }

    /// <summary>
    /// The failure of a connect at which no sentinel named a primary. With <c>AbortOnConnectFail</c>: the reason, asked
    /// of the sentinels and logged, in a <see cref="RedisCachingException"/>. Without: a <see cref="RedisConnectionException"/>
    /// at once (a Redis failure to the cache: fail-safe, breaker), the reason logged once in the background.
    /// </summary>
    private async Task<Exception> SentinelUnansweredAsync(ConfigurationOptions configuration)
    {
        var serviceName = configuration.ServiceName!;
        if (configuration.AbortOnConnectFail)
        {
            var reason = await SentinelDiagnosis.DescribeAsync(configuration).ConfigureAwait(false);
            Log.SentinelConnectFailed(_logger, serviceName, reason);
            return new RedisCachingException(
                $"Could not connect through the sentinels for service '{serviceName}'. {reason}",
                new RedisConnectionException(ConnectionFailureType.UnableToConnect, CommandFlags.None, $"No sentinel named a primary for '{serviceName}'."));
        }

        if (Interlocked.Exchange(ref _sentinelFailureExplained, 1) == 0)
        {
            _ = ExplainSentinelFailureAsync(configuration);
        }

        return new RedisConnectionException(
            ConnectionFailureType.UnableToConnect,
            CommandFlags.None,
            $"No sentinel names a primary for service '{serviceName}' yet (the reason is logged once, event 1012); the next call tries again.");
    }

    private async Task ExplainSentinelFailureAsync(ConfigurationOptions configuration)
    {
        try
        {
            Log.SentinelConnectFailed(_logger, configuration.ServiceName!, await SentinelDiagnosis.DescribeAsync(configuration).ConfigureAwait(false));
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException or ObjectDisposedException or InvalidOperationException)
        {
            // A diagnosis is best effort; the connection's own events are logged anyway.
        }
    }

    /// <summary>Whether <paramref name="multiplexer"/> is connected to a Redis Cluster.</summary>
    internal static bool IsClusterServer(IConnectionMultiplexer multiplexer) =>
        Array.Exists(multiplexer.GetServers(), server => server.ServerType == ServerType.Cluster);

    private static string Describe(ConfigurationOptions configuration) =>
        string.Join(",", configuration.EndPoints.Select(e => e.ToString()));

    public async ValueTask DisposeAsync()
    {
        var owned = BeginDispose();
        var (watch, replaced) = TakeSentinelLeftovers();
        if (watch is not null)
        {
            await watch.DisposeAsync().ConfigureAwait(false);
        }

        foreach (var multiplexer in owned.Concat(replaced))
        {
            await multiplexer.DisposeAsync().ConfigureAwait(false);
        }

        EndDispose();
    }

    public void Dispose()
    {
        // For containers disposed synchronously; closing a multiplexer is a synchronous socket close, not a wait on async work.
        var owned = BeginDispose();
        var (watch, replaced) = TakeSentinelLeftovers();
        watch?.Dispose();
        foreach (var multiplexer in owned.Concat(replaced))
        {
            multiplexer.Dispose();
        }

        EndDispose();
    }

    /// <summary>Marks the connection disposed, detaches from every multiplexer and returns those this connection owns.</summary>
    private IConnectionMultiplexer[] BeginDispose()
    {
        IConnectionMultiplexer[]? multiplexers;
        lock (_gate)
        {
            if (_disposed)
            {
                return [];
            }

            _disposed = true;
            multiplexers = _multiplexers;
        }

        if (multiplexers is null)
        {
            return [];
        }

        foreach (var multiplexer in multiplexers)
        {
            Detach(multiplexer);
        }

        return multiplexers.Where(m => !ReferenceEquals(m, _external)).ToArray();
    }

    private void EndDispose()
    {
        _certificates.Dispose();
        SetStatus(RedisConnectionStatus.Disposed);
    }
}
