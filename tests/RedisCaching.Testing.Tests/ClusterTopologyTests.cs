using System;
using System.Linq;
using System.Threading.Tasks;
using NUnit.Framework;
using StackExchange.Redis;

namespace RedisCaching.Testing.Tests;

/// <summary>One cluster shared by the tests that do not change its shape.</summary>
[Category("HaTopology")]
public sealed class ClusterTopologyTests
{
    private RedisClusterTopology _cluster = null!;

    [OneTimeSetUp]
    public async Task StartCluster() => _cluster = await TestFactories.Process.StartClusterAsync();

    [OneTimeTearDown]
    public async Task StopCluster()
    {
        if (_cluster is not null)
        {
            await _cluster.DisposeAsync();
        }
    }

    [Test]
    public async Task Cluster_has_three_primaries_each_with_a_replica()
    {
        var primaries = await _cluster.GetPrimariesAsync();
        Assert.That(primaries, Has.Count.EqualTo(3));
        foreach (var primary in primaries)
        {
            var replica = await _cluster.GetReplicaOfAsync(primary);
            Assert.That(replica, Is.Not.Null.And.Not.SameAs(primary), $"{primary}");
            Assert.That(await replica!.RunCliAsync("INFO", "replication"), Does.Contain("master_link_status:up"));
        }

        using (Assert.EnterMultipleScope())
        {
            Assert.That(_cluster.Nodes, Has.Count.EqualTo(6));
            Assert.That(_cluster.SeedEndpoints, Has.Count.EqualTo(6));
            Assert.That(await _cluster.Nodes[0].RunCliAsync("CLUSTER", "INFO"), Does.Contain("cluster_state:ok"));
            Assert.That(RedisProcessRegistry.RunningProcessIds, Is.SupersetOf(_cluster.Nodes.Select(n => n.ProcessId!.Value)));
        }
    }

    [Test]
    public async Task Client_writes_and_reads_keys_across_slots_with_and_without_hash_tags()
    {
        await using var redis = await ConnectionMultiplexer.ConnectAsync(Connect.Fast(_cluster.CreateConfigurationOptions()));
        var db = redis.GetDatabase();
        var prefix = RedisTestKeys.NewPrefix();
        var plain = Enumerable.Range(0, 200).Select(i => (RedisKey)$"{prefix}plain:{i}").ToArray();
        // One hash tag: every key in one slot, so a multi-key command may take them all at once.
        var tagged = Enumerable.Range(0, 20).Select(i => (RedisKey)$"{prefix}{{tagged}}:{i}").ToArray();

        await Task.WhenAll(plain.Select(k => db.StringSetAsync(k, $"v:{k}")));
        await db.StringSetAsync([.. tagged.Select(k => new System.Collections.Generic.KeyValuePair<RedisKey, RedisValue>(k, $"v:{k}"))]);

        var plainValues = await Task.WhenAll(plain.Select(k => db.StringGetAsync(k)));
        var taggedValues = await db.StringGetAsync(tagged);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(plainValues.Select(v => (string?)v), Is.EqualTo(plain.Select(k => $"v:{k}")));
            Assert.That(taggedValues.Select(v => (string?)v), Is.EqualTo(tagged.Select(k => $"v:{k}")));
            Assert.That(plain.Select(k => redis.HashSlot(k)).Distinct().Count(), Is.GreaterThan(100), "plain keys spread over slots");
            Assert.That(tagged.Select(k => redis.HashSlot(k)).Distinct().Count(), Is.EqualTo(1), "hash-tagged keys share a slot");
        }

        // The plain keys landed on every primary.
        foreach (var primary in await _cluster.GetPrimariesAsync())
        {
            Assert.That(int.Parse(await primary.RunCliAsync("DBSIZE"), System.Globalization.CultureInfo.InvariantCulture), Is.GreaterThan(0), $"{primary}");
        }
    }
}
