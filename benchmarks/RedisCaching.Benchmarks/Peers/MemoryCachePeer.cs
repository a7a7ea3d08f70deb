using System;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Caching.Memory;

namespace RedisCaching.Benchmarks.Peers;

/// <summary>The L1 baseline: <see cref="MemoryCache"/> alone, no Redis, no tags, no stampede protection.</summary>
public sealed class MemoryCachePeer : ICacheUnderTest
{
    private readonly MemoryCache _cache = new(new MemoryCacheOptions());
    private readonly MemoryCacheEntryOptions _entryOptions = new() { AbsoluteExpirationRelativeToNow = PeerDefaults.Duration };

    public string Name => PeerNames.Memory;

    public PeerFeatures Features => PeerFeatures.MemoryTier;

    /// <summary>The cache itself, for benchmarks that call <c>TryGetValue</c> directly (the L1 baseline).</summary>
    public IMemoryCache Cache => _cache;

    public ValueTask<T> GetOrSetAsync<T>(string key, Func<string, CancellationToken, ValueTask<T>> factory, string[]? tags = null, CancellationToken cancellationToken = default)
    {
        return _cache.TryGetValue(key, out object? value) ? new ValueTask<T>((T)value!) : Slow(this, key, factory, cancellationToken);

        static async ValueTask<T> Slow(MemoryCachePeer self, string key, Func<string, CancellationToken, ValueTask<T>> factory, CancellationToken cancellationToken)
        {
            T created = await factory(key, cancellationToken);
            self._cache.Set(key, created, self._entryOptions);
            return created;
        }
    }

    public ValueTask<Lookup<T>> TryGetAsync<T>(string key, CancellationToken cancellationToken = default) =>
        new(_cache.TryGetValue(key, out object? value) ? new Lookup<T>(true, (T)value!) : default(Lookup<T>));

    public ValueTask<Lookup<T>> TryGetFromL2Async<T>(string key, CancellationToken cancellationToken = default) =>
        throw new NotSupportedException("MemoryCache has no distributed tier.");

    public ValueTask SetAsync<T>(string key, T value, string[]? tags = null, CancellationToken cancellationToken = default)
    {
        _cache.Set(key, value, _entryOptions);
        return ValueTask.CompletedTask;
    }

    public ValueTask RemoveAsync(string key, CancellationToken cancellationToken = default)
    {
        _cache.Remove(key);
        return ValueTask.CompletedTask;
    }

    public ValueTask RemoveByTagAsync(string tag, CancellationToken cancellationToken = default) =>
        throw new NotSupportedException("MemoryCache has no tags.");

    public ValueTask DisposeAsync()
    {
        _cache.Dispose();
        return ValueTask.CompletedTask;
    }
}
