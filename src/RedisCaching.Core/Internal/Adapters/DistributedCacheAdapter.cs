using System;
using System.Buffers;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Caching.Distributed;
using RedisCaching.Internal.Engine;

namespace RedisCaching.Internal.Adapters;

/// <summary>
/// <see cref="IDistributedCache"/> and <see cref="IBufferDistributedCache"/> served by <see cref="ICache"/>, so
/// consumers of Microsoft's distributed cache (session state, Microsoft's HybridCache as its L2) get the engine's
/// coherent memory tier in front of Redis. Values are stored as they are after the entry header (serializer id
/// RawBytes), keys follow the engine's key rules (<see cref="CacheKeyException"/>), and entries never outlive
/// their expiration (no fail-safe).
/// </summary>
internal sealed partial class DistributedCacheAdapter(ICache cache, TimeProvider time) : IDistributedCache, IBufferDistributedCache
{
    private readonly ICache _cache = cache ?? throw new ArgumentNullException(nameof(cache));
    private readonly TimeProvider _time = time ?? throw new ArgumentNullException(nameof(time));

    public Task<byte[]?> GetAsync(string key, CancellationToken token = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        var pending = _cache.TryGetAsync<byte[]>(key, null, token);
        return pending.IsCompletedSuccessfully ? Task.FromResult(ValueOrNull(pending.Result)) : AwaitAsync(pending);

        static async Task<byte[]?> AwaitAsync(ValueTask<CacheResult<byte[]>> pending) => ValueOrNull(await pending.ConfigureAwait(false));
    }

    public Task SetAsync(string key, byte[] value, DistributedCacheEntryOptions options, CancellationToken token = default)
    {
        ArgumentNullException.ThrowIfNull(value);
        return _cache.SetAsync(key, value, MapOptions(key, options), token).AsTask();
    }

    public Task RefreshAsync(string key, CancellationToken token = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        return _cache.RefreshAsync(key, token).AsTask();
    }

    public Task RemoveAsync(string key, CancellationToken token = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        return _cache.RemoveAsync(key, token).AsTask();
    }

    /// <summary>
    /// Copies the value into <paramref name="destination"/>. The engine copies the payload out of the Redis lease (or
    /// the memory tier) into pooled memory, and from there it goes to the destination: no <c>byte[]</c> is allocated.
    /// </summary>
    public ValueTask<bool> TryGetAsync(string key, IBufferWriter<byte> destination, CancellationToken token = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(destination);
        var pending = _cache.TryGetAsync<PooledBytes>(key, null, token);
        return pending.IsCompletedSuccessfully ? new ValueTask<bool>(CopyOut(pending.Result, destination)) : AwaitAsync(pending, destination);

        static async ValueTask<bool> AwaitAsync(ValueTask<CacheResult<PooledBytes>> pending, IBufferWriter<byte> destination) =>
            CopyOut(await pending.ConfigureAwait(false), destination);
    }

    public ValueTask SetAsync(string key, ReadOnlySequence<byte> value, DistributedCacheEntryOptions options, CancellationToken token = default) =>
        _cache.SetAsync(key, value, MapOptions(key, options), token);

    private CacheEntryOptions MapOptions(string key, DistributedCacheEntryOptions options)
    {
        ArgumentNullException.ThrowIfNull(key);
        return DistributedOptionsMapper.Map(options, _time.GetUtcNow());
    }

    private static byte[]? ValueOrNull(CacheResult<byte[]> result) => result.HasValue ? result.Value : null;

    private static bool CopyOut(CacheResult<PooledBytes> result, IBufferWriter<byte> destination)
    {
        if (!result.HasValue)
        {
            return false;
        }

        var bytes = result.Value;
        try
        {
            destination.Write(bytes.Span);
        }
        finally
        {
            bytes.Return();
        }

        return true;
    }
}
