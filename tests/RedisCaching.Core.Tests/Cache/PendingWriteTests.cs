using System;
using System.Threading;
using System.Threading.Tasks;
using NUnit.Framework;
using RedisCaching.Core.Tests.Connections;
using static RedisCaching.Core.Tests.Cache.CacheTestSupport;

namespace RedisCaching.Core.Tests.Cache;

/// <summary>
/// The pooled wait behind every write (RedisCache.PendingWrite): the caller's token releases it while the SET is
/// still queued, and reused objects, timers and buffers never mix one write up with another.
/// </summary>
public class PendingWriteTests : StandaloneServerFixture
{
    [Test]
    public async Task A_write_cancelled_while_redis_holds_it_never_leaves_memory_older_than_redis()
    {
        // A long budget: only the token can release the caller while the server holds the SET.
        await using var c = await CreateCoherentAsync(Server, Options(Server, o => o.RedisTimeout = TimeSpan.FromSeconds(10)));
        await c.Cache.SetAsync("k", "v0");
        Assert.That((await c.Cache.TryGetAsync<string>("k")).Tier, Is.EqualTo(CacheTier.Memory));
        await Server.RunCliAsync("CLIENT", "PAUSE", "1500", "WRITE");
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));
        Assert.CatchAsync<OperationCanceledException>(async () => await c.Cache.SetAsync("k", "v1", null, cts.Token));
        await Task.Delay(2000);
        var read = await c.Cache.TryGetAsync<string>("k");
        var redis = (await c.Cache.TryGetAsync<string>("k", new CacheEntryOptions { Skip = CacheSkip.Memory })).Value;
        TestContext.Out.WriteLine($"redis={redis} cache={read.Value} tier={read.Tier}");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(read.Value, Is.EqualTo("v1"), $"Redis holds {redis}, memory served {read.Value} ({read.Tier})");
            Assert.That(c.Cache.Counters.RedisFailures, Is.Zero, "a cancellation is the caller's, not a Redis failure");
            Assert.That(c.Cache.CircuitState, Is.EqualTo(RedisCircuitState.Closed));
        }
    }

    [Test]
    public async Task Concurrent_writes_of_different_sizes_each_land_their_own_value()
    {
        const int keys = 64;
        await using var c = await CreateCoherentAsync(Server, Options(Server));
        var sets = new ValueTask[keys];
        for (var round = 0; round < 20; round++)
        {
            for (var i = 0; i < keys; i++)
            {
                // Stored once and awaited once, below: all are in flight before the first await.
#pragma warning disable CA2012
                sets[i] = c.Cache.SetAsync("c" + i, ValueOf(round, i));
#pragma warning restore CA2012
            }

            for (var i = 0; i < keys; i++)
            {
                await sets[i];
            }
        }

        var fromRedis = new CacheEntryOptions { Skip = CacheSkip.Memory };
        using (Assert.EnterMultipleScope())
        {
            for (var i = 0; i < keys; i++)
            {
                Assert.That((await c.Cache.TryGetAsync<string>("c" + i, fromRedis)).Value, Is.EqualTo(ValueOf(19, i)), $"Redis, key c{i}");
                Assert.That((await c.Cache.TryGetAsync<string>("c" + i)).Value, Is.EqualTo(ValueOf(19, i)), $"memory, key c{i}");
            }
        }

        // Lengths from a few bytes to ~10 KB, so pooled buffers of several sizes are rented, returned and reused.
        static string ValueOf(int round, int key) => $"{round}:{key}:" + new string((char)('a' + ((round + key) % 26)), (round * 131 + key * 157) % 10_000);
    }
}
