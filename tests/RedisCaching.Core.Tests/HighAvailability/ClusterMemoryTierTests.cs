using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Net;
using System.Threading;
using System.Threading.Tasks;
using NUnit.Framework;
using RedisCaching.Core.Tests.Cache;
using RedisCaching.Internal.Keys;
using RedisCaching.Testing;
using StackExchange.Redis;
using static RedisCaching.Core.Tests.Cache.CacheTestSupport;

namespace RedisCaching.Core.Tests.HighAvailability;

/// <summary>
/// The in-process tier on a Redis Cluster (three primaries, three replicas): tracking on every primary, so a change
/// on any node, by any client, drops the entry from every instance; and tracking that follows a planned failover.
/// The reshard and SIGKILL load tests in <see cref="ClusterCacheTests"/> run with the tier on as well.
/// </summary>
[Category("HaTopology")]
[NonParallelizable]
public sealed class ClusterMemoryTierTests : ClusterTest
{
    private static readonly TimeSpan Window = MemoryTierWaits.Window;
    private readonly List<IAsyncDisposable> _owned = [];

    protected override string FixtureName => "cluster memory tier";

    [TearDown]
    public async Task DisposeOwned()
    {
        foreach (var item in Enumerable.Reverse(_owned))
        {
            await item.DisposeAsync();
        }

        _owned.Clear();
    }

    [Test, Order(1)]
    public async Task The_tier_tracks_every_primary_and_a_change_on_any_node_by_any_client_drops_the_entry()
    {
        using var logs = new ListLoggerProvider();
        var options = Options();
        var reader = await InstanceAsync(options, logs);
        var writer = await InstanceAsync(options);
        var direct = await ConnectionMultiplexer.ConnectAsync(Cluster.CreateConfigurationOptions());
        _owned.Add(direct);
        var keys = Enumerable.Range(0, 30).Select(i => "key" + i).ToArray();
        var owners = keys.Select(k => direct.GetServer((RedisKey)reader.Cache.RedisKeyOf(k)).EndPoint).ToArray();

        await MemoryTierWaits.FillAsync(reader, keys, ":1");
        foreach (var key in keys)
        {
            await writer.Cache.SetAsync(key, key + ":2");
        }

        var afterWrites = await Task.WhenAll(keys.Select(k => MemoryTierWaits.SeenWithinAsync(reader, k, k + ":2")));

        // Other clients, on the node that owns the key: a DEL through a cluster connection, a SET from redis-cli.
        await MemoryTierWaits.FillAsync(reader, keys, ":3");
        await direct.GetDatabase().KeyDeleteAsync(reader.Cache.RedisKeyOf(keys[0]));
        await NodeAt(owners[1]).RunCliAsync("SET", reader.Cache.RedisKeyOf(keys[1]), "written by redis-cli");
        var afterDelete = await MemoryTierWaits.SeenWithinAsync(reader, keys[0], null);
        var afterCli = await MemoryTierWaits.SeenWithinAsync(reader, keys[1], null);

        // FLUSHALL on one primary drops what came from it (the whole tier, in fact: a flush carries no key).
        await MemoryTierWaits.FillAsync(reader, keys, ":4");
        var flushed = NodeAt(owners[2]);
        await flushed.RunCliAsync("FLUSHALL");
        var onFlushed = keys.Where((_, i) => owners[i].Equals(owners[2])).ToArray();
        var afterFlush = await Task.WhenAll(onFlushed.Select(k => MemoryTierWaits.SeenWithinAsync(reader, k, null)));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(owners.Distinct().Count(), Is.EqualTo(3), "the keys live on all three primaries");
            Assert.That(reader.Tier.Mode, Is.EqualTo(CacheCoherenceMode.Tracking));
            Assert.That(reader.Tier.TrackedClusterPrimaries.Select(Port).Order(), Is.EqualTo((await Cluster.GetPrimariesAsync()).Select(n => n.Port).Order()));
            Assert.That(logs.Entries.Any(e => e.EventId == RedisCachingEventIds.MemoryTierClusterTracking && e.Message.Contains("3 cluster primaries", StringComparison.Ordinal)), Is.True, "said what it tracks");
            Assert.That(afterWrites.Max(), Is.LessThan(Window), "every memory entry followed the other instance's write");
            Assert.That(afterDelete, Is.LessThan(Window));
            Assert.That(afterCli, Is.LessThan(Window));
            Assert.That(afterFlush.DefaultIfEmpty().Max(), Is.LessThan(Window));
            Assert.That(onFlushed, Is.Not.Empty);
        }
    }

    [Test, Order(2)]
    public async Task A_planned_failover_under_load_moves_tracking_to_the_promoted_node_and_no_read_is_older_than_acknowledged()
    {
        var options = Options();
        var first = await InstanceAsync(options);
        var second = await InstanceAsync(options);
        var keys = new CacheKeyBuilder(options.Keys);
        var direct = await ConnectionMultiplexer.ConnectAsync(Cluster.CreateConfigurationOptions());
        _owned.Add(direct);

        // The primary of the load's first key is demoted: its keys then take writes on the node that was its replica.
        var demotedPort = Port(direct.GetServer((RedisKey)keys.ToRedisKey("k0")).EndPoint);
        var demoted = (await Cluster.GetPrimariesAsync()).Single(n => n.Port == demotedPort);
        var promoted = await Cluster.GetReplicaOfAsync(demoted) ?? throw new InvalidOperationException("the primary has no replica");

        // A planned failover loses no acknowledged write, so every read is checked from the start.
        var load = new SentinelLoad(first.Cache, second.Cache, keys: 20, options.Memory.MaxStaleness);
        load.CheckStalenessFrom();
        using var stop = new CancellationTokenSource();
        var running = load.RunAsync(workers: 8, stop.Token);
        await Task.Delay(TimeSpan.FromSeconds(1));
        await promoted.RunCliAsync("CLUSTER", "FAILOVER");
        var switched = await WaitUntilAsync(async () => (await promoted.RunCliAsync("ROLE")).StartsWith("master", StringComparison.Ordinal), TimeSpan.FromSeconds(10));
        var followed = await WaitUntilAsync(
            () => Task.FromResult(new[] { first, second }.All(c => c.Tier.Mode == CacheCoherenceMode.Tracking && c.Tier.TrackedClusterPrimaries.Any(e => Port(e) == promoted.Port))),
            TimeSpan.FromSeconds(10));
        await Task.Delay(TimeSpan.FromSeconds(2));
        await stop.CancelAsync();
        await running;

        TestContext.Progress.WriteLine(
            $"[cluster memory tier] CLUSTER FAILOVER {demoted.Port} -> {promoted.Port}: switched {switched.TotalSeconds:0.00} s, both tiers tracking the new primary " +
            $"{followed.TotalSeconds:0.00} s after it was issued; {load.Reads} reads ({load.MemoryHits} from memory), {load.Writes} writes, {load.Failures} failed calls, longest call {load.LongestCall.TotalMilliseconds:0} ms");
        foreach (var line in load.OlderThanAcknowledged.Take(5).Concat(load.UntypedExceptions.Take(5)))
        {
            TestContext.Progress.WriteLine("  " + line);
        }

        using (Assert.EnterMultipleScope())
        {
            Assert.That(first.Tier.TrackedClusterPrimaries.Select(Port), Does.Not.Contain(demoted.Port), "the demoted node is no longer tracked");
            Assert.That(load.WrongKeyValues, Is.Empty, "a read returned another key's value");
            Assert.That(load.UntypedExceptions, Is.Empty, "every failure is a CacheUnavailableException");
            Assert.That(load.OlderThanAcknowledged, Is.Empty, "a read returned a version older than one acknowledged more than Memory:MaxStaleness before it started");
            Assert.That(load.MemoryHits, Is.GreaterThan(0), "the in-process tier served reads");
            Assert.That(load.Reads, Is.GreaterThan(100));
        }
    }

    [Test, Order(3)]
    public async Task Without_tracking_the_backplane_keeps_a_second_instance_coherent_on_every_primary()
    {
        // ACLs are per node in a cluster: the user is made on all six.
        foreach (var node in Cluster.Nodes)
        {
            Assert.That(await node.RunCliAsync("ACL", "SETUSER", "notrack", "on", ">notrack-pw", "~*", "&*", "+@all", "-client|tracking"), Is.EqualTo("OK"));
        }

        var options = Options();
        options.Redis.ConnectionString += ",user=notrack,password=notrack-pw";
        var first = await CreateCoherentAsync(null, options);
        _owned.Add(first);
        var second = await CreateCoherentAsync(null, options);
        _owned.Add(second);
        var direct = await ConnectionMultiplexer.ConnectAsync(Cluster.CreateConfigurationOptions());
        _owned.Add(direct);
        var keys = Enumerable.Range(0, 30).Select(i => "key" + i).ToArray();
        var owners = keys.Select(k => direct.GetServer((RedisKey)first.Cache.RedisKeyOf(k)).EndPoint).Distinct().Count();

        var longest = await MemoryTierWaits.SecondFollowsAsync(first, second, keys, "bp");
        TestContext.Progress.WriteLine($"[cluster memory tier] backplane: the second instance followed every write within {longest.TotalMilliseconds:0} ms");
        using (Assert.EnterMultipleScope())
        {
            Assert.That((first.Tier.Mode, second.Tier.Mode), Is.EqualTo((CacheCoherenceMode.Backplane, CacheCoherenceMode.Backplane)));
            Assert.That(owners, Is.EqualTo(3), "the keys live on all three primaries");
            Assert.That(longest, Is.LessThan(Window));
        }
    }

    private RedisCachingOptions Options() => new()
    {
        Redis = { ConnectionString = string.Join(",", Cluster.SeedEndpoints.Select(e => e.ToString())) },
        Keys = { Prefix = "m" + Guid.NewGuid().ToString("N")[..12] },
        RedisTimeout = TimeSpan.FromSeconds(1),
        ThrowOnRedisFailure = true,
        CircuitBreakDuration = TimeSpan.FromMilliseconds(500),
    };

    private async Task<CoherentCache> InstanceAsync(RedisCachingOptions options, ListLoggerProvider? logs = null)
    {
        var instance = await CreateCoherentAsync(null, options, logs: logs);
        _owned.Add(instance);
        Assert.That(instance.Tier.Mode, Is.EqualTo(CacheCoherenceMode.Tracking), "the tier tracks every primary");
        return instance;
    }

    internal static async Task<TimeSpan> WaitUntilAsync(Func<Task<bool>> condition, TimeSpan limit)
    {
        var stopwatch = Stopwatch.StartNew();
        while (!await condition())
        {
            Assert.That(stopwatch.Elapsed, Is.LessThan(limit), "condition not reached in time");
            await Task.Delay(20);
        }

        return stopwatch.Elapsed;
    }

    private IRedisTestNode NodeAt(EndPoint endPoint) => Cluster.Nodes.Single(n => n.Port == Port(endPoint));

    private static int Port(EndPoint endPoint) => ((IPEndPoint)endPoint).Port;
}
