using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Threading;
using System.Threading.Tasks;
using StackExchange.Redis;

namespace RedisCaching.Internal.Memory;

/// <summary>
/// The tier on a Redis Cluster: one invalidation stream per primary (<see cref="ClusterTrackingNode"/>), because
/// tracking covers the keys of the node it runs on only.
/// </summary>
/// <remarks>
/// The streams count as one: the tier is coherent only while every primary that serves a slot has tracking on, the
/// staleness lease holds only while every node answered the last ping (and still called itself a primary), and losing
/// any node's stream flushes the whole tier. That flushes more than the failed node's keys, which costs hits only; in
/// exchange a key never needs to be mapped to the node that tracked it, and a slot that moved never leaves an entry
/// behind. Slots moving between tracked primaries need nothing: the source node's MIGRATE deletes the keys (an
/// invalidation) and the target's writes are tracked. What does need a rebuild is a change of the primaries: a node
/// that dies (its connection fails at once), one demoted by a failover (the lease's ROLE check sees it within one
/// ping), or a new primary taking slots (the topology check every second sees it; until then its keys could be
/// filled from a node nobody tracks, which is why the rebuild flushes).
/// Our own writes take the main (cluster-aware) connection, not these: so Redis tells us of them too, which drops our
/// entry after a write (a hit lost, never coherence).
/// </remarks>
internal sealed partial class CoherentMemoryTier
{
    /// <summary>How often the cluster's primaries are compared with the tracked ones (the redirect check runs with it).</summary>
    private static readonly TimeSpan ClusterTopologyCheckInterval = TimeSpan.FromSeconds(1);

    /// <summary>Without CLUSTER, StackExchange.Redis treats the node as a standalone server and stays on it.</summary>
    private static readonly CommandMap SingleNodeCommands = CommandMap.Create(new HashSet<string> { "CLUSTER" }, available: false);

    private bool _onCluster;
    private ConfigurationOptions? _nodeConfiguration;
    private ClusterTrackingNode[] _clusterNodes = [];

    /// <summary>The primaries tracking runs on now (empty off a cluster), as the cluster reports their addresses.</summary>
    public IReadOnlyList<EndPoint> TrackedClusterPrimaries => [.. Volatile.Read(ref _clusterNodes).Select(n => n.EndPoint)];

    /// <summary>The node connections' client name: not the cluster connection's, so CLIENT LIST finds the right subscription.</summary>
    private string NodeClientName => ClientName + ":node";

    private TimeSpan CheckInterval => _onCluster && ClusterTopologyCheckInterval < _options.RedirectCheckInterval
        ? ClusterTopologyCheckInterval
        : _options.RedirectCheckInterval;

    /// <summary>Remembers the configuration the node connections copy (credentials, TLS, timeouts, client name).</summary>
    private void PrepareClusterTracking(ConfigurationOptions configuration)
    {
        _onCluster = true;
        _nodeConfiguration = configuration.Clone();
        _nodeConfiguration.ClientName = NodeClientName;
        _nodeConfiguration.CommandMap = SingleNodeCommands;

        // Fail fast: a node that cannot be reached is retried by the re-enable loop, with the tier holding nothing.
        _nodeConfiguration.AbortOnConnectFail = true;
    }

    /// <summary>Tracking on every primary that serves slots, connecting to new ones and closing the ones no longer primary.</summary>
    private async Task EnableClusterTrackingAsync(CancellationToken token)
    {
        var primaries = await ReadClusterPrimariesAsync().WaitAsync(token).ConfigureAwait(false);
        var current = Volatile.Read(ref _clusterNodes);
        var nodes = new ClusterTrackingNode[primaries.Count];
        var opened = new List<ClusterTrackingNode>();
        try
        {
            for (var i = 0; i < primaries.Count; i++)
            {
                var existing = Array.Find(current, n => n.EndPoint.Equals(primaries[i]));
                if (existing is { Multiplexer.IsConnected: true })
                {
                    nodes[i] = existing;
                }
                else
                {
                    nodes[i] = await ConnectNodeAsync(primaries[i], token).ConfigureAwait(false);
                    opened.Add(nodes[i]);
                }
            }

            foreach (var node in nodes)
            {
                // A view that is behind (a failover it has not heard of) names a node that is a replica now.
                if (!IsPrimaryRole(await node.Server.ExecuteAsync("ROLE").WaitAsync(token).ConfigureAwait(false)))
                {
                    throw new InvalidOperationException($"Cluster node {node.EndPoint} is not a primary (any more).");
                }

                await node.Server.ExecuteAsync("CLIENT", "TRACKING", "OFF").WaitAsync(token).ConfigureAwait(false);
                await RedirectTrackingAsync(node.Server, NodeClientName, token).ConfigureAwait(false);
            }
        }
        catch
        {
            foreach (var node in opened)
            {
                await CloseNodeAsync(node).ConfigureAwait(false);
            }

            throw;
        }

        Volatile.Write(ref _clusterNodes, nodes);
        Volatile.Write(ref _inboxes, [.. nodes.Select(n => n.Inbox)]);
        foreach (var stale in current.Where(n => !nodes.Contains(n)))
        {
            await CloseNodeAsync(stale).ConfigureAwait(false);
        }

        Log.MemoryTierClusterTracking(_logger, nodes.Length, string.Join(", ", nodes.Select(n => n.EndPoint)));
    }

    /// <summary>
    /// The primaries that serve slots, as the first node that answers sees them; throws while some slot has no
    /// primary (a failover under way): the tier then waits, holding nothing, rather than track part of the keys.
    /// </summary>
    private async Task<IReadOnlyList<EndPoint>> ReadClusterPrimariesAsync()
    {
        RedisException? last = null;
        foreach (var server in _multiplexer!.GetServers())
        {
            if (!server.IsConnected)
            {
                continue;
            }

            ClusterConfiguration? view;
            try
            {
                view = await server.ClusterNodesAsync().ConfigureAwait(false);
            }
            catch (RedisException ex)
            {
                last = ex;
                continue;
            }

            var primaries = view?.Nodes.Where(n => !n.IsReplica && n.Slots.Count > 0 && n.EndPoint is not null).ToArray() ?? [];
            var served = primaries.Sum(n => n.Slots.Sum(r => r.To - r.From + 1));
            if (served != 16384)
            {
                throw new InvalidOperationException($"The cluster serves {served} of 16384 slots (a failover may be under way).");
            }

            return [.. primaries.Select(n => n.EndPoint!).OrderBy(e => e.ToString(), StringComparer.Ordinal)];
        }

        throw new InvalidOperationException("No cluster node is connected to read the primaries from.", last);
    }

    private async Task<ClusterTrackingNode> ConnectNodeAsync(EndPoint endPoint, CancellationToken token)
    {
        var configuration = _nodeConfiguration!.Clone();
        configuration.EndPoints.Clear();
        configuration.EndPoints.Add(endPoint);
        var multiplexer = await ConnectionMultiplexer.ConnectAsync(configuration).WaitAsync(token).ConfigureAwait(false);
        try
        {
            var inbox = await multiplexer.GetSubscriber().SubscribeAsync(InvalidateChannel).WaitAsync(token).ConfigureAwait(false);
            DrainWhenNobodyReads(inbox);
            multiplexer.ConnectionFailed += OnConnectionFailed;
            multiplexer.ConnectionRestored += OnConnectionRestored;
            return new ClusterTrackingNode(endPoint, multiplexer, inbox);
        }
        catch
        {
            await multiplexer.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private async Task CloseNodeAsync(ClusterTrackingNode node)
    {
        // Events first: closing on purpose is no lost stream.
        node.Multiplexer.ConnectionFailed -= OnConnectionFailed;
        node.Multiplexer.ConnectionRestored -= OnConnectionRestored;
        node.Inbox.Unsubscribe(CommandFlags.FireAndForget);
        await node.Multiplexer.DisposeAsync().ConfigureAwait(false);
    }

    private void CloseClusterNodes()
    {
        foreach (var node in Interlocked.Exchange(ref _clusterNodes, []))
        {
            node.Multiplexer.ConnectionFailed -= OnConnectionFailed;
            node.Multiplexer.ConnectionRestored -= OnConnectionRestored;
            node.Multiplexer.Dispose();
        }
    }

    private async Task CloseClusterNodesAsync()
    {
        foreach (var node in Interlocked.Exchange(ref _clusterNodes, []))
        {
            await CloseNodeAsync(node).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// The lease's proof on a cluster: a ping on every node's subscription (every invalidation it sent before is read)
    /// and a ROLE on its interactive connection (it was still a primary then, so no other node took its writes yet).
    /// </summary>
    private bool PingClusterNodes(CancellationToken stopping)
    {
        var nodes = Volatile.Read(ref _clusterNodes);
        if (nodes.Length == 0)
        {
            return false;
        }

        var pings = new Task[nodes.Length];
        var roles = new Task<RedisResult>[nodes.Length];
        for (var i = 0; i < nodes.Length; i++)
        {
            pings[i] = nodes[i].Multiplexer.GetSubscriber().PingAsync();
            roles[i] = nodes[i].Server.ExecuteAsync("ROLE");
        }

        if (!Task.WaitAll([.. pings, .. roles], (int)PingWait.TotalMilliseconds, stopping))
        {
            return false;
        }

        if (Array.Exists(roles, r => !IsPrimaryRole(r.Result)))
        {
            RequestReenable("a tracked cluster primary was demoted", flush: true);
            return false;
        }

        return true;
    }

    private static bool IsPrimaryRole(RedisResult role) =>
        role.Resp2Type == ResultType.Array && role.Length > 0 && string.Equals((string?)role[0], "master", StringComparison.Ordinal);

    /// <summary>A description of how the cluster's primaries differ from the tracked ones, or null when they match.</summary>
    private async Task<string?> FindClusterPrimariesChangeAsync()
    {
        var tracked = Volatile.Read(ref _clusterNodes).Select(n => n.EndPoint.ToString()).ToArray();
        IReadOnlyList<EndPoint> primaries;
        try
        {
            primaries = await ReadClusterPrimariesAsync().ConfigureAwait(false);
        }
        catch (InvalidOperationException ex)
        {
            // Slots without a primary: a node failed; its connection's events (or the lease's ROLE check) deal with it.
            return tracked.Length == 0 ? ex.Message : null;
        }

        var now = primaries.Select(e => e.ToString()).ToArray();
        return now.SequenceEqual(tracked, StringComparer.Ordinal)
            ? null
            : $"tracked {string.Join(", ", tracked)}; the cluster's primaries are {string.Join(", ", now)}";
    }

    /// <summary>The first tracked node whose redirect no longer reaches our subscription there, or null.</summary>
    private async Task<string?> FindClusterRedirectProblemAsync()
    {
        foreach (var node in Volatile.Read(ref _clusterNodes))
        {
            if (await FindRedirectProblemAsync(node.Server, NodeClientName).ConfigureAwait(false) is { } problem)
            {
                return $"{node.EndPoint}: {problem}";
            }
        }

        return null;
    }
}
