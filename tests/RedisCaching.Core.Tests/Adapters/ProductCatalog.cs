using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Caching.Hybrid;

namespace RedisCaching.Core.Tests.Adapters;

/// <summary>
/// Application code written against Microsoft's <see cref="HybridCache"/> only, as it would be with
/// <c>AddHybridCache()</c>: it knows nothing of RedisCaching.
/// </summary>
public sealed class ProductCatalog(HybridCache cache, ProductDatabase database)
{
    private static readonly HybridCacheEntryOptions ProductOptions = new() { Expiration = System.TimeSpan.FromMinutes(10) };

    public ValueTask<Product> GetProductAsync(int id, CancellationToken cancellationToken = default) =>
        cache.GetOrCreateAsync(
            $"product:{id}",
            (database, id),
            static (state, token) => state.database.LoadProductAsync(state.id, token),
            ProductOptions,
            ["products", $"product-{id}"],
            cancellationToken);

    /// <summary>Stock changes often and is not tagged.</summary>
    public ValueTask<int> GetStockAsync(int id, CancellationToken cancellationToken = default) =>
        cache.GetOrCreateAsync($"stock:{id}", (database, id), static (state, token) => state.database.LoadStockAsync(state.id, token), cancellationToken: cancellationToken);

    public ValueTask StockChangedAsync(int id, CancellationToken cancellationToken = default) => cache.RemoveAsync($"stock:{id}", cancellationToken);

    public ValueTask CatalogChangedAsync(CancellationToken cancellationToken = default) => cache.RemoveByTagAsync("products", cancellationToken);
}
