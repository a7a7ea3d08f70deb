using System.Net;
using StackExchange.Redis;

namespace RedisCaching.Internal.Memory;

/// <summary>
/// One cluster primary as the in-process tier tracks it: a connection to that node alone (StackExchange.Redis with the
/// CLUSTER command unmapped, so it neither discovers nor routes to other nodes), whose interactive connection has
/// <c>CLIENT TRACKING</c> on and redirects to its own RESP2 subscription, the <see cref="Inbox"/>. Tracking is per
/// connection and per node: a redirect must name a client on the same server, so a cluster needs one of these per
/// primary.
/// </summary>
internal sealed class ClusterTrackingNode(EndPoint endPoint, ConnectionMultiplexer multiplexer, ChannelMessageQueue inbox)
{
    /// <summary>The node's address as the cluster reports it.</summary>
    public EndPoint EndPoint { get; } = endPoint;

    /// <summary>The single-node connection (owned: disposed when the node is no longer tracked).</summary>
    public ConnectionMultiplexer Multiplexer { get; } = multiplexer;

    /// <summary>The node's invalidations, as they are parsed (see CoherentMemoryTier.Inbox.cs).</summary>
    public ChannelMessageQueue Inbox { get; } = inbox;

    /// <summary>The node (the connection knows no other).</summary>
    public IServer Server => Multiplexer.GetServer(EndPoint);
}
