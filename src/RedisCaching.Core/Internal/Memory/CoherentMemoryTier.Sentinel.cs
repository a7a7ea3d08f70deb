using System;
using System.Threading;
using System.Threading.Tasks;
using StackExchange.Redis;

namespace RedisCaching.Internal.Memory;

/// <summary>
/// The tier through a sentinel failover. Our writes travel on this tier's connection while it is coherent, and its
/// tracking must run on the node that takes the writes; StackExchange.Redis keeps this connection on the old primary
/// until the sentinels demote it (<see cref="SentinelWatch"/> says why). So from the start of a failover the tier is
/// Unavailable (holds nothing; the cache's writes then go through the main connection, which follows the new primary
/// at once), and it becomes coherent again only once this connection sends to the primary the sentinels name.
/// </summary>
internal sealed partial class CoherentMemoryTier
{
    private SentinelWatch? _sentinelWatch;

    /// <summary>
    /// Not on Sentinel. Checking this connection's routing once is not enough: StackExchange.Redis re-elects among the
    /// nodes calling themselves primary on its own reconfigures (every second after a switch, until the old primary is
    /// demoted) and may pick the old one again; a write acknowledged there is lost (seen in CI: reads thousands of
    /// versions behind). The main connection follows the sentinels' primary itself.
    /// </summary>
    public bool TakesOwnWrites => IsCoherent(Mode) && _sentinelWatch is null;

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

    /// <summary>Refuses to (re-)establish coherence during a failover or while this connection sends elsewhere than the sentinels' primary.</summary>
    private async Task EnsureOnSentinelPrimaryAsync(CancellationToken token)
    {
        if (_sentinelWatch is not { } watch)
        {
            return;
        }

        if (watch.FailoverInProgress)
        {
            throw new InvalidOperationException("A sentinel failover is in progress; coherence waits for the new primary.");
        }

        if (watch.Primary is not { } primary || SentinelWatch.RoutesTo(_multiplexer!, primary))
        {
            return;
        }

        // Re-reads every node's role: converges once the old primary calls itself a replica.
        await _multiplexer!.ConfigureAsync().WaitAsync(token).ConfigureAwait(false);
        if (!SentinelWatch.RoutesTo(_multiplexer, primary))
        {
            throw new InvalidOperationException($"The memory tier's connection does not send to the primary the sentinels name ({primary}) yet; it waits for the old primary's demotion.");
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
}
