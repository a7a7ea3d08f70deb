using System;
using System.Threading;
using System.Threading.Tasks;

namespace RedisCaching.Benchmarks.Peers;

/// <summary>
/// RedisCaching's own <see cref="ICache"/> behind the benchmark seam. The adapter is complete; what is missing is an
/// <see cref="ICache"/> implementation to hand it (RedisCaching.Core has none yet). To plug it in, see the README,
/// "Peers", "Adding RedisCaching": create the cache in <see cref="CreateAsync"/> and enable the line in
/// <see cref="PeerCatalog"/>.
/// </summary>
public sealed class RedisCachingPeer : ICacheUnderTest
{
    private static readonly CacheEntryOptions L2Only = new() { Skip = CacheSkip.Memory };

    private readonly ICache _cache;
    private readonly IAsyncDisposable? _owner;

    /// <param name="cache">The cache under test.</param>
    /// <param name="owner">Disposed with the peer (e.g. the service provider that built the cache).</param>
    public RedisCachingPeer(ICache cache, IAsyncDisposable? owner)
    {
        _cache = cache;
        _owner = owner;
    }

    public string Name => PeerNames.RedisCaching;

    // Tags: ICache has no remove-by-tag member yet (issue 9 asks for one); add PeerFeatures.Tags with it.
    public PeerFeatures Features => PeerFeatures.MemoryTier | PeerFeatures.DistributedTier
        | PeerFeatures.CrossInstanceInvalidation | PeerFeatures.StampedeProtection;

    /// <summary>Creates the cache on <paramref name="endpoint"/> with its own connection. Not possible yet.</summary>
    public static Task<RedisCachingPeer> CreateAsync(System.Net.IPEndPoint endpoint, string instance) =>
        throw new NotSupportedException(
            "RedisCaching.Core has no ICache implementation yet: see benchmarks/README.md, section Peers, 'Adding RedisCaching'.");

    public async ValueTask<T> GetOrSetAsync<T>(string key, Func<string, CancellationToken, ValueTask<T>> factory, string[]? tags = null, CancellationToken cancellationToken = default)
    {
        CacheEntryOptions? options = tags is null ? null : new CacheEntryOptions { Tags = tags };
        CacheResult<T> result = await _cache.GetOrSetAsync(
            key, factory, static (f, context, ct) => f(context.Key, ct), options, cancellationToken);
        return result.Value;
    }

    public async ValueTask<Lookup<T>> TryGetAsync<T>(string key, CancellationToken cancellationToken = default)
    {
        CacheResult<T> result = await _cache.TryGetAsync<T>(key, null, cancellationToken);
        return result.HasValue ? new Lookup<T>(true, result.Value) : default;
    }

    public async ValueTask<Lookup<T>> TryGetFromL2Async<T>(string key, CancellationToken cancellationToken = default)
    {
        CacheResult<T> result = await _cache.TryGetAsync<T>(key, L2Only, cancellationToken);
        return result.HasValue ? new Lookup<T>(true, result.Value) : default;
    }

    public ValueTask SetAsync<T>(string key, T value, string[]? tags = null, CancellationToken cancellationToken = default) =>
        _cache.SetAsync(key, value, tags is null ? null : new CacheEntryOptions { Tags = tags }, cancellationToken);

    public async ValueTask RemoveAsync(string key, CancellationToken cancellationToken = default) =>
        await _cache.RemoveAsync(key, cancellationToken);

    public ValueTask RemoveByTagAsync(string tag, CancellationToken cancellationToken = default) =>
        throw new NotSupportedException("ICache has no remove-by-tag member yet.");

    public async ValueTask DisposeAsync()
    {
        if (_owner is not null)
        {
            await _owner.DisposeAsync();
        }
    }
}
