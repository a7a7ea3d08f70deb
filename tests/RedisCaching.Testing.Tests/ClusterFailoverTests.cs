using System;
using System.Diagnostics;
using System.Linq;
using System.Threading.Tasks;
using NUnit.Framework;
using StackExchange.Redis;

namespace RedisCaching.Testing.Tests;

/// <summary>Each test reshapes a cluster (reshard, kill), so each starts its own.</summary>
[Category("HaTopology")]
public sealed class ClusterFailoverTests
{
    private static readonly TimeSpan WritesAgainWithin = TimeSpan.FromSeconds(10);

    [Test]
    public async Task Reshard_moves_slots_and_the_client_still_reads_every_key()
    {
        await using var cluster = await TestFactories.Process.StartClusterAsync();
        await using var redis = await ConnectionMultiplexer.ConnectAsync(Connect.Fast(cluster.CreateConfigurationOptions()));
        var db = redis.GetDatabase();
        var prefix = RedisTestKeys.NewPrefix();
        var keys = Enumerable.Range(0, 500).Select(i => (RedisKey)$"{prefix}{i}").ToArray();
        await Task.WhenAll(keys.Select(k => db.StringSetAsync(k, $"v:{k}")));
        var primaries = await cluster.GetPrimariesAsync();
        var slotsBefore = await SlotCountAsync(primaries[1]);

        var took = await cluster.ReshardAsync(1000, primaries[0], primaries[1]);
        TestContext.Progress.WriteLine($"[topology timings] Cluster reshard of 1000 slots (about 30 keys): {took.TotalSeconds:0.00} s");

        Assert.That(await SlotCountAsync(primaries[1]), Is.EqualTo(slotsBefore + 1000));
        var values = await Task.WhenAll(keys.Select(k => db.StringGetAsync(k)));
        Assert.That(values.Select(v => (string?)v), Is.EqualTo(keys.Select(k => $"v:{k}")));
    }

    [Test]
    public async Task Killing_a_primary_promotes_its_replica_and_the_client_writes_to_its_slots_within_10_s()
    {
        int[] pids;
        await using (var cluster = await TestFactories.Process.StartClusterAsync())
        {
            pids = [.. cluster.Nodes.Select(n => n.ProcessId!.Value)];
            await using var redis = await ConnectionMultiplexer.ConnectAsync(Connect.Fast(cluster.CreateConfigurationOptions()));
            var db = redis.GetDatabase();
            var victim = (await cluster.GetPrimariesAsync())[0];
            var heir = await cluster.GetReplicaOfAsync(victim);
            // A key the victim serves, so the client must follow the failover to write it.
            var key = Enumerable.Range(0, 1000).Select(i => (RedisKey)$"{RedisTestKeys.NewPrefix()}{i}").First(k => OwnedBy(redis, k, victim));
            await db.StringSetAsync(key, "before");

            var failover = await cluster.KillPrimaryAsync(victim);
            TestContext.Progress.WriteLine($"[topology timings] Cluster SIGKILL of a primary: replica promoted, cluster_state:ok everywhere after {failover.Pause.TotalSeconds:0.00} s");

            using (Assert.EnterMultipleScope())
            {
                Assert.That(failover.NewPrimary, Is.SameAs(heir));
                Assert.That(victim.IsRunning, Is.False);
                Assert.That(await cluster.GetPrimariesAsync(), Has.Count.EqualTo(3).And.Contains(heir).And.No.SameAs(victim));
            }

            var clock = Stopwatch.StartNew();
            var attempt = 0;
            var written = await Connect.EventuallyAsync(async () =>
            {
                var value = "attempt " + ++attempt;
                await db.StringSetAsync(key, value);
                return await heir!.RunCliAsync("GET", key.ToString()) == value;
            }, WritesAgainWithin);
            TestContext.Progress.WriteLine($"[topology timings] client write reached the promoted replica after {clock.Elapsed.TotalSeconds:0.00} s");
            Assert.That(written, Is.True, $"the client did not write to the promoted replica within {WritesAgainWithin.TotalSeconds} s");

            // Restarted, the killed node rejoins (as a replica) and the cluster is whole again.
            await victim.RestartAsync();
            await cluster.WaitUntilReadyAsync();
        }

        Assert.That(RedisProcessRegistry.RunningProcessIds.Intersect(pids), Is.Empty, "processes left after dispose");
    }

    private static bool OwnedBy(ConnectionMultiplexer redis, RedisKey key, IRedisTestNode node) =>
        redis.GetServer(key).EndPoint is System.Net.IPEndPoint endpoint && endpoint.Port == node.Port;

    private static async Task<int> SlotCountAsync(IRedisTestNode node)
    {
        var info = await node.RunCliAsync("CLUSTER", "NODES");
        var mine = info.Split('\n').Single(line => line.Contains("myself", StringComparison.Ordinal));
        return mine.Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(8).Sum(range =>
        {
            var bounds = range.Split('-');
            return bounds.Length == 1 ? 1 : int.Parse(bounds[1], System.Globalization.CultureInfo.InvariantCulture) - int.Parse(bounds[0], System.Globalization.CultureInfo.InvariantCulture) + 1;
        });
    }
}
