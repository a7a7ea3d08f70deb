using System;
using System.Threading.Tasks;
using RedisCaching;

namespace QuickStart;

/// <summary>The <c>[Cached]</c> part of the demo: the generated decorator reads through the cache and invalidates on update.</summary>
internal sealed class MethodCachingSteps(ICatalog catalog)
{
    public async Task ShowAsync()
    {
        // Start from a known price (this also evicts an entry left by an earlier run against the same server).
        await catalog.UpdateProductAsync(new Product(7, "Kettle", 39.90m), default);
        var first = await catalog.GetProductAsync(7, default);
        var second = await catalog.GetProductAsync(7, default);
        Console.WriteLine($"5. [Cached] GetProductAsync(7) twice -> {first?.Name} {first?.Price}, {second?.Name} {second?.Price}; store read {catalog.StoreReads} time(s)");
        if (catalog.StoreReads != 1 || second != first)
        {
            throw new RedisCachingException("The cached method did not serve its second call from the cache.");
        }

        await catalog.UpdateProductAsync(new Product(7, "Kettle", 34.90m), default);
        var updated = await catalog.GetProductAsync(7, default);
        Console.WriteLine($"   [CacheInvalidate] UpdateProductAsync, then GetProductAsync(7) -> {updated?.Name} {updated?.Price}; store read {catalog.StoreReads} time(s)");
        if (updated is not { Price: 34.90m } || catalog.StoreReads != 2)
        {
            throw new RedisCachingException("The update did not evict the cached product.");
        }
    }
}
