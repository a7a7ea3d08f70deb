using System.Collections.Concurrent;
using System.Threading;
using System.Threading.Tasks;
using RedisCaching;

namespace QuickStart;

/// <summary>A product in the demo's catalog.</summary>
public sealed record Product(int Id, string Name, decimal Price);

/// <summary>
/// A service whose reads are cached by attributes: RedisCaching's source generator writes the caching decorator at
/// compile time, and <c>AddCachedServices()</c> wraps the registration in it.
/// </summary>
public interface ICatalog
{
    /// <summary>Reads a product; cached under <c>product:{id}</c> for five minutes, tagged with the catalog.</summary>
    [Cached(Key = "product:{id}", Expiration = "00:05:00", Tags = new[] { "catalog" })]
    Task<Product?> GetProductAsync(int id, CancellationToken cancellationToken);

    /// <summary>Changes a product; its cached copy goes once the change is made.</summary>
    [CacheInvalidate(Keys = new[] { "product:{product.Id}" })]
    Task UpdateProductAsync(Product product, CancellationToken cancellationToken);

    /// <summary>How many times the slow store was read (the demo prints it).</summary>
    int StoreReads { get; }
}

/// <summary>The "database": an in-memory store that counts its reads.</summary>
internal sealed class Catalog : ICatalog
{
    private readonly ConcurrentDictionary<int, Product> _products = new();
    private int _storeReads;

    public int StoreReads => Volatile.Read(ref _storeReads);

    public async Task<Product?> GetProductAsync(int id, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _storeReads);
        await Task.Delay(20, cancellationToken); // a database round trip
        return _products.TryGetValue(id, out var product) ? product : null;
    }

    public Task UpdateProductAsync(Product product, CancellationToken cancellationToken)
    {
        _products[product.Id] = product;
        return Task.CompletedTask;
    }
}
