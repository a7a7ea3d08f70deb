using System;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using NUnit.Framework;
using RedisCaching.Testing;
using static RedisCaching.Core.Tests.Cache.CacheTestSupport;

namespace RedisCaching.Core.Tests.HighAvailability;

/// <summary>
/// The cache on a Sentinel topology (a primary, a replica, three sentinels; each test starts its own), reached through
/// a connection string with <c>serviceName</c>, under a load of reads and writes from two instances while the primary
/// is killed or failed over.
/// </summary>
[Category("HaTopology")]
public sealed class SentinelCacheTests
{
    private static readonly TimeSpan SucceedsAgainWithin = TimeSpan.FromSeconds(10);

    /// <remarks>
    /// With the thread pool's default minimum (one thread per core): the cache connects to the primary our sentinel
    /// watch names as a plain server, so StackExchange.Redis's sentinel handling, which starved the pool for seconds
    /// during a switch (the harness then saw the promotion only after 9-11 s), never runs.
    /// </remarks>
    [OneTimeSetUp]
    public void RequireServer() => RedisAvailability.RequireServer();

    [TestCase(false, TestName = "SIGKILL of the primary under load: never another key's value, never staler than the bound after the promotion, calls succeed again within 10 s")]
    [TestCase(true, TestName = "SENTINEL FAILOVER under load: never another key's value, never staler than the bound after the switch, calls succeed again within 10 s")]
    public async Task Failover_under_load(bool sentinelFailover)
    {
        await using var sentinel = await RedisTestServers.StartSentinelAsync();
        var options = SentinelOptions(sentinel);
        using var logs = new ListLoggerProvider();
        using var secondLogs = new ListLoggerProvider();
        await using var first = await CreateCoherentAsync(null, options, logs: logs);
        await using var second = await CreateCoherentAsync(null, options, logs: secondLogs);
        Assert.That((first.Tier.Mode, second.Tier.Mode), Is.EqualTo((CacheCoherenceMode.Tracking, CacheCoherenceMode.Tracking)), "tracking through the sentinel-found primary");

        var load = new SentinelLoad(first.Cache, second.Cache, keys: 20, options.Memory.MaxStaleness);
        using var probe = new ServerStallProbe(sentinel.DataNodes, () => load.Now);
        using var stop = new CancellationTokenSource();
        var running = load.RunAsync(workers: 8, stop.Token);
        await Task.Delay(TimeSpan.FromSeconds(1));
        load.CheckStalenessFrom();
        await Task.Delay(TimeSpan.FromSeconds(1));
        load.PauseStalenessCheck();
        var staleBefore = load.OlderThanAcknowledged.Count;
        var killedAt = load.Now;
        var failover = sentinelFailover ? await sentinel.FailoverAsync() : await sentinel.KillPrimaryAsync();
        TestContext.Progress.WriteLine($"[sentinel] {(sentinelFailover ? "SENTINEL FAILOVER" : "primary killed")} at {killedAt.TotalSeconds:0.00} s, replica promoted after {failover.Pause.TotalSeconds:0.00} s");

        // Writes acknowledged by the old primary and not yet replicated are lost with it (Redis replicates
        // asynchronously; after SENTINEL FAILOVER the old primary even acknowledges writes until it is demoted):
        // staleness is checked again from a little after the switch on.
        await Task.Delay(TimeSpan.FromSeconds(1));
        load.CheckStalenessFrom();
        await Task.Delay(SucceedsAgainWithin);
        await stop.CancelAsync();
        await running;

        var lastFailure = load.LastFailure;
        TestContext.Progress.WriteLine(
            $"[sentinel] {load.Reads} reads, {load.Writes} writes, {load.Failures} failed calls; last failure at {lastFailure?.TotalSeconds:0.00} s " +
            $"({(lastFailure - killedAt)?.TotalSeconds:0.00} s after the failover started); older than acknowledged beyond the bound: {staleBefore} before, {load.OlderThanAcknowledged.Count - staleBefore} from 1 s after the switch");
        TestContext.Progress.WriteLine($"  last failure: {load.LastFailureDetail}");

        // Failures long after the switch: when each started and ended, so that a late one says whether it was a call
        // held up (started early) or a new call that failed (and which: a budget, the breaker).
        var late = load.FailedCalls.Where(f => f.Ended - killedAt > TimeSpan.FromSeconds(5)).ToArray();
        foreach (var (started, ended, detail) in late.Take(10))
        {
            TestContext.Progress.WriteLine($"  late failure: started {started.TotalSeconds:0.000} s, ended {ended.TotalSeconds:0.000} s: {detail}");
        }

        if (late.Length > 0)
        {
            TestContext.Progress.WriteLine($"  {late.Length} failures ended more than 5 s after the failover started; the longest call took {load.LongestCall.TotalMilliseconds:0} ms");
        }
        foreach (var (instance, entries) in new[] { ("first", logs), ("second", secondLogs) })
        {
            foreach (var (eventId, message) in entries.Entries.Where(e => e.EventId is >= RedisCachingEventIds.SentinelConnectFailed and <= RedisCachingEventIds.SentinelFailoverAbandoned or RedisCachingEventIds.MemoryTierReenabled))
            {
                TestContext.Progress.WriteLine($"  [{instance} {eventId}] {message}");
            }
        }

        foreach (var line in load.OlderThanAcknowledged.Take(5).Concat(load.UntypedExceptions.Take(5)))
        {
            TestContext.Progress.WriteLine("  " + line);
        }

        foreach (var line in probe.Describe())
        {
            TestContext.Progress.WriteLine("  " + line);
        }

        TestContext.Progress.WriteLine($"  memory tiers at the end: {first.Tier.Mode}, {second.Tier.Mode}");
        using (Assert.EnterMultipleScope())
        {
            // Both instances followed the switch themselves (StackExchange.Redis alone keeps writing to the old
            // primary after SENTINEL FAILOVER): the pause is in the log line.
            Assert.That(logs.Entries.Count(e => e.EventId == RedisCachingEventIds.SentinelPrimaryFollowed), Is.GreaterThanOrEqualTo(1), "the first instance followed the new primary");
            Assert.That(secondLogs.Entries.Count(e => e.EventId == RedisCachingEventIds.SentinelPrimaryFollowed), Is.GreaterThanOrEqualTo(1), "the second instance followed the new primary");
            Assert.That(load.WrongKeyValues, Is.Empty, "a read returned another key's value");
            Assert.That(load.UntypedExceptions, Is.Empty, "every failure is a CacheUnavailableException");
            Assert.That(lastFailure is null || lastFailure.Value - killedAt < SucceedsAgainWithin, Is.True, $"calls still failed {(lastFailure - killedAt)?.TotalSeconds:0.00} s after the failover started");
            Assert.That(load.OlderThanAcknowledged, Is.Empty, "a read returned a version older than one acknowledged more than Memory:MaxStaleness before it started");
            Assert.That(load.Reads, Is.GreaterThan(100));
            Assert.That(load.Writes, Is.GreaterThan(100));
        }
    }

    private static RedisCachingOptions SentinelOptions(RedisSentinelTopology sentinel) => new()
    {
        Redis = { ConnectionString = string.Join(",", sentinel.SentinelEndpoints.Select(e => e.ToString())) + ",serviceName=" + sentinel.ServiceName },
        Keys = { Prefix = "s" + Guid.NewGuid().ToString("N")[..12] },
        RedisTimeout = TimeSpan.FromSeconds(1),
        ThrowOnRedisFailure = true,
        CircuitBreakDuration = TimeSpan.FromMilliseconds(500),
    };
}
