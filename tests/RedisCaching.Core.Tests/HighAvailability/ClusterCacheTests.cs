using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using NUnit.Framework;
using RedisCaching.Internal.Engine;
using RedisCaching.Internal.Keys;
using RedisCaching.Internal.Memory;
using RedisCaching.Testing;
using StackExchange.Redis;
using static RedisCaching.Core.Tests.Cache.CacheTestSupport;

namespace RedisCaching.Core.Tests.HighAvailability;

/// <summary>
/// The cache on a Redis Cluster (three primaries with a replica each), reached through a connection string that lists
/// the nodes. One cluster for the whole fixture (it takes seconds to start): the tests that reshape it (reshard, then
/// the SIGKILL of a primary) run last, in that order.
/// </summary>
/// <remarks>
/// The functional tests run with the in-process tier off (every read reaches the cluster, so a read right after another
/// instance's write is deterministic); the load tests under a reshard and a kill run with it on (per-node tracking,
/// MaxStaleness 25 ms), so they check the tier's coherence through both as well.
/// </remarks>
[Category("HaTopology")]
// Alone: the load tests measure pauses, and a Sentinel fixture's load beside them on two cores would blur them.
[NonParallelizable]
public sealed partial class ClusterCacheTests : ClusterTest
{
    private readonly List<IAsyncDisposable> _owned = [];
    private readonly List<CoherentMemoryTier> _tiers = [];

    protected override string FixtureName => "cluster cache";

    [TearDown]
    public async Task DisposeOwned()
    {
        // Caches before the connections under them.
        foreach (var item in Enumerable.Reverse(_owned))
        {
            await item.DisposeAsync();
        }

        _owned.Clear();
        _tiers.Clear();
    }

    [Test, Order(1)]
    public async Task Keys_with_and_without_hash_tags_are_set_read_and_removed_on_every_primary()
    {
        var (options, caches, multiplexer) = await InstancesAsync(2);
        var keys = new CacheKeyBuilder(options.Keys);
        var plain = Enumerable.Range(0, 60).Select(i => $"item:{i}").ToArray();
        var tagged = Enumerable.Range(0, 10).Select(i => $"{{user:7}}:item:{i}").ToArray();
        string[] all = [.. plain, .. tagged];
        foreach (var key in all)
        {
            await caches[0].SetAsync(key, "v:" + key);
        }

        // Read through the other instance: its own connection, so the values come from the cluster.
        var read = await Task.WhenAll(all.Select(k => caches[1].TryGetAsync<string>(k).AsTask()));
        using (Assert.EnterMultipleScope())
        {
            Assert.That(read.Select(r => r.Value), Is.EqualTo(all.Select(k => "v:" + k)));
            Assert.That(plain.Select(k => OwnerOf(multiplexer, keys.ToRedisKey(k))).Distinct().Count(), Is.EqualTo(3), "plain keys on every primary");
            Assert.That(tagged.Select(k => multiplexer.HashSlot(keys.ToRedisKey(k))).Distinct().Count(), Is.EqualTo(1), "hash-tagged keys share a slot");
            Assert.That(multiplexer.HashSlot(keys.ToRedisKey(tagged[0])), Is.EqualTo(multiplexer.HashSlot("{user:7}")), "the key's hash tag decides, not the cache's prefix");
        }

        var removed = all.Where((_, i) => i % 2 == 0).ToArray();
        foreach (var key in removed)
        {
            Assert.That(await caches[1].RemoveAsync(key), Is.True, key);
        }

        var after = await Task.WhenAll(all.Select(k => caches[0].TryGetAsync<string>(k).AsTask()));
        Assert.That(after.Select(r => r.HasValue), Is.EqualTo(all.Select((_, i) => i % 2 != 0)), "removed keys miss, the others still hit");
    }

    [Test, Order(2)]
    public async Task Many_key_get_and_set_across_slots_return_values_in_the_callers_order()
    {
        var (options, caches, multiplexer) = await InstancesAsync(2);
        var keys = new CacheKeyBuilder(options.Keys);
        var entries = Enumerable.Range(0, 300).Select(i => $"many:{i}").Concat(Enumerable.Range(0, 20).Select(i => $"{{batch}}:{i}"))
            .Select(k => new KeyValuePair<string, string>(k, "v:" + k)).ToArray();
        await caches[0].SetManyAsync(entries);

        // Shuffled, with keys nobody wrote in between: each result must be its own key's.
        var random = new Random(13);
        var asked = entries.Select(e => e.Key).Concat(Enumerable.Range(0, 40).Select(i => $"absent:{i}")).OrderBy(_ => random.Next()).ToArray();
        var results = await caches[1].GetManyAsync<string>(asked);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(results.Select(r => r.HasValue ? r.Value : null), Is.EqualTo(asked.Select(k => k.StartsWith("absent:", StringComparison.Ordinal) ? null : "v:" + k)));
            Assert.That(asked.Select(k => multiplexer.HashSlot(keys.ToRedisKey(k))).Distinct().Count(), Is.GreaterThan(200), "keys across slots");
            Assert.That(entries.Select(e => OwnerOf(multiplexer, keys.ToRedisKey(e.Key))).Distinct().Count(), Is.EqualTo(3), "keys on every primary");
        }
    }

    [Test, Order(3)]
    public async Task Remove_by_tag_removes_tagged_entries_in_every_slot()
    {
        var (options, caches, multiplexer) = await InstancesAsync(2);
        var keys = new CacheKeyBuilder(options.Keys);
        var tagT = new CacheEntryOptions { Tags = ["t"] };
        var tagU = new CacheEntryOptions { Tags = ["u"] };
        var tagTu = new CacheEntryOptions { Tags = ["t", "u"] };
        var onlyT = Enumerable.Range(0, 40).Select(i => $"t:{i}").ToArray();
        var onlyU = Enumerable.Range(0, 20).Select(i => $"u:{i}").ToArray();
        var both = Enumerable.Range(0, 10).Select(i => $"tu:{i}").ToArray();
        await caches[0].SetManyAsync([.. onlyT.Select(k => KeyValuePair.Create(k, "v"))], tagT);
        await caches[0].SetManyAsync([.. onlyU.Select(k => KeyValuePair.Create(k, "v"))], tagU);
        await caches[0].SetManyAsync([.. both.Select(k => KeyValuePair.Create(k, "v"))], tagTu);
        Assert.That((await caches[1].GetManyAsync<string>([.. onlyT, .. onlyU, .. both])).Select(r => r.HasValue), Is.All.True);

        Assert.That(await caches[1].RemoveByTagAsync("t"), Is.True);

        var tokenSlot = multiplexer.HashSlot(keys.Qualify(keys.ToTagKey("t")));
        var afterT = await caches[0].GetManyAsync<string>([.. onlyT, .. both]);
        var afterU = await caches[0].GetManyAsync<string>(onlyU);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(afterT.Select(r => r.HasValue), Is.All.False, "every entry tagged t is gone, whatever its slot");
            Assert.That(afterU.Select(r => r.HasValue), Is.All.True, "entries tagged u only are kept");
            Assert.That(onlyT.Select(k => OwnerOf(multiplexer, keys.ToRedisKey(k))).Distinct().Count(), Is.EqualTo(3), "tagged entries on every primary");
            // Not hash-tagged with the entries: at most one of the 40 shares its slot, by chance (the prefix is random,
            // and in about one run in 400 one key lands there: a local run saw it once when this asserted none).
            Assert.That(onlyT.Count(k => multiplexer.HashSlot(keys.ToRedisKey(k)) == tokenSlot), Is.LessThanOrEqualTo(1), "the tag's token key is in a slot of its own");
        }
    }

    [Test, Order(4)]
    public async Task Distributed_lock_runs_the_factory_once_across_instances_on_aCluster()
    {
        var (options, caches, multiplexer) = await InstancesAsync(4);
        var keys = new CacheKeyBuilder(options.Keys);
        var locked = new CacheEntryOptions { DistributedLockTimeout = TimeSpan.FromSeconds(10) };
        foreach (var key in new[] { "report:1", "{tenant:4}:report:2" })
        {
            var runs = 0;
            var start = new TaskCompletionSource();
            var calls = caches.Select(async cache =>
            {
                await start.Task;
                return await cache.GetOrSetAsync(key, 0, async (_, _, ct) =>
                {
                    var run = Interlocked.Increment(ref runs);
                    await Task.Delay(300, ct);
                    return "run-" + run.ToString(CultureInfo.InvariantCulture);
                }, locked);
            }).ToArray();
            start.SetResult();
            var results = await Task.WhenAll(calls);
            using (Assert.EnterMultipleScope())
            {
                Assert.That(runs, Is.EqualTo(1), key);
                Assert.That(results.Select(r => r.Value), Is.All.EqualTo("run-1"), key);
                Assert.That(caches.Sum(c => c.LockCounters.Acquired), Is.GreaterThanOrEqualTo(1), key);
            }
        }

        // The lock key is the entry's key under "!lock:": a hash tag in the key puts both in one slot.
        Assert.That(multiplexer.HashSlot(caches[0].LockKeyOf("{tenant:4}:report:2")), Is.EqualTo(multiplexer.HashSlot(keys.ToRedisKey("{tenant:4}:report:2"))));
    }

    /// <summary>Cache options for this cluster: every node a seed, failures thrown as CacheUnavailableException.</summary>
    private RedisCachingOptions ClusterOptions(bool memory) => new()
    {
        Redis = { ConnectionString = string.Join(",", Cluster.SeedEndpoints.Select(e => e.ToString())) },
        Keys = { Prefix = "c" + Guid.NewGuid().ToString("N")[..12] },
        RedisTimeout = TimeSpan.FromSeconds(1),
        ThrowOnRedisFailure = true,
        CircuitBreakDuration = TimeSpan.FromMilliseconds(500),
        Memory = { Enabled = memory },
    };

    /// <summary>Cache instances on one key space, each on its own connection, and the first one's multiplexer (to ask where keys live).</summary>
    private async Task<(RedisCachingOptions Options, RedisCache[] Caches, IConnectionMultiplexer Multiplexer)> InstancesAsync(int count, bool memory = false)
    {
        var options = ClusterOptions(memory);
        var caches = new RedisCache[count];
        IConnectionMultiplexer? first = null;
        for (var i = 0; i < count; i++)
        {
            if (memory)
            {
                var coherent = await CreateCoherentAsync(null, options);
                Assert.That(coherent.Tier.Mode, Is.EqualTo(CacheCoherenceMode.Tracking), "the tier tracks every primary");
                _owned.Add(coherent);
                _tiers.Add(coherent.Tier);
                first ??= await coherent.Connection.GetMultiplexerAsync();
                caches[i] = coherent.Cache;
                continue;
            }

            var connection = RedisConnectionFactory.Create(options.Redis);
            _owned.Add(connection);
            first ??= await connection.GetMultiplexerAsync();
            caches[i] = CreateCache(options, connection);
            _owned.Add(caches[i]);
        }

        return (options, caches, first!);
    }

    private static string OwnerOf(IConnectionMultiplexer multiplexer, string redisKey) => multiplexer.GetServer((RedisKey)redisKey).EndPoint.ToString()!;
}
