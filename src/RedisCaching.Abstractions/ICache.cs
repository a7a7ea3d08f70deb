using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;

namespace RedisCaching;

/// <summary>
/// A two-tier cache: an in-process tier in front of Redis. Keys are the caller's; the cache adds its prefix and
/// namespace parts. Every member is safe to call concurrently.
/// </summary>
public interface ICache
{
    /// <summary>Reads an entry without a factory: from memory, else from Redis.</summary>
    /// <typeparam name="T">The value type.</typeparam>
    /// <param name="key">The cache key.</param>
    /// <param name="options">Entry options (profile, flags); <see langword="null"/> for the defaults.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>The value and the tier that answered, or a miss.</returns>
    /// <exception cref="CacheKeyException">The key breaks a key rule.</exception>
    ValueTask<CacheResult<T>> TryGetAsync<T>(string key, CacheEntryOptions? options = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Reads an entry, or runs <paramref name="factory"/> once per key (however many callers ask at the same time)
    /// and stores what it returns.
    /// </summary>
    /// <typeparam name="TState">State passed to the factory, so it can be a static lambda.</typeparam>
    /// <typeparam name="T">The value type.</typeparam>
    /// <param name="key">The cache key.</param>
    /// <param name="state">Passed to <paramref name="factory"/>.</param>
    /// <param name="factory">Produces the value on a miss; it may change the entry's options through the context.</param>
    /// <param name="options">Entry options; <see langword="null"/> for the defaults.</param>
    /// <param name="cancellationToken">Cancels this caller's wait (the factory goes on for the others).</param>
    /// <returns>The value, the tier that answered and whether it is stale.</returns>
    /// <exception cref="CacheKeyException">The key breaks a key rule.</exception>
    ValueTask<CacheResult<T>> GetOrSetAsync<TState, T>(
        string key,
        TState state,
        Func<TState, CacheFactoryContext, CancellationToken, ValueTask<T>> factory,
        CacheEntryOptions? options = null,
        CancellationToken cancellationToken = default);

    /// <summary>Writes an entry to both tiers.</summary>
    /// <typeparam name="T">The value type.</typeparam>
    /// <param name="key">The cache key.</param>
    /// <param name="value">The value.</param>
    /// <param name="options">Entry options; <see langword="null"/> for the defaults.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>A task that completes when the write is done (or counted as failed, by default).</returns>
    ValueTask SetAsync<T>(string key, T value, CacheEntryOptions? options = null, CancellationToken cancellationToken = default);

    /// <summary>Removes an entry from both tiers, here and (through Redis) on every other instance.</summary>
    /// <param name="key">The cache key.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>Whether Redis held the entry.</returns>
    ValueTask<bool> RemoveAsync(string key, CancellationToken cancellationToken = default);

    /// <summary>
    /// Restarts the sliding expiration of an entry (see <see cref="CacheEntryOptions.SlidingExpiration"/>) without
    /// reading its value; entries without sliding expiration are left as they are.
    /// </summary>
    /// <param name="key">The cache key.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>Whether Redis holds the entry.</returns>
    /// <exception cref="CacheKeyException">The key breaks a key rule.</exception>
    ValueTask<bool> RefreshAsync(string key, CancellationToken cancellationToken = default);

    /// <summary>
    /// Removes every entry that carries <paramref name="tag"/> (see <see cref="CacheEntryOptions.Tags"/>), at once on
    /// every instance: entries written before this call completes are never returned again, not even as fail-safe
    /// stale values.
    /// </summary>
    /// <param name="tag">The tag; tags follow the key rules.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>
    /// Whether the removal was recorded in Redis (and, where coherence runs on the pub/sub backplane, announced to the
    /// other instances); <see langword="false"/> when Redis could not be reached (counted and logged; with
    /// <c>ThrowOnRedisFailure</c> a <see cref="CacheUnavailableException"/> is thrown instead). Calling again is safe.
    /// </returns>
    /// <exception cref="CacheKeyException">The tag breaks a key rule.</exception>
    ValueTask<bool> RemoveByTagAsync(string tag, CancellationToken cancellationToken = default);

    /// <summary>
    /// Lazily invalidates every entry that carries <paramref name="tag"/> (stale-while-revalidate), at once on every
    /// instance: an entry written before this call completes is never fresh again. A get-or-set that finds it returns
    /// the old value at once, flagged <see cref="CacheResult{T}.IsStale"/>, and runs its factory once in the background
    /// to replace it; a try-get (or get-many) returns the old value flagged stale and refreshes nothing; exists says
    /// false. This holds while the entry is within its logical expiry (its <see cref="CacheEntryOptions.Expiration"/>);
    /// after that the usual rules apply (the factory runs on the read; fail-safe may serve the old value until the
    /// hard expiry). A later <see cref="RemoveByTagAsync"/> removes marked entries too.
    /// </summary>
    /// <param name="tag">The tag; tags follow the key rules.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>
    /// Whether the mark was recorded in Redis (and, where coherence runs on the pub/sub backplane, announced to the
    /// other instances); <see langword="false"/> when Redis could not be reached (counted and logged; with
    /// <c>ThrowOnRedisFailure</c> a <see cref="CacheUnavailableException"/> is thrown instead). Calling again is safe.
    /// </returns>
    /// <exception cref="CacheKeyException">The tag breaks a key rule.</exception>
    ValueTask<bool> MarkStaleByTagAsync(string tag, CancellationToken cancellationToken = default);

    /// <summary>
    /// Whether a fresh entry exists (in memory or in Redis), without deserializing its value: an expired entry (even
    /// one fail-safe could still serve) and an entry removed by one of its tags do not exist.
    /// </summary>
    /// <param name="key">The cache key.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>Whether the entry exists.</returns>
    ValueTask<bool> ExistsAsync(string key, CancellationToken cancellationToken = default);

    /// <summary>Reads many entries in one pipelined round to Redis for those not in memory; results are in key order.</summary>
    /// <typeparam name="T">The value type.</typeparam>
    /// <param name="keys">The cache keys.</param>
    /// <param name="options">Entry options; <see langword="null"/> for the defaults.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>One result per key, in the order of <paramref name="keys"/>.</returns>
    ValueTask<IReadOnlyList<CacheResult<T>>> GetManyAsync<T>(IReadOnlyList<string> keys, CacheEntryOptions? options = null, CancellationToken cancellationToken = default);

    /// <summary>Writes many entries in one pipelined round.</summary>
    /// <typeparam name="T">The value type.</typeparam>
    /// <param name="entries">Keys and values.</param>
    /// <param name="options">Entry options for all of them; <see langword="null"/> for the defaults.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>A task that completes when the writes are done.</returns>
    ValueTask SetManyAsync<T>(IReadOnlyList<KeyValuePair<string, T>> entries, CacheEntryOptions? options = null, CancellationToken cancellationToken = default);
}
