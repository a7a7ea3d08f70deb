using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;

namespace RedisCaching.Core.Tests.Adapters;

/// <summary>The data source behind <see cref="ProductCatalog"/>; counts how often the cache had to ask it.</summary>
public sealed class ProductDatabase
{
    private readonly ConcurrentDictionary<int, string> _names = new();
    private readonly ConcurrentDictionary<int, int> _stock = new();
    private int _loads;

    public int Loads => Volatile.Read(ref _loads);

    public void Rename(int id, string name) => _names[id] = name;

    public void SetStock(int id, int count) => _stock[id] = count;

    public async ValueTask<Product> LoadProductAsync(int id, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _loads);
        await Task.Yield();
        cancellationToken.ThrowIfCancellationRequested();
        return new Product(id, _names.GetValueOrDefault(id, $"product {id}"));
    }

    public async ValueTask<int> LoadStockAsync(int id, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _loads);
        await Task.Yield();
        cancellationToken.ThrowIfCancellationRequested();
        return _stock.GetValueOrDefault(id);
    }
}
