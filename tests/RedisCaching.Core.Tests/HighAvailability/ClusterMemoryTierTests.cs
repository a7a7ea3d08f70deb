using System;
using System.Linq;
using System.Threading.Tasks;
using NUnit.Framework;
using RedisCaching.Testing;
using StackExchange.Redis;
using static RedisCaching.Core.Tests.Cache.CacheTestSupport;

namespace RedisCaching.Core.Tests.HighAvailability;

/// <summary>
/// The in-process tier on a Redis Cluster (three primaries, three replicas). Its tracking would cover one node's
/// writes only, so until per-node tracking exists it must stay off there: never serve a value another client changed.
/// </summary>
[Category("HaTopology")]
public sealed class ClusterMemoryTierTests
{
    [OneTimeSetUp]
    public void RequireServer() => RedisAvailability.RequireServer();

    [Test]
    public async Task On_a_cluster_the_tier_stays_off_and_reads_see_every_other_clients_write_on_any_node()
    {
        await using var cluster = await RedisTestServers.StartClusterAsync();
        var options = new RedisCachingOptions
        {
            Redis = { ConnectionString = string.Join(",", cluster.SeedEndpoints.Select(e => e.ToString())) },
            Keys = { Prefix = "c" + Guid.NewGuid().ToString("N")[..12] },
            ThrowOnRedisFailure = true,
        };
        using var logs = new ListLoggerProvider();
        await using var reader = await CreateCoherentAsync(null, options, logs: logs);
        await using var writer = await CreateCoherentAsync(null, options);
        await using var direct = await ConnectionMultiplexer.ConnectAsync(cluster.CreateConfigurationOptions());

        // Keys spread over the slots of all three primaries.
        var keys = Enumerable.Range(0, 30).Select(i => "key" + i).ToArray();
        var owners = keys.Select(k => direct.GetServer((RedisKey)reader.Cache.RedisKeyOf(k)).EndPoint.ToString()).Distinct().Count();
        foreach (var key in keys)
        {
            await reader.Cache.SetAsync(key, key + ":1");
            Assert.That((await reader.Cache.TryGetAsync<string>(key)).Value, Is.EqualTo(key + ":1"));
        }

        foreach (var key in keys)
        {
            await writer.Cache.SetAsync(key, key + ":2");
        }

        var afterWrites = await Task.WhenAll(keys.Select(k => reader.Cache.TryGetAsync<string>(k).AsTask()));
        await direct.GetDatabase().KeyDeleteAsync(reader.Cache.RedisKeyOf(keys[0]));
        var afterDelete = await reader.Cache.TryGetAsync<string>(keys[0]);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(owners, Is.EqualTo(3), "the keys live on all three primaries");
            Assert.That(reader.Tier.Mode, Is.EqualTo(CacheCoherenceMode.Disabled));
            Assert.That(logs.Entries.Count(e => e.EventId == RedisCachingEventIds.MemoryTierOffOnCluster), Is.EqualTo(1), "said once why");
            Assert.That(afterWrites.Select(r => r.Value), Is.EqualTo(keys.Select(k => k + ":2")), "every read saw the other instance's write");
            Assert.That(afterDelete.HasValue, Is.False, "a DEL through another client on the owning node is seen");
        }
    }
}
