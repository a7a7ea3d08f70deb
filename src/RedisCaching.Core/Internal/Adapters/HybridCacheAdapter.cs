using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Caching.Hybrid;

namespace RedisCaching.Internal.Adapters;

/// <summary>
/// Microsoft's abstract <see cref="HybridCache"/> served by <see cref="ICache"/>: code written against HybridCache
/// gets the coherent memory tier, Redis, single flight and fail-safe of the engine. Keys and tags follow the engine's
/// key rules (a bad one throws <see cref="CacheKeyException"/>, where Microsoft's implementation would skip the cache
/// silently). The factory's cancellation follows HybridCache: see <see cref="SharedFactoryCancellation"/>.
/// </summary>
internal sealed partial class HybridCacheAdapter(ICache cache) : HybridCache
{
    /// <summary>HybridCache's "every entry" tag; the engine has no operation that empties a whole cache.</summary>
    private const string WildcardTag = "*";

    private readonly ICache _cache = cache ?? throw new ArgumentNullException(nameof(cache));

    public override ValueTask<T> GetOrCreateAsync<TState, T>(
        string key,
        TState state,
        Func<TState, CancellationToken, ValueTask<T>> factory,
        HybridCacheEntryOptions? options = null,
        IEnumerable<string>? tags = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(factory);
        cancellationToken.ThrowIfCancellationRequested();
        var entryOptions = HybridOptionsMapper.Map(options, tags);
        if (HybridOptionsMapper.DisablesUnderlyingData(options))
        {
            // HybridCache's contract: only the cache is asked, and a miss is default(T).
            return ReadOnlyAsync<T>(key, entryOptions, cancellationToken);
        }

        var call = new FactoryCall<TState, T>(this, key, state, factory);
        var pending = Start(call, entryOptions, cancellationToken);

        // A memory hit completes here, without joining any cancellation bookkeeping.
        return pending.IsCompletedSuccessfully ? new ValueTask<T>(pending.Result.Value) : WaitAsync(call, pending, entryOptions, cancellationToken);
    }

    public override ValueTask SetAsync<T>(string key, T value, HybridCacheEntryOptions? options = null, IEnumerable<string>? tags = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        return _cache.SetAsync(key, value, HybridOptionsMapper.Map(options, tags), cancellationToken);
    }

    public override ValueTask RemoveAsync(string key, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        var pending = _cache.RemoveAsync(key, cancellationToken);
        return pending.IsCompletedSuccessfully ? default : AwaitAsync(pending);
    }

    public override async ValueTask RemoveAsync(IEnumerable<string> keys, CancellationToken cancellationToken = default)
    {
        // HybridCache: null is empty.
        foreach (var key in keys ?? [])
        {
            await RemoveAsync(key, cancellationToken).ConfigureAwait(false);
        }
    }

    public override ValueTask RemoveByTagAsync(string tag, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(tag);
        if (tag == WildcardTag)
        {
            throw new NotSupportedException("RedisCaching's HybridCache does not support the wildcard tag '*' (remove everything); tag the entries and remove by those tags.");
        }

        // Whether Redis recorded it follows the app's failure policy (counted and logged, or thrown with
        // ThrowOnRedisFailure), as for every other write.
        var pending = _cache.RemoveByTagAsync(tag, cancellationToken);
        return pending.IsCompletedSuccessfully ? default : AwaitAsync(pending);
    }

    public override async ValueTask RemoveByTagAsync(IEnumerable<string> tags, CancellationToken cancellationToken = default)
    {
        foreach (var tag in tags ?? [])
        {
            await RemoveByTagAsync(tag, cancellationToken).ConfigureAwait(false);
        }
    }

    private ValueTask<T> ReadOnlyAsync<T>(string key, CacheEntryOptions? options, CancellationToken cancellationToken)
    {
        var pending = _cache.TryGetAsync<T>(key, options, cancellationToken);
        return pending.IsCompletedSuccessfully ? new ValueTask<T>(pending.Result.GetValueOrDefault(default!)) : AwaitValueOrDefaultAsync(pending);

        static async ValueTask<T> AwaitValueOrDefaultAsync(ValueTask<CacheResult<T>> pending) =>
            (await pending.ConfigureAwait(false)).GetValueOrDefault(default!);
    }

    private static async ValueTask AwaitAsync(ValueTask<bool> pending) => await pending.ConfigureAwait(false);
}
