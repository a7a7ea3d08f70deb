using System;
using System.Linq;
using System.Threading.Tasks;
using NUnit.Framework;
using RedisCaching.Testing;
using static RedisCaching.Core.Tests.Cache.CacheTestSupport;

namespace RedisCaching.Core.Tests.HighAvailability;

/// <summary>
/// The backplane fallback on Sentinel: an ACL user without <c>client|tracking</c> makes the tier fall back to pub/sub,
/// and it must keep a second instance's memory coherent before and after a <c>SENTINEL FAILOVER</c> (its connection is
/// replaced by one on the new primary, where it subscribes again).
/// </summary>
[Category("HaTopology")]
public sealed class SentinelBackplaneTests
{
    [OneTimeSetUp]
    public void RequireServer() => RedisAvailability.RequireServer();

    [Test]
    public async Task Without_tracking_the_backplane_keeps_a_second_instance_coherent_through_a_failover()
    {
        await using var sentinel = await RedisTestServers.StartSentinelAsync();

        // ACLs are not replicated: the user is made on every data node, and on the sentinels (without SentinelUser the
        // sentinel connections use the data credentials too).
        foreach (var node in sentinel.DataNodes)
        {
            Assert.That(await node.RunCliAsync("ACL", "SETUSER", "notrack", "on", ">notrack-pw", "~*", "&*", "+@all", "-client|tracking"), Is.EqualTo("OK"));
        }

        foreach (var node in sentinel.Sentinels)
        {
            Assert.That(await node.RunCliAsync("ACL", "SETUSER", "notrack", "on", ">notrack-pw", "+@all"), Is.EqualTo("OK"));
        }

        var options = new RedisCachingOptions
        {
            Redis = { ConnectionString = string.Join(",", sentinel.SentinelEndpoints.Select(e => e.ToString())) + ",serviceName=" + sentinel.ServiceName + ",user=notrack,password=notrack-pw" },
            Keys = { Prefix = "sb" + Guid.NewGuid().ToString("N")[..10] },
            RedisTimeout = TimeSpan.FromSeconds(1),

            // A write that fails (held off during the failover) must say so: see MemoryTierWaits.AcknowledgedSetAsync.
            ThrowOnRedisFailure = true,
        };
        await using var first = await CreateCoherentAsync(null, options);
        await using var second = await CreateCoherentAsync(null, options);
        Assert.That((first.Tier.Mode, second.Tier.Mode), Is.EqualTo((CacheCoherenceMode.Backplane, CacheCoherenceMode.Backplane)));
        var keys = Enumerable.Range(0, 10).Select(i => "key" + i).ToArray();
        var before = await MemoryTierWaits.SecondFollowsAsync(first, second, keys, "before");

        var reenables = second.Tier.Reenables;
        var failover = await sentinel.FailoverAsync();
        var back = await ClusterMemoryTierTests.WaitUntilAsync(
            () => Task.FromResult(second.Tier.Mode == CacheCoherenceMode.Backplane && second.Tier.Reenables > reenables && first.Tier.Mode == CacheCoherenceMode.Backplane),
            TimeSpan.FromSeconds(15));

        // The main connections follow too: a write goes through once they do.
        await ClusterMemoryTierTests.WaitUntilAsync(async () =>
        {
            try
            {
                await first.Cache.SetAsync("probe", "p");
                // A miss means the second instance does not read from the new primary yet: wait, as for a failure.
                var read = await second.Cache.TryGetAsync<string>("probe");
                return read.HasValue && read.Value == "p";
            }
            catch (CacheUnavailableException)
            {
                return false;
            }
        }, TimeSpan.FromSeconds(15));
        var after = await MemoryTierWaits.SecondFollowsAsync(first, second, keys, "after");

        TestContext.Progress.WriteLine(
            $"[sentinel backplane] second instance followed within {before.TotalMilliseconds:0} ms before the failover, {after.TotalMilliseconds:0} ms after; " +
            $"{failover.NewPrimary.Port} promoted after {failover.Pause.TotalSeconds:0.00} s, the tier back on the backplane {back.TotalSeconds:0.00} s later");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(before, Is.LessThan(MemoryTierWaits.Window));
            Assert.That(after, Is.LessThan(MemoryTierWaits.Window));
            Assert.That(second.Tier.Mode, Is.EqualTo(CacheCoherenceMode.Backplane));
        }
    }
}
