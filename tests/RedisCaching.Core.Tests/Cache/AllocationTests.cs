using System;
using System.Threading.Tasks;
using NUnit.Framework;
using RedisCaching.Core.Tests.Connections;
using StackExchange.Redis;
using static RedisCaching.Core.Tests.Cache.CacheTestSupport;

namespace RedisCaching.Core.Tests.Cache;

/// <summary>
/// What a Redis hit allocates, against the raw StackExchange.Redis GET of the same bytes measured in the same test.
/// Continuations run on pool threads, so bytes are counted process-wide: the fixture runs alone, and the bound has
/// slack for whatever else the process allocates meanwhile.
/// </summary>
[NonParallelizable]
public class AllocationTests : StandaloneServerFixture
{
    private const int Reads = 2000;

    [Test]
    public async Task A_redis_hit_allocates_at_most_the_raw_get_plus_the_value()
    {
        var options = Options(Server);
        await using var connection = RedisConnectionFactory.Create(options.Redis);
        var cache = CreateCache(options, connection);
        var value = new string('x', 200);
        await cache.SetAsync("alloc", value);
        var redisKey = (RedisKey)cache.RedisKeyOf("alloc");
        var database = (await connection.GetMultiplexerAsync()).GetDatabase();

        var raw = await BytesPerReadAsync(async () => _ = (await database.StringGetAsync(redisKey)).HasValue);
        var redisHits = 0;
        var hit = await BytesPerReadAsync(async () => redisHits += (await cache.TryGetAsync<string>("alloc")).Tier == CacheTier.Redis ? 1 : 0);
        Assert.That(redisHits, Is.EqualTo(Reads + 200), "every read is a Redis hit");

        // The value is a 200-character string (~426 B). Before the pooled budget and state machines a hit cost
        // ~1,900 B (a timer, a promise and a box per async layer); now it is about the raw GET plus the value.
        var valueBytes = (2 * value.Length) + 32;
        TestContext.Out.WriteLine($"raw GET {raw:F0} B/read, cache Redis hit {hit:F0} B/read");
        Assert.That(hit, Is.LessThanOrEqualTo(raw + valueBytes + 256), $"a Redis hit allocated {hit:F0} B per read; the raw GET {raw:F0} B");
    }

    [Test]
    public async Task A_get_or_set_miss_allocates_about_the_raw_get_and_set_plus_its_flight()
    {
        var options = Options(Server);
        await using var connection = RedisConnectionFactory.Create(options.Redis);
        var cache = CreateCache(options, connection);
        var database = (await connection.GetMultiplexerAsync()).GetDatabase();
        var value = new string('x', 200);
        var payload = System.Text.Encoding.UTF8.GetBytes(System.Text.Json.JsonSerializer.Serialize(value));
        var next = 0;

        // Both build a fresh key per call the same way; the raw path serializes as the cache does (to a byte array).
        var raw = await BytesPerReadAsync(async () =>
        {
            RedisKey key = "alloc:raw:" + next++;
            if ((await database.StringGetAsync(key)).IsNull)
            {
                await database.StringSetAsync(key, System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(value), TimeSpan.FromMinutes(1));
            }
        });
        var factoryRuns = 0;
        var miss = await BytesPerReadAsync(async () =>
        {
            var result = await cache.GetOrSetAsync("alloc:miss:" + next++, value, static (v, _, _) => ValueTask.FromResult(v));
            factoryRuns += result.Tier == CacheTier.Factory ? 1 : 0;
        });
        Assert.That(factoryRuns, Is.EqualTo(Reads + 200), "every call is a miss");

        // On top of the raw calls: the flight (its completion source and task, the dictionary node, the leader's task,
        // the factory context) and the envelope, the price of single flight and fail-safe: +570-600 B measured. Before the
        // miss path's pooled state machines it was +1,390 B (benchmarks/README.md, "Get-or-set miss: BackgroundRedisWrite ...").
        TestContext.Out.WriteLine($"raw GET + SET {raw:F0} B/call, cache get-or-set miss {miss:F0} B/call ({payload.Length} B payload)");
        Assert.That(miss, Is.LessThanOrEqualTo(raw + 1024), $"a miss allocated {miss:F0} B per call; the raw GET + SET {raw:F0} B");
    }

    private static async Task<double> BytesPerReadAsync(Func<Task> read)
    {
        for (var i = 0; i < 200; i++)
        {
            await read();
        }

        var before = GC.GetTotalAllocatedBytes(precise: true);
        for (var i = 0; i < Reads; i++)
        {
            await read();
        }

        return (GC.GetTotalAllocatedBytes(precise: true) - before) / (double)Reads;
    }
}
