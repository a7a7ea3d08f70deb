using System;
using System.Threading;
using System.Threading.Tasks;

namespace RedisCaching.Invalidation;

/// <summary>
/// Removes many entries of one cache at once, on every instance: by key pattern (eager: the entries are deleted from
/// Redis now), or the whole key space, i.e. the cache's tenant and namespace, in O(1) (lazy: old entries become
/// unreachable at once and expire by their TTL). Registered by <c>AddInvalidation()</c> for the main cache, and as a
/// keyed service for each named cache (<c>[FromKeyedServices("reports")] ICacheInvalidator</c>).
/// </summary>
public interface ICacheInvalidator
{
    /// <summary>
    /// Removes every entry whose key matches <paramref name="pattern"/>: <c>SCAN … MATCH</c> over the cache's key space
    /// on every primary, <c>UNLINK</c> of what it finds in pipelined batches, throttled by <paramref name="options"/>;
    /// every instance's in-process tier drops the removed entries as each batch is removed. Never <c>KEYS</c>,
    /// <c>FLUSHDB</c> or <c>FLUSHALL</c>.
    /// </summary>
    /// <param name="pattern">
    /// A Redis glob over the caller's keys (the cache's prefix, environment, tenant, namespace and version parts are
    /// added): <c>*</c> any run of characters (also <c>:</c>), <c>?</c> one character, <c>[abc]</c>, <c>[^a]</c>,
    /// <c>[a-z]</c> one of a set, <c>\</c> quotes the next character (<see cref="CachePattern.Escape"/> quotes a literal
    /// part, e.g. an id). <c>*</c> is every entry of the cache. The cache's own keys (tag tokens, locks) are never
    /// matched, nor is anything outside the cache's key space.
    /// </param>
    /// <param name="options">Batch size and throttling; <see langword="null"/> for the registered defaults.</param>
    /// <param name="progress">Told after batches (at most every <see cref="PatternInvalidationOptions.ProgressInterval"/>) and once at the end.</param>
    /// <param name="cancellationToken">
    /// Stops the run between batches: keys removed so far stay removed (and every instance is told), the rest stay;
    /// the last progress report says how many were removed. Running it again later is safe.
    /// </param>
    /// <returns>How many keys were removed.</returns>
    /// <remarks>
    /// SCAN returns every key that exists for the whole run; a matching key created while it runs may survive (SCAN
    /// guarantees nothing for it). Entries written during the run therefore hold newer data than the pattern meant
    /// to remove, or run it again afterwards.
    /// </remarks>
    /// <exception cref="ArgumentException">The pattern is empty, or has a character no cache key can contain.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    /// <exception cref="CacheUnavailableException">A primary is not connected, or Redis failed mid-run (keys removed until then stay removed).</exception>
    Task<long> InvalidateByPatternAsync(
        string pattern,
        PatternInvalidationOptions? options = null,
        IProgress<PatternInvalidationProgress>? progress = null,
        CancellationToken cancellationToken = default);

    /// <summary>
    /// Invalidates every entry of the cache's key space (its prefix, environment, tenant, namespace and version) in
    /// O(1): the key space's generation is replaced (one <c>SET</c>), so no entry written before is read again, on any
    /// instance; they stay in Redis until their TTL. Needs <see cref="CacheKeyOptions.Generations"/>.
    /// </summary>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>Whether the new generation was recorded (and announced); <see langword="false"/> when Redis could not be reached.</returns>
    /// <exception cref="InvalidOperationException"><see cref="CacheKeyOptions.Generations"/> is off for this cache.</exception>
    ValueTask<bool> InvalidateKeySpaceAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Invalidates every entry written with <paramref name="tag"/>, in O(1), on every instance: removes them now
    /// (<see cref="CacheInvalidationMode.Eager"/>: <see cref="ICache.RemoveByTagAsync"/>) or marks them stale
    /// (<see cref="CacheInvalidationMode.Lazy"/>: <see cref="ICache.MarkStaleByTagAsync"/>, stale-while-revalidate).
    /// </summary>
    /// <param name="tag">The tag; tags follow the key rules.</param>
    /// <param name="mode">Eager or lazy.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>Whether it was recorded in Redis (and announced); <see langword="false"/> when Redis could not be reached.</returns>
    /// <exception cref="CacheKeyException">The tag breaks a key rule.</exception>
    ValueTask<bool> InvalidateTagAsync(string tag, CacheInvalidationMode mode, CancellationToken cancellationToken = default);
}
