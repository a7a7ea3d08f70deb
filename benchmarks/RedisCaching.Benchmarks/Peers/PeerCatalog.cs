using System;
using System.Net;
using System.Threading.Tasks;

namespace RedisCaching.Benchmarks.Peers;

/// <summary>Creates peers by name, each on its own multiplexer (two instances of a peer never share one).</summary>
public static class PeerCatalog
{
    /// <summary>Every peer that can be created today.</summary>
    public static readonly string[] Available = [PeerNames.Raw, PeerNames.Memory, PeerNames.Fusion, PeerNames.Hybrid, PeerNames.RedisCaching];

    /// <param name="name">One of <see cref="PeerNames"/>.</param>
    /// <param name="endpoint">The loopback Redis server.</param>
    /// <param name="instance">Distinguishes instances of one peer (client names in CLIENT LIST).</param>
    public static async Task<ICacheUnderTest> CreateAsync(string name, IPEndPoint endpoint, string instance) => name switch
    {
        _ when name.StartsWith(PeerNames.RedisCachingVariantPrefix, StringComparison.Ordinal) =>
            await RedisCachingPeer.CreateAsync(endpoint, instance, RedisCachingPeer.ParseMaxStaleness(name[PeerNames.RedisCachingVariantPrefix.Length..])),
        PeerNames.Raw => await RawRedisPeer.CreateAsync(endpoint, instance),
        PeerNames.Memory => new MemoryCachePeer(),
        PeerNames.Fusion => await FusionCachePeer.CreateAsync(endpoint, instance),
        PeerNames.Hybrid => await HybridCachePeer.CreateAsync(endpoint, instance),

        PeerNames.RedisCaching => await RedisCachingPeer.CreateAsync(endpoint, instance),
        _ => throw new ArgumentException($"Unknown peer '{name}'; known: {string.Join(", ", Available)}.", nameof(name)),
    };
}
