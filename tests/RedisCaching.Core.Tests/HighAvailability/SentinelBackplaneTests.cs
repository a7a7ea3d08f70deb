using System;
using System.Linq;
using System.Threading.Tasks;
using NUnit.Framework;
using RedisCaching.Internal;
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

    [TestCase(true, TestName = "Without tracking the backplane keeps a second instance coherent through a failover")]
    [TestCase(false, TestName = "Without tracking, and with sentinels that refuse their event channels, polls follow the failover and the backplane keeps a second instance coherent")]
    public async Task Without_tracking_the_backplane_keeps_a_second_instance_coherent_through_a_failover(bool sentinelChannels)
    {
        await using var sentinel = await RedisTestServers.StartSentinelAsync();

        // ACLs are not replicated: the user is made on every data node, and on the sentinels (without SentinelUser the
        // sentinel connections use the data credentials too).
        foreach (var node in sentinel.DataNodes)
        {
            Assert.That(await node.RunCliAsync("ACL", "SETUSER", "notrack", "on", ">notrack-pw", "~*", "&*", "+@all", "-client|tracking"), Is.EqualTo("OK"));
        }

        // Without "&*" a Redis 7 user may not subscribe: the sentinels' failover events are refused, and the watches
        // learn of the failover from their polls alone (a CI run before this case existed had that by mistake: the
        // probe below passed on the old primary, and the second connection was held off only afterwards).
        foreach (var node in sentinel.Sentinels)
        {
            string[] channels = sentinelChannels ? ["&*"] : [];
            Assert.That(await node.RunCliAsync(["ACL", "SETUSER", "notrack", "on", ">notrack-pw", .. channels, "+@all"]), Is.EqualTo("OK"));
        }

        var options = new RedisCachingOptions
        {
            Redis = { ConnectionString = string.Join(",", sentinel.SentinelEndpoints.Select(e => e.ToString())) + ",serviceName=" + sentinel.ServiceName + ",user=notrack,password=notrack-pw" },
            Keys = { Prefix = "sb" + Guid.NewGuid().ToString("N")[..10] },
            RedisTimeout = TimeSpan.FromSeconds(1),

            // A write that fails (held off during the failover) must say so: see MemoryTierWaits.AcknowledgedSetAsync.
            ThrowOnRedisFailure = true,
        };
        using var logs = new ListLoggerProvider();
        await using var first = await CreateCoherentAsync(null, options, logs: logs);
        await using var second = await CreateCoherentAsync(null, options, logs: logs);

        Assert.That((first.Tier.Mode, second.Tier.Mode), Is.EqualTo((CacheCoherenceMode.Backplane, CacheCoherenceMode.Backplane)));
        var keys = Enumerable.Range(0, 10).Select(i => "key" + i).ToArray();
        var before = await MemoryTierWaits.SecondFollowsAsync(first, second, keys, "before");

        var reenables = second.Tier.Reenables;
        var failover = await sentinel.FailoverAsync();
        var back = await ClusterMemoryTierTests.WaitUntilAsync(
            () => Task.FromResult(second.Tier.Mode == CacheCoherenceMode.Backplane && second.Tier.Reenables > reenables && first.Tier.Mode == CacheCoherenceMode.Backplane),
            TimeSpan.FromSeconds(15));

        // The main connections follow too: a write through the first lands on the new primary, and the second reads it,
        // once neither is held off. Each probe writes a value of its own, so a read of an earlier probe's value, or of
        // one the old primary took, never passes.
        var probes = 0;
        var probeKey = first.Cache.RedisKeyOf("probe");
        await ClusterMemoryTierTests.WaitUntilAsync(async () =>
        {
            var value = $"probe-{++probes}-of-{probeKey}";
            try
            {
                if (((RedisConnection)first.Connection).HeldOffForFailover || ((RedisConnection)second.Connection).HeldOffForFailover)
                {
                    return false;
                }

                await first.Cache.SetAsync("probe", value);
                if (!(await failover.NewPrimary.RunCliAsync("GET", probeKey)).Contains(value, StringComparison.Ordinal))
                {
                    return false;
                }

                var read = await second.Cache.TryGetAsync<string>("probe");
                return read.HasValue && read.Value == value;
            }
            catch (CacheUnavailableException)
            {
                return false;
            }
        }, TimeSpan.FromSeconds(15));
        int Logged(int eventId) => logs.Entries.Count(e => e.EventId == eventId);
        var after = await MemoryTierWaits.SecondFollowsAsync(first, second, keys, "after");

        TestContext.Progress.WriteLine(
            $"[sentinel backplane] second instance followed within {before.TotalMilliseconds:0} ms before the failover, {after.TotalMilliseconds:0} ms after; " +
            $"{failover.NewPrimary.Port} promoted after {failover.Pause.TotalSeconds:0.00} s, the tier back on the backplane {back.TotalSeconds:0.00} s later; " +
            $"logged: {Logged(RedisCachingEventIds.SentinelFailoverStarted)} hold-offs, {Logged(RedisCachingEventIds.SentinelPrimaryFollowed)} follows, {Logged(RedisCachingEventIds.SentinelFailoverAbandoned)} abandoned; {probes} probes");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(before, Is.LessThan(MemoryTierWaits.Window));
            Assert.That(after, Is.LessThan(MemoryTierWaits.Window));
            Assert.That(second.Tier.Mode, Is.EqualTo(CacheCoherenceMode.Backplane));

            // Each instance watches every sentinel twice (its connection and its tier); each watch names a sentinel
            // that refuses its events once.
            var refusals = logs.Entries.Count(e => e.EventId == RedisCachingEventIds.SentinelEventsRefused);
            Assert.That(refusals, sentinelChannels ? Is.Zero : Is.EqualTo(4 * sentinel.Sentinels.Count), "a sentinel that refuses its events is named in the log");
        }
    }
}
