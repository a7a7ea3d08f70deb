using System;
using System.Threading;
using System.Threading.Tasks;
using StackExchange.Redis;

namespace RedisCaching.Internal.Memory;

/// <summary>
/// The tier on Sentinel. It watches the sentinels itself (<see cref="SentinelWatch"/>) and connects to the primary
/// they name as a plain server, never in StackExchange.Redis's sentinel mode (which re-elects among the nodes calling
/// themselves primary, the demoted one included, and whose switch handling starved the thread pool). From the start
/// of a failover the tier is Unavailable (holds nothing); it becomes coherent again only once its connection has been
/// replaced by one on the new primary and tracking runs there. The cache's writes never travel on this connection on
/// Sentinel (<see cref="TakesOwnWrites"/>): they take the main connection, which is held off during a failover.
/// </summary>
internal sealed partial class CoherentMemoryTier
{
    private SentinelWatch? _sentinelWatch;

    /// <summary>
    /// Not on Sentinel: during a failover only the main connection's calls are held off (a write acknowledged by the
    /// primary about to be demoted is lost at its demotion; seen in CI before the hold-off covered every write: reads
    /// thousands of versions behind), so every write takes it. Not on a cluster either: tracking runs on the node
    /// connections there, not this one (see CoherentMemoryTier.Cluster.cs), so NOLOOP would gain nothing.
    /// </summary>
    public bool TakesOwnWrites => IsCoherent(Mode) && _sentinelWatch is null && !_onCluster;

    /// <summary>The sentinel configuration, once this tier connects straight to the primary the watch names (null otherwise).</summary>
    private ConfigurationOptions? _sentinelConfiguration;

    /// <summary>
    /// On Sentinel: starts our own watch and returns a configuration for the primary it names, as a plain server (see
    /// <see cref="SentinelWatch.DirectTo"/>); null when no sentinel names one yet (the tier then starts without a
    /// connection, Unavailable, and its re-enable loop connects once they do). Never StackExchange.Redis's sentinel
    /// mode, whose connect asks the sentinels synchronously on thread-pool threads (it starved a test host's pool for
    /// 1.4 s). Off Sentinel, <paramref name="configuration"/>.
    /// </summary>
    private async Task<ConfigurationOptions?> DirectToSentinelPrimaryAsync(ConfigurationOptions configuration)
    {
        if (configuration.ServiceName is not { Length: > 0 })
        {
            return configuration;
        }

        var watch = new SentinelWatch(configuration, _logger, _timeProvider);
        watch.FailoverStarting += () => RequestReenable("sentinel failover started", flush: true);
        watch.PrimaryChanged += _ => RequestReenable("sentinels named a new primary", flush: true);
        _sentinelWatch = watch;
        _sentinelConfiguration = configuration;
        await watch.StartAsync().ConfigureAwait(false);
        if (watch.Primary is { } primary)
        {
            return SentinelWatch.DirectTo(configuration, primary);
        }

        // Connect as soon as a poll names one, not at the re-enable loop's next retry (up to 2 s later). Named before
        // this subscription: the start's own attempt, which runs after, finds it.
        watch.PrimaryFirstNamed += _ => RequestReenable("sentinels named a primary", flush: false);
        return null;
    }

    /// <summary>
    /// Before tracking is (re)enabled on Sentinel: a connection that does not send to the primary the sentinels name
    /// (the old one, demoted or dead) is replaced by one on it. The old one is closed a little later, since a backplane
    /// publish or a ping may still be using it.
    /// </summary>
    private async Task FollowSentinelPrimaryAsync(CancellationToken token)
    {
        if (_sentinelConfiguration is null)
        {
            return;
        }

        if (_sentinelWatch?.Primary is not { } primary)
        {
            // Started before any sentinel named a primary: nothing to track on yet (the first poll that names one wakes
            // the re-enable loop).
            if (_multiplexer is null)
            {
                throw new InvalidOperationException($"No sentinel names a primary for '{_sentinelConfiguration.ServiceName}' yet.");
            }

            return;
        }

        if (_multiplexer is { } current && SentinelWatch.RoutesTo(current, primary))
        {
            return;
        }

        var configuration = SentinelWatch.DirectTo(_sentinelConfiguration, primary);
        configuration.AbortOnConnectFail = true;
        configuration.ConnectTimeout = Math.Min(configuration.ConnectTimeout, 1000);
        var replacement = await ConnectionMultiplexer.ConnectAsync(configuration).WaitAsync(token).ConfigureAwait(false);
        var retired = _multiplexer;
        if (retired is not null)
        {
            retired.ConnectionFailed -= OnConnectionFailed;
            retired.ConnectionRestored -= OnConnectionRestored;
        }

        StopInbox();
        _trackingSubscribed = false;
        _backplaneSubscribed = false;
        replacement.ConnectionFailed += OnConnectionFailed;
        replacement.ConnectionRestored += OnConnectionRestored;
        Volatile.Write(ref _multiplexer, replacement);
        if (retired is not null)
        {
            _ = CloseLaterAsync(retired);
        }
    }

    private async Task CloseLaterAsync(ConnectionMultiplexer retired)
    {
        try
        {
            await Task.Delay(TimeSpan.FromSeconds(5), _timeProvider, _disposing.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Disposing: close it now.
        }

        await retired.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>Refuses to (re-)establish coherence while a sentinel failover is in progress (the primary is about to change).</summary>
    private void EnsureNoSentinelFailover()
    {
        if (_sentinelWatch is { FailoverInProgress: true })
        {
            throw new InvalidOperationException("A sentinel failover is in progress; coherence waits for the new primary.");
        }
    }

    /// <summary>The node tracking runs on: the sentinels' primary when they are watched, else the connected primary.</summary>
    private IServer? SentinelPrimaryServer()
    {
        if (_sentinelWatch?.Primary is not { } primary)
        {
            return null;
        }

        IServer server;
        try
        {
            server = _multiplexer!.GetServer(primary);
        }
        catch (ArgumentException)
        {
            // A node this connection has not discovered yet (its next reconfigure will).
            throw new InvalidOperationException($"The primary the sentinels name ({primary}) is not known to the memory tier's connection yet.");
        }

        return server.IsConnected && !server.IsReplica
            ? server
            : throw new InvalidOperationException($"The primary the sentinels name ({primary}) is not connected as a primary yet.");
    }

    private void DisposeSentinelWatch() => _sentinelWatch?.Dispose();

    private ValueTask DisposeSentinelWatchAsync() => _sentinelWatch?.DisposeAsync() ?? ValueTask.CompletedTask;
}
