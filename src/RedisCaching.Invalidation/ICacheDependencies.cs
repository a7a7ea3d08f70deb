using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;

namespace RedisCaching.Invalidation;

/// <summary>
/// Entries that depend on other entries: invalidating a key (<see cref="InvalidateAsync"/>) or removing a tag also
/// invalidates every entry that depends on it, at any depth, in O(1). Registered by <c>AddInvalidation()</c> for the
/// main cache, and as a keyed service for each named cache.
/// </summary>
/// <remarks>
/// Dependencies are tags, worked out when an entry is written: an entry E written here with <c>dependsOn: [K]</c>
/// carries the tag <c>dep:K</c> (<see cref="CacheDependency.Tag"/>) plus every tag K itself carries, which a small
/// record in Redis (<c>{key prefix}!deps:{K}</c>, living as long as K's entry) keeps for K when K is written here. So
/// an entry that depends on E already carries <c>dep:K</c>: invalidating K replaces one tag token and every entry
/// down the chain is invalid at once, on every instance (a tag change reaches every memory tier). A dependency is
/// checked when written: an entry that would depend on itself (a cycle), or a chain deeper than
/// <see cref="CacheDependencyOptions.MaxDepth"/>, or more than <see cref="CacheDependencyOptions.MaxTags"/> tags, is
/// refused. Entries written with plain <see cref="ICache.SetAsync"/> record nothing: what depends on them follows
/// them only through <c>dep:</c> tags.
/// </remarks>
public interface ICacheDependencies
{
    /// <summary>Writes an entry that depends on <paramref name="dependsOn"/> (keys of the same cache), with their tags added to <paramref name="options"/>'s.</summary>
    /// <typeparam name="T">The value type.</typeparam>
    /// <param name="key">The cache key.</param>
    /// <param name="value">The value.</param>
    /// <param name="dependsOn">The keys it depends on (they need not exist).</param>
    /// <param name="options">Entry options; its tags are kept and the dependencies' added.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>A task that completes when the entry and its record are written.</returns>
    /// <exception cref="CacheDependencyException">A cycle, or the depth or tag limit; nothing was written.</exception>
    ValueTask SetAsync<T>(string key, T value, IReadOnlyList<string> dependsOn, CacheEntryOptions? options = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// <see cref="ICache.GetOrSetAsync"/> for an entry that depends on <paramref name="dependsOn"/>: a hit costs one read
    /// as usual; a miss reads the dependencies' records (one pipelined round), then runs the factory with the tags added.
    /// </summary>
    /// <typeparam name="TState">State passed to the factory.</typeparam>
    /// <typeparam name="T">The value type.</typeparam>
    /// <param name="key">The cache key.</param>
    /// <param name="dependsOn">The keys it depends on.</param>
    /// <param name="state">Passed to <paramref name="factory"/>.</param>
    /// <param name="factory">Produces the value on a miss.</param>
    /// <param name="options">Entry options; its tags are kept and the dependencies' added.</param>
    /// <param name="cancellationToken">Cancels this caller's wait.</param>
    /// <returns>The value and the tier that answered.</returns>
    /// <exception cref="CacheDependencyException">A cycle, or the depth or tag limit; nothing was written.</exception>
    ValueTask<CacheResult<T>> GetOrSetAsync<TState, T>(
        string key,
        IReadOnlyList<string> dependsOn,
        TState state,
        Func<TState, CacheFactoryContext, CancellationToken, ValueTask<T>> factory,
        CacheEntryOptions? options = null,
        CancellationToken cancellationToken = default);

    /// <summary>Removes <paramref name="key"/> and invalidates everything that depends on it, directly or not (removes the tag <c>dep:{key}</c>).</summary>
    /// <param name="key">The key.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>Whether the cascade was recorded in Redis; <see langword="false"/> when Redis could not be reached (calling again is safe).</returns>
    ValueTask<bool> InvalidateAsync(string key, CancellationToken cancellationToken = default);
}
