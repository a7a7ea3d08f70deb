using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;

namespace RedisCaching;

/// <summary>
/// A cache's side in Redis, for RedisCaching packages that work on many of its entries at once
/// (RedisCaching.Invalidation): where its keys live, and how every instance's in-process tier learns that entries were
/// removed by someone other than the cache. Every <see cref="ICache"/> that <c>AddRedisCaching</c> and
/// <c>AddNamedCache</c> register implements it (cast the cache to it).
/// </summary>
/// <remarks>
/// Redis keys of a cache start with <see cref="KeyPrefix"/>. Keys the cache keeps for itself (tag tokens, locks, the
/// generation) continue with <see cref="InternalKeyMarker"/>, which callers' keys may never contain; entries continue
/// with the caller's key, or, with <see cref="CacheKeyOptions.Generations"/>, with the current generation part and
/// the caller's key (<see cref="GetEntryKeyPrefixAsync"/> returns where the current entries start).
/// </remarks>
public interface ICacheKeySpace
{
    /// <summary>The character after <see cref="KeyPrefix"/> that marks the cache's own keys (tag tokens, locks, the generation).</summary>
    const char InternalKeyMarker = '!';

    /// <summary>The connection the cache's Redis calls use (named caches share the main one).</summary>
    IRedisConnection Connection { get; }

    /// <summary>The start of every Redis key of the cache: <c>{Prefix}:{Environment}:{Tenant}:{Namespace}:v{Version}:</c> with the parts that are set.</summary>
    string KeyPrefix { get; }

    /// <summary>How the cache's in-process tier is kept coherent right now.</summary>
    CacheCoherenceMode CoherenceMode { get; }

    /// <summary>Whether the key space has a generation kept in Redis (<see cref="CacheKeyOptions.Generations"/>).</summary>
    bool UsesGenerations { get; }

    /// <summary>
    /// Where the Redis keys of the current entries start: <see cref="KeyPrefix"/>, or with generations
    /// <see cref="KeyPrefix"/> followed by the current generation part (read through the in-process tier, else from Redis).
    /// </summary>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>The prefix, or <see langword="null"/> when the generation could not be read from Redis.</returns>
    ValueTask<string?> GetEntryKeyPrefixAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Tells the in-process tiers that these Redis keys of the cache were removed or changed by a connection the
    /// cache does not own (for example an <c>UNLINK</c> on the main connection): this instance drops them at once, and
    /// where coherence runs on the pub/sub backplane (<see cref="CacheCoherenceMode.Backplane"/>) every other instance
    /// is told in one message. Under <see cref="CacheCoherenceMode.Tracking"/> Redis tells every instance itself, so
    /// nothing is published. Call it after the change is done in Redis.
    /// </summary>
    /// <param name="redisKeys">Full Redis keys; keys outside the cache's key space are ignored.</param>
    /// <param name="cancellationToken">Cancels the wait for the publish (the local drop is done by then).</param>
    /// <returns>Whether every instance was told (<see langword="false"/> when the backplane publish failed).</returns>
    ValueTask<bool> InvalidateMemoryAsync(IReadOnlyList<string> redisKeys, CancellationToken cancellationToken = default);

    /// <summary>
    /// With <see cref="CacheKeyOptions.Generations"/>: replaces the key space's generation, so every entry written
    /// before is never read again, on every instance at once, whatever the number of entries (one <c>SET</c>); the
    /// old entries stay in Redis until their TTL.
    /// </summary>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>
    /// Whether the new generation was recorded in Redis (and announced where coherence runs on the backplane);
    /// <see langword="false"/> when Redis could not be reached. Calling again is safe.
    /// </returns>
    /// <exception cref="System.InvalidOperationException"><see cref="CacheKeyOptions.Generations"/> is off for this cache.</exception>
    ValueTask<bool> IncrementGenerationAsync(CancellationToken cancellationToken = default);
}
