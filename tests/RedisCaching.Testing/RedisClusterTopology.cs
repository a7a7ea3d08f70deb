using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Net;
using System.Threading.Tasks;
using StackExchange.Redis;

namespace RedisCaching.Testing;

/// <summary>
/// Six <c>redis-server</c> processes with <c>cluster-enabled yes</c>, made three primaries with one replica each by
/// <c>redis-cli --cluster create</c>, on free loopback ports (and free cluster bus ports), each in its own temporary
/// folder. Start it with <see cref="RedisTestServers.StartClusterAsync"/>; disposing it stops every process by pid
/// and removes the folders.
/// </summary>
/// <remarks>
/// Roles and slots move (failovers, reshards): ask <see cref="GetPrimariesAsync"/> and <see cref="GetReplicaOfAsync"/>.
/// A killed or stopped node restarts on its port with its <c>nodes.conf</c>, so it rejoins as the same node.
/// </remarks>
public sealed partial class RedisClusterTopology : IAsyncDisposable
{
    /// <summary>The number of hash slots of a Redis Cluster.</summary>
    public const int SlotCount = 16384;

    private readonly RedisProcessServer[] _nodes;

    private RedisClusterTopology(RedisClusterOptions options, RedisProcessServer[] nodes)
    {
        Options = options;
        _nodes = nodes;
    }

    /// <summary>The settings it was started with.</summary>
    public RedisClusterOptions Options { get; }

    /// <summary>The six nodes, in the order given to <c>redis-cli --cluster create</c> (which made the first three primaries).</summary>
    public IReadOnlyList<IRedisTestNode> Nodes => _nodes;

    /// <summary>Every node's endpoint: what a client is configured with (it discovers the rest from any of them).</summary>
    public IReadOnlyList<EndPoint> SeedEndpoints => [.. _nodes.Select(n => new IPEndPoint(IPAddress.Loopback, n.Port))];

    /// <summary>How long <see cref="RedisTestServers.StartClusterAsync"/> took until the cluster was ready.</summary>
    public TimeSpan StartDuration { get; private set; }

    /// <summary>Options for a cluster client with every node as a seed and <c>abortConnect=false</c>. A new instance each call.</summary>
    public ConfigurationOptions CreateConfigurationOptions()
    {
        var options = new ConfigurationOptions { AbortOnConnectFail = false };
        foreach (var endpoint in SeedEndpoints)
        {
            options.EndPoints.Add(endpoint);
        }

        return options;
    }

    /// <summary>The nodes that are primaries owning slots now, as a running node sees the cluster.</summary>
    public async Task<IReadOnlyList<IRedisTestNode>> GetPrimariesAsync()
    {
        var view = await ViewAsync().ConfigureAwait(false);
        return [.. view.Where(n => n.IsPrimary && n.Slots.Count > 0 && !n.IsTroubled).Select(n => NodeAt(n.Port))];
    }

    /// <summary>The replica of <paramref name="primary"/> now, or null when it has none.</summary>
    public async Task<IRedisTestNode?> GetReplicaOfAsync(IRedisTestNode primary)
    {
        ArgumentNullException.ThrowIfNull(primary);
        var view = await ViewAsync().ConfigureAwait(false);
        var id = view.Single(n => n.Port == primary.Port).Id;
        var replica = view.FirstOrDefault(n => n.PrimaryId == id && !n.IsTroubled);
        return replica is null ? null : NodeAt(replica.Port);
    }

    /// <summary>The node's cluster id (<c>CLUSTER MYID</c>).</summary>
    public static Task<string> GetNodeIdAsync(IRedisTestNode node)
    {
        ArgumentNullException.ThrowIfNull(node);
        return node.RunCliAsync("CLUSTER", "MYID");
    }

    /// <summary>Stops every node by pid and removes the folders.</summary>
    public async ValueTask DisposeAsync()
    {
        foreach (var node in _nodes)
        {
            await node.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <inheritdoc/>
    public override string ToString() => "Cluster: nodes " + string.Join(' ', _nodes.Select(n => n.Port.ToString(CultureInfo.InvariantCulture)));

    /// <summary>CLUSTER NODES as the first running node that answers sees it.</summary>
    private async Task<IReadOnlyList<ClusterNodeLine>> ViewAsync()
    {
        foreach (var node in _nodes.Where(n => n.IsRunning))
        {
            try
            {
                return ClusterNodeLine.ParseAll(await node.RunCliAsync("CLUSTER", "NODES").ConfigureAwait(false));
            }
            catch (Exception ex) when (ex is InvalidOperationException or TimeoutException)
            {
                // Ask the next one.
            }
        }

        throw new InvalidOperationException("No cluster node answered CLUSTER NODES.");
    }

    private RedisProcessServer NodeAt(int port) =>
        _nodes.FirstOrDefault(n => n.Port == port)
        ?? throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture, $"CLUSTER NODES lists 127.0.0.1:{port}, which is none of the topology's nodes."));
}
