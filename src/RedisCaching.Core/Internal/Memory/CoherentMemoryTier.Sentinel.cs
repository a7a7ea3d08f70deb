using System;
using System.Threading;
using System.Threading.Tasks;
using StackExchange.Redis;

namespace RedisCaching.Internal.Memory;

/// <summary>
/// The tier through a sentinel failover. From the start of a failover the tier is Unavailable (holds nothing) and it
/// becomes coherent again only with tracking on the primary the sentinels name (not whichever node this connection's
/// StackExchange.Redis elects: after a switch it can keep electing the old primary until the sentinels demote it, see
/// <see cref="SentinelWatch"/>). For the same reason the cache's writes never travel on this connection on Sentinel
/// (<see cref="TakesOwnWrites"/>): they take the main connection, which follows the sentinels' primary itself.
/// </summary>
internal sealed partial class CoherentMemoryTier
{
    private SentinelWatch? _sentinelWatch;

    /// <summary>
    /// Not on Sentinel. Checking this connection's routing once is not enough: StackExchange.Redis re-elects among the
    /// nodes calling themselves primary on its own reconfigures (every second after a switch, until the old primary is
    /// demoted) and may pick the old one again; a write acknowledged there is lost (seen in CI: reads thousands of
    /// versions behind). The main connection follows the sentinels' primary itself. Not on a cluster either: tracking
    /// runs on the node connections there, not this one (see CoherentMemoryTier.Cluster.cs), so NOLOOP would gain nothing.
    /// </summary>
    public bool TakesOwnWrites => IsCoherent(Mode) && _sentinelWatch is null && !_onCluster;

    private void WatchSentinels(ConfigurationOptions configuration)
    {
        if (configuration.ServiceName is not { Length: > 0 })
        {
            return;
        }

        var watch = new SentinelWatch(configuration, _logger, _timeProvider);
        watch.FailoverStarting += () => RequestReenable("sentinel failover started", flush: true);
        watch.PrimaryChanged += _ => RequestReenable("sentinels named a new primary", flush: true);
        _sentinelWatch = watch;
        watch.StartInBackground();
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
