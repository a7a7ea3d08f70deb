using System;
using System.Threading.Tasks;
using Microsoft.Extensions.DependencyInjection;
using NUnit.Framework;
using RedisCaching.Core.Tests.Connections;
using static RedisCaching.Core.Tests.Adapters.AdapterTestSupport;

namespace RedisCaching.Core.Tests.Adapters;

/// <summary>
/// <see cref="ProductCatalog"/>, written against Microsoft's HybridCache only, running on RedisCaching through
/// <c>AsHybridCache()</c>: two app instances (two service providers) on one Redis, as two servers would be.
/// </summary>
public class HybridCacheConsumerTests : StandaloneServerFixture
{
    private string _prefix = null!;
    private ProductDatabase _database = null!;

    [SetUp]
    public void NewApp()
    {
        _prefix = NewPrefix();
        _database = new ProductDatabase();
    }

    private Task<ServiceProvider> StartInstanceAsync() =>
        BuildAsync(Server, _prefix, services => services.AddSingleton(_database).AddSingleton<ProductCatalog>());

    [Test]
    public async Task A_product_is_loaded_once_then_served_from_memory_and_from_redis_to_the_other_instance()
    {
        await using var first = await StartInstanceAsync();
        await using var second = await StartInstanceAsync();
        _database.Rename(1, "kettle");
        var fromFactory = await first.GetRequiredService<ProductCatalog>().GetProductAsync(1);
        var fromMemory = await first.GetRequiredService<ProductCatalog>().GetProductAsync(1);
        var redisHitsBefore = Engine(second).Counters.RedisHits;
        var fromRedis = await second.GetRequiredService<ProductCatalog>().GetProductAsync(1);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(fromFactory, Is.EqualTo(new Product(1, "kettle")));
            Assert.That(fromMemory, Is.EqualTo(fromFactory));
            Assert.That(fromRedis, Is.EqualTo(fromFactory));
            Assert.That(_database.Loads, Is.EqualTo(1));
            Assert.That(Engine(second).Counters.RedisHits, Is.EqualTo(redisHitsBefore + 1), "the other instance read it from Redis");
        }
    }

    [Test]
    public async Task Remove_by_tag_on_one_instance_is_seen_by_the_other_within_the_staleness_bound()
    {
        await using var first = await StartInstanceAsync();
        await using var second = await StartInstanceAsync();
        var writer = first.GetRequiredService<ProductCatalog>();
        var reader = second.GetRequiredService<ProductCatalog>();
        _database.Rename(1, "kettle");
        _database.Rename(2, "toaster");
        await reader.GetProductAsync(1);
        await reader.GetProductAsync(2);
        Assert.That((await reader.GetProductAsync(1)).Name, Is.EqualTo("kettle"), "in the reader's memory now");

        _database.Rename(1, "electric kettle");
        _database.Rename(2, "four-slot toaster");
        await writer.CatalogChangedAsync();

        // The removal is in Redis before RemoveByTagAsync returns. The reader drops the tag's token from memory when the
        // invalidation reaches it, and serves nothing from memory that is older than Memory:MaxStaleness (25 ms by
        // default); twice that covers the coarse clock's step. Asserting with no wait failed once in a full-suite run (the
        // invalidation was still on its way).
        await Task.Delay(2 * new MemoryTierOptions().MaxStaleness);
        using (Assert.EnterMultipleScope())
        {
            Assert.That((await reader.GetProductAsync(1)).Name, Is.EqualTo("electric kettle"));
            Assert.That((await reader.GetProductAsync(2)).Name, Is.EqualTo("four-slot toaster"));
            Assert.That(_database.Loads, Is.EqualTo(4));
        }
    }

    [Test]
    public async Task Remove_on_one_instance_reaches_the_others_memory()
    {
        await using var first = await StartInstanceAsync();
        await using var second = await StartInstanceAsync();
        var writer = first.GetRequiredService<ProductCatalog>();
        var reader = second.GetRequiredService<ProductCatalog>();
        _database.SetStock(7, 5);
        Assert.That(await writer.GetStockAsync(7), Is.EqualTo(5));
        Assert.That(await reader.GetStockAsync(7), Is.EqualTo(5));
        Assert.That(await reader.GetStockAsync(7), Is.EqualTo(5), "in the reader's memory now");

        _database.SetStock(7, 4);
        await writer.StockChangedAsync(7);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(await writer.GetStockAsync(7), Is.EqualTo(4), "the writer's own memory at once");
            Assert.That(await EventuallyAsync(async () => await reader.GetStockAsync(7) == 4, TimeSpan.FromSeconds(5)), Is.True, "the reader's memory through Redis's invalidation");
            Assert.That(_database.Loads, Is.EqualTo(2), "one load for the old stock, one after the change");
        }
    }
}
