using System.Threading.Tasks;
using StackExchange.Redis;

namespace RedisCaching.Internal.Shared;

/// <summary>
/// Whether a cluster can be walked whole while a primary the multiplexer knows is down. Compiled into each package
/// that walks the primaries (src/Shared, linked by their project files): they do not depend on each other, and this
/// is no public API of Core.
/// </summary>
internal static class ClusterView
{
    private const int SlotCount = 16384;

    /// <summary>
    /// Asks the cluster again for its nodes and slots when a primary the multiplexer knows is not connected. Without
    /// traffic to the failed primary's slots the multiplexer does not notice a failover: its view (and each server's
    /// <see cref="IServer.ClusterConfiguration"/>) still names the dead primary as the owner of its slots and the
    /// promoted replica as a replica, so a walk over the primaries would both fail on the dead one and miss the new one.
    /// </summary>
    public static async Task RefreshIfAPrimaryIsDownAsync(IConnectionMultiplexer multiplexer)
    {
        foreach (var server in multiplexer.GetServers())
        {
            if (server.ServerType == ServerType.Cluster && !server.IsReplica && !server.IsConnected)
            {
                await multiplexer.ConfigureAsync().ConfigureAwait(false);
                return;
            }
        }
    }

    /// <summary>
    /// Whether the connected primaries serve all 16384 slots in the view of a connected primary: then a primary that is
    /// down holds no slot (after a failover the killed primary stays in the cluster's node list, its slots now its
    /// replica's, until someone runs <c>CLUSTER FORGET</c>) and walking the connected ones covers every key. False when
    /// the multiplexer is not on a cluster or knows no view. Call <see cref="RefreshIfAPrimaryIsDownAsync"/> first: the
    /// views are only as fresh as the last reconfiguration.
    /// </summary>
    public static bool ConnectedPrimariesServeEverySlot(IConnectionMultiplexer multiplexer)
    {
        var servers = multiplexer.GetServers();
        ClusterConfiguration? view = null;
        foreach (var server in servers)
        {
            if (server.ServerType == ServerType.Cluster && server.IsConnected && !server.IsReplica && server.ClusterConfiguration is { } known)
            {
                view = known;
                break;
            }
        }

        if (view is null)
        {
            return false;
        }

        var covered = 0;
        foreach (var node in view.Nodes)
        {
            if (node.IsReplica || !IsConnected(servers, node.EndPoint))
            {
                continue;
            }

            foreach (var range in node.Slots)
            {
                covered += range.To - range.From + 1;
            }
        }

        return covered == SlotCount;
    }

    private static bool IsConnected(IServer[] servers, System.Net.EndPoint? endpoint)
    {
        foreach (var server in servers)
        {
            if (Equals(server.EndPoint, endpoint))
            {
                return server.IsConnected && !server.IsReplica;
            }
        }

        return false;
    }
}
