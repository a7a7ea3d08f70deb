using System;
using System.Linq;
using System.Threading;
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
    public async Task Reads_coalesced_under_64_callers_allocate_at_most_the_raw_get_plus_the_value()
    {
        const int Callers = 64;
        var options = Options(Server);
        await using var connection = RedisConnectionFactory.Create(options.Redis);
        var cache = CreateCache(options, connection);
        var value = new string('x', 200);
        var keys = Enumerable.Range(0, Callers).Select(i => "alloc:many:" + i).ToArray();
        foreach (var key in keys)
        {
            await cache.SetAsync(key, value);
        }

        var redisKeys = keys.Select(key => (RedisKey)cache.RedisKeyOf(key)).ToArray();
        var database = (await connection.GetMultiplexerAsync()).GetDatabase();
        var raw = await BytesPerConcurrentReadAsync(Callers, async caller => _ = (await database.StringGetAsync(redisKeys[caller])).HasValue);
        var payload = (await database.StringGetAsync(redisKeys[0])).Length();
        var alone = await BytesPerReadAsync(async () => _ = (await cache.TryGetAsync<string>(keys[0])).HasValue);
        var coalescedBefore = cache.Coalescer!.CoalescedReads;
        var redisHits = 0;
        var hit = await BytesPerConcurrentReadAsync(Callers, async caller =>
        {
            var read = await cache.TryGetAsync<string>(keys[caller]);
            if (read.Tier == CacheTier.Redis && ReferenceEquals(read.Value, value) is false && read.Value == value)
            {
                Interlocked.Increment(ref redisHits);
            }
        });
        var coalesced = cache.Coalescer.CoalescedReads - coalescedBefore;

        // Each coalesced read's value comes out of the MGET reply as an array of its own (StackExchange.Redis has no
        // leased multi-key read), where a GET alone rents it; the command, its task and the read's awaitable are shared
        // or pooled. So a coalesced read may cost a read alone plus its payload. Measured: +100 B; before the pooled
        // reads +250 B (a completion source and its task per read, a list and a continuation per batch).
        var valueBytes = (2 * value.Length) + 32;
        TestContext.Out.WriteLine($"raw GET {raw:F0} B/read, cache Redis hit {hit:F0} B/read with {Callers} callers ({coalesced} of {redisHits} reads coalesced), {alone:F0} B/read alone; payload {payload} B");
        Assert.That(redisHits, Is.EqualTo(Callers * ((200 / Callers) + 1 + (Reads / Callers))), "every read is a Redis hit with its own key's value");
        Assert.That(coalesced, Is.GreaterThan(redisHits / 2), "most reads went in an MGET with others");
        Assert.That(hit, Is.LessThanOrEqualTo(raw + valueBytes + 256), $"a coalesced Redis hit allocated {hit:F0} B per read; the raw GET {raw:F0} B");
        Assert.That(hit, Is.LessThanOrEqualTo(alone + payload), $"a coalesced Redis hit allocated {hit:F0} B per read; a read alone {alone:F0} B, the payload {payload} B");
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

    /// <summary>Bytes per read with <paramref name="callers"/> loops reading at once (every thread's allocations: the
    /// reads complete on the thread pool), over the same number of reads in all as <see cref="BytesPerReadAsync"/>.</summary>
    private static async Task<double> BytesPerConcurrentReadAsync(int callers, Func<int, Task> read)
    {
        async Task RoundsAsync(int rounds) =>
            await Task.WhenAll(Enumerable.Range(0, callers).Select(async caller =>
            {
                await Task.Yield();
                for (var i = 0; i < rounds; i++)
                {
                    await read(caller);
                }
            }));

        await RoundsAsync(200 / callers + 1);
        var before = GC.GetTotalAllocatedBytes(precise: true);
        await RoundsAsync(Reads / callers);
        return (GC.GetTotalAllocatedBytes(precise: true) - before) / (double)(Reads / callers * callers);
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
