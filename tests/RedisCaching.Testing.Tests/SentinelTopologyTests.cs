using System;
using System.Linq;
using System.Threading.Tasks;
using NUnit.Framework;
using StackExchange.Redis;

namespace RedisCaching.Testing.Tests;

/// <summary>One Sentinel topology, with passwords on data nodes and sentinels, shared by the tests that do not change it.</summary>
[Category("HaTopology")]
public sealed class SentinelTopologyTests
{
    private RedisSentinelTopology _sentinel = null!;

    [OneTimeSetUp]
    public async Task StartSentinel() =>
        _sentinel = await TestFactories.Process.StartSentinelAsync(new RedisSentinelOptions { RequireDataPassword = true, RequireSentinelPassword = true });

    [OneTimeTearDown]
    public async Task StopSentinel()
    {
        if (_sentinel is not null)
        {
            await _sentinel.DisposeAsync();
        }
    }

    [Test]
    public async Task Sentinel_topology_has_a_primary_a_replica_and_three_sentinels_on_loopback()
    {
        var primary = await _sentinel.GetPrimaryAsync();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(_sentinel.DataNodes, Has.Count.EqualTo(2));
            Assert.That(_sentinel.Sentinels, Has.Count.EqualTo(3));
            Assert.That(_sentinel.SentinelEndpoints, Has.Count.EqualTo(3));
            Assert.That(primary, Is.SameAs(_sentinel.DataNodes[0]));
            Assert.That(_sentinel.DataPassword, Is.Not.Null);
            Assert.That(_sentinel.SentinelPassword, Is.Not.Null.And.Not.EqualTo(_sentinel.DataPassword));
            Assert.That(RedisProcessRegistry.RunningProcessIds, Is.SupersetOf(_sentinel.DataNodes.Concat(_sentinel.Sentinels).Select(n => n.ProcessId!.Value)));
        }

        var replication = await _sentinel.DataNodes[1].RunCliAsync("INFO", "replication");
        Assert.That(replication, Does.Contain("role:slave").And.Contain("master_link_status:up"));
    }

    [Test]
    public void Data_nodes_and_sentinels_refuse_clients_without_their_password()
    {
        foreach (var node in _sentinel.DataNodes.Concat(_sentinel.Sentinels))
        {
            var options = new ConfigurationOptions { EndPoints = { { node.Host, node.Port } } };
            var ex = Assert.CatchAsync(() => Connect.StrictAsync(options), $"{node}");
            Assert.That(ex, Is.InstanceOf<RedisConnectionException>(), $"{node}");
        }
    }

    [Test]
    public async Task Client_configured_with_the_sentinels_and_service_name_writes_and_reads()
    {
        await using var redis = await ConnectionMultiplexer.ConnectAsync(Connect.Fast(_sentinel.CreateConfigurationOptions()));
        var db = redis.GetDatabase();
        var key = RedisTestKeys.NewPrefix() + "k";

        await db.StringSetAsync(key, "through the sentinels");

        Assert.That((string?)await db.StringGetAsync(key), Is.EqualTo("through the sentinels"));
        var primary = await _sentinel.GetPrimaryAsync();
        Assert.That(await primary.RunCliAsync("GET", key), Is.EqualTo("through the sentinels"), "the write reached the primary the sentinels name");
    }
}
