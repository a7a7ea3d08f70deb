using System;
using System.Collections.Concurrent;
using System.Net;
using System.Threading;
using StackExchange.Redis;

namespace RedisCaching.Internal.Engine;

/// <summary>
/// On a Redis Cluster, one circuit breaker per primary: a dead node's failures open its breaker only, and calls for
/// keys on the healthy primaries go on (with one breaker for the cluster, 214 of 292 failed reads of a key on a healthy
/// primary during a SIGKILL test were the breaker's, the rest CLUSTERDOWN while Redis itself refused). When a replica
/// takes over, its slots are served by another endpoint, whose breaker starts closed.
/// </summary>
/// <remarks>
/// A key's node comes from the slot map StackExchange.Redis last read (<see cref="IServer.ClusterConfiguration"/>, no
/// round trip), copied into an array by slot at most once a second. Not from <c>GetServer(key)</c>: that picks a
/// connected server, so while a primary is down its keys would be charged to a healthy node's breaker.
/// </remarks>
internal sealed class NodeBreakers(int threshold, TimeSpan breakDuration, TimeProvider time)
{
    private const int SlotCount = 16384;
    private static readonly TimeSpan RefreshInterval = TimeSpan.FromSeconds(1);
    private readonly ConcurrentDictionary<EndPoint, RedisGuard> _breakers = new();
    private readonly Func<EndPoint, RedisGuard> _create = _ => new RedisGuard(threshold, breakDuration, time);
    private EndPoint?[] _owners = [];
    private long _refreshedAt;
    private int _refreshing;

    /// <summary>
    /// The breaker of the primary that serves <paramref name="key"/>, or null when the slot map names none yet: the
    /// caller then uses the cluster-wide breaker.
    /// </summary>
    public RedisGuard? For(IConnectionMultiplexer multiplexer, in RedisKey key)
    {
        var owners = Volatile.Read(ref _owners);
        if (owners.Length == 0 || time.GetElapsedTime(Volatile.Read(ref _refreshedAt)) > RefreshInterval)
        {
            owners = Refresh(multiplexer, owners);
        }

        var slot = multiplexer.HashSlot(key);
        return owners.Length == SlotCount && (uint)slot < SlotCount && owners[slot] is { } owner ? _breakers.GetOrAdd(owner, _create) : null;
    }

    /// <summary>The worst state among the nodes' breakers and <paramref name="clusterWide"/>: open, then half-open, then closed.</summary>
    public RedisCircuitState Worst(RedisCircuitState clusterWide)
    {
        var worst = clusterWide;
        foreach (var breaker in _breakers.Values)
        {
            var state = breaker.State;
            if (state == RedisCircuitState.Open || (state == RedisCircuitState.HalfOpen && worst == RedisCircuitState.Closed))
            {
                worst = state;
            }
        }

        return worst;
    }

    private EndPoint?[] Refresh(IConnectionMultiplexer multiplexer, EndPoint?[] current)
    {
        // One caller refreshes; the others go on with the map they have.
        if (Interlocked.CompareExchange(ref _refreshing, 1, 0) != 0)
        {
            return current;
        }

        try
        {
            foreach (var server in multiplexer.GetServers())
            {
                if (!server.IsConnected || server.ClusterConfiguration is not { } view)
                {
                    continue;
                }

                var owners = new EndPoint?[SlotCount];
                foreach (var node in view.Nodes)
                {
                    if (node.IsReplica || node.EndPoint is null)
                    {
                        continue;
                    }

                    foreach (var range in node.Slots)
                    {
                        for (var slot = Math.Max(range.From, 0); slot <= Math.Min(range.To, SlotCount - 1); slot++)
                        {
                            owners[slot] = node.EndPoint;
                        }
                    }
                }

                Volatile.Write(ref _owners, owners);
                Volatile.Write(ref _refreshedAt, time.GetTimestamp());
                return owners;
            }

            return current;
        }
        catch (Exception ex) when (ex is RedisException or InvalidOperationException or ObjectDisposedException)
        {
            return current;
        }
        finally
        {
            Volatile.Write(ref _refreshing, 0);
        }
    }
}
