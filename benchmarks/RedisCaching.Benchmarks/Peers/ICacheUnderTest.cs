using System;
using System.Threading;
using System.Threading.Tasks;

namespace RedisCaching.Benchmarks.Peers;

/// <summary>
/// The seam every cache is benchmarked through: the raw StackExchange.Redis baseline, MemoryCache, FusionCache,
/// HybridCache and, once it exists, RedisCaching's <c>ICache</c> (see <c>RedisCachingPeer</c> in the README's
/// "Peers" section). Each adapter forwards to the peer's own fastest public call for that operation and adds
/// nothing that allocates on the hot path, so the peers are compared, not the adapters.
/// </summary>
public interface ICacheUnderTest : IAsyncDisposable
{
    /// <summary>Short name used in reports.</summary>
    string Name { get; }

    /// <summary>What this peer can do; benchmarks skip what it cannot.</summary>
    PeerFeatures Features { get; }

    /// <summary>Reads the key, or runs <paramref name="factory"/> (given the key) and stores the result.</summary>
    /// <remarks>Pass a <see langword="static"/> lambda: the key travels as the factory's argument.</remarks>
    ValueTask<T> GetOrSetAsync<T>(string key, Func<string, CancellationToken, ValueTask<T>> factory, string[]? tags = null, CancellationToken cancellationToken = default);

    /// <summary>Reads the key without a factory, from the fastest tier that has it (L1 first).</summary>
    ValueTask<Lookup<T>> TryGetAsync<T>(string key, CancellationToken cancellationToken = default);

    /// <summary>Reads the key from the distributed tier only: L1 is neither read nor written. Peers without an L2
    /// throw <see cref="NotSupportedException"/> (see <see cref="PeerFeatures.DistributedTier"/>).</summary>
    ValueTask<Lookup<T>> TryGetFromL2Async<T>(string key, CancellationToken cancellationToken = default);

    /// <summary>Writes the entry to every tier (and notifies other instances where the peer does that).</summary>
    ValueTask SetAsync<T>(string key, T value, string[]? tags = null, CancellationToken cancellationToken = default);

    /// <summary>Removes the entry from every tier.</summary>
    ValueTask RemoveAsync(string key, CancellationToken cancellationToken = default);

    /// <summary>Removes every entry written with <paramref name="tag"/>; <see cref="NotSupportedException"/> where
    /// <see cref="PeerFeatures.Tags"/> is absent.</summary>
    ValueTask RemoveByTagAsync(string tag, CancellationToken cancellationToken = default);
}
