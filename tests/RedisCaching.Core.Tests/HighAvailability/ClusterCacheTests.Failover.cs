using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using NUnit.Framework;
using RedisCaching.Internal.Keys;
using RedisCaching.Testing;
using StackExchange.Redis;

namespace RedisCaching.Core.Tests.HighAvailability;

/// <summary>The cluster reshaped under a load of reads and writes from two instances: a reshard, then the SIGKILL of a primary.</summary>
public sealed partial class ClusterCacheTests
{
    private const int MovedSlots = 1000;
    private static readonly TimeSpan SucceedsAgainWithin = TimeSpan.FromSeconds(10);

    [Test, Order(10)]
    public async Task Reshard_under_load_moves_keys_without_an_error_reaching_callers()
    {
        var (options, caches, multiplexer) = await InstancesAsync(2, memory: true);
        var keys = new CacheKeyBuilder(options.Keys);
        var primaries = await Cluster.GetPrimariesAsync();
        var (from, to) = (primaries[0], primaries[1]);

        // redis-cli moves the source's lowest slots: half the load's keys are picked in those, half elsewhere.
        var moving = (await LowestSlotsAsync(from, MovedSlots)).ToHashSet();
        var names = PickNames(multiplexer, keys, slot => moving.Contains(slot), 10).Concat(PickNames(multiplexer, keys, slot => !moving.Contains(slot), 10)).ToArray();

        // No failover: no acknowledged write can be lost, so every read is checked against every write acknowledged
        // more than Memory:MaxStaleness before it started, from the first call on.
        var load = new SentinelLoad(caches[0], caches[1], names.Length, options.Memory.MaxStaleness, names);
        load.CheckStalenessFrom();
        using var stop = new CancellationTokenSource();
        var running = load.RunAsync(workers: 8, stop.Token);
        await Task.Delay(TimeSpan.FromSeconds(1));
        var longestBefore = load.LongestCall;
        var startedAt = load.Now;
        var took = await Cluster.ReshardAsync(MovedSlots, from, to);
        var endedAt = load.Now;
        await Task.Delay(TimeSpan.FromSeconds(1));
        await stop.CancelAsync();
        await running;

        // Every key's last acknowledged write is in the cluster after the move (MOVED/ASK redirections followed, none
        // dropped): read once more through the other instance.
        var lost = await load.LostAcknowledgedWritesAsync(caches[1]);
        var slotsOfMovedKeys = names.Take(10).Select(n => multiplexer.HashSlot(keys.ToRedisKey(n))).ToArray();
        var ownerNow = await SlotOwnersAsync(to);
        TestContext.Progress.WriteLine(
            $"[cluster cache] reshard of {MovedSlots} slots (10 of the load's 20 keys among them) took {took.TotalSeconds:0.00} s " +
            $"({(endedAt - startedAt).TotalSeconds:0.00} s with the waits); {load.Reads} reads ({load.MemoryHits} from memory), {load.Writes} writes, {load.Failures} failed calls; " +
            $"longest call {load.LongestCall.TotalMilliseconds:0} ms (before the reshard {longestBefore.TotalMilliseconds:0} ms)");
        foreach (var line in load.OlderThanAcknowledged.Take(5).Concat(load.UntypedExceptions.Take(5)).Concat(lost.Take(5)))
        {
            TestContext.Progress.WriteLine("  " + line);
        }

        using (Assert.EnterMultipleScope())
        {
            Assert.That(slotsOfMovedKeys.All(ownerNow.Contains), Is.True, "the keys' slots moved to the target");
            Assert.That(lost, Is.Empty, "an acknowledged write is not in the cluster after the reshard");
            Assert.That(load.WrongKeyValues, Is.Empty, "a read returned another key's value");
            Assert.That(load.UntypedExceptions, Is.Empty, "every failure is a CacheUnavailableException");
            Assert.That(load.Failures, Is.Zero, "a call failed during the reshard");
            Assert.That(load.OlderThanAcknowledged, Is.Empty, "a read returned a version older than one acknowledged more than Memory:MaxStaleness before it started");
            Assert.That(load.MemoryHits, Is.GreaterThan(0), "the in-process tier served reads");
            Assert.That(load.Reads, Is.GreaterThan(100));
            Assert.That(load.Writes, Is.GreaterThan(100));
        }
    }

    [Test, Order(11)]
    public async Task SIGKILL_of_a_primary_under_load_never_another_keys_value_and_calls_succeed_again_within_10_s()
    {
        var (options, caches, multiplexer) = await InstancesAsync(2, memory: true);
        var keys = new CacheKeyBuilder(options.Keys);
        var load = new SentinelLoad(caches[0], caches[1], keys: 20, options.Memory.MaxStaleness);

        // The primary that serves the load's first key: some of the load's keys are on it, the others elsewhere.
        var victimPort = ((System.Net.IPEndPoint)multiplexer.GetServer((RedisKey)keys.ToRedisKey("k0")).EndPoint).Port;
        var victim = (await Cluster.GetPrimariesAsync()).Single(n => n.Port == victimPort);

        // A key on a primary that stays up, read on its own, to show what the kill costs the rest of the cluster.
        var bystander = Enumerable.Range(0, 100).Select(i => "b" + i.ToString(CultureInfo.InvariantCulture))
            .First(n => ((System.Net.IPEndPoint)multiplexer.GetServer((RedisKey)keys.ToRedisKey(n)).EndPoint).Port != victimPort);
        await caches[0].SetAsync(bystander, "b");
        using var stop = new CancellationTokenSource();
        var running = load.RunAsync(workers: 8, stop.Token);
        var probing = ProbeAsync(caches[0], bystander, stop.Token);
        await Task.Delay(TimeSpan.FromSeconds(1));
        load.CheckStalenessFrom();
        await Task.Delay(TimeSpan.FromSeconds(1));
        load.PauseStalenessCheck();
        var killedAt = load.Now;
        var failover = await Cluster.KillPrimaryAsync(victim);
        TestContext.Progress.WriteLine($"[cluster cache] primary {victim} killed at {killedAt.TotalSeconds:0.00} s, replica {failover.NewPrimary} promoted after {failover.Pause.TotalSeconds:0.00} s");

        // Writes the killed primary acknowledged but had not replicated are lost with it (asynchronous replication):
        // staleness is checked again from a little after the promotion.
        await Task.Delay(TimeSpan.FromSeconds(1));
        load.CheckStalenessFrom();
        await Task.Delay(SucceedsAgainWithin);
        await stop.CancelAsync();
        await running;
        var (probes, probesFailed, probesOnOpenBreaker) = await probing;
        var tracking = _tiers.Select(t => (t.Mode, Ports: t.TrackedClusterPrimaries.Select(e => ((System.Net.IPEndPoint)e).Port).ToArray())).ToArray();

        var lastFailure = load.LastFailure;
        TestContext.Progress.WriteLine(
            $"[cluster cache] {load.Reads} reads ({load.MemoryHits} from memory), {load.Writes} writes, {load.Failures} failed calls; last failure {(lastFailure - killedAt)?.TotalSeconds:0.00} s after the kill " +
            $"(the pause callers saw); longest call {load.LongestCall.TotalMilliseconds:0} ms; " +
            $"a key on a primary that stayed up: {probesFailed} of {probes} reads failed, {probesOnOpenBreaker} of them on an open breaker (the rest: Redis's own CLUSTERDOWN until the promotion)");
        foreach (var line in load.OlderThanAcknowledged.Take(5).Concat(load.UntypedExceptions.Take(5)))
        {
            TestContext.Progress.WriteLine("  " + line);
        }

        using (Assert.EnterMultipleScope())
        {
            Assert.That(load.WrongKeyValues, Is.Empty, "a read returned another key's value");
            Assert.That(load.UntypedExceptions, Is.Empty, "every failure is a CacheUnavailableException");
            Assert.That(lastFailure is null || lastFailure.Value - killedAt < SucceedsAgainWithin, Is.True, $"calls still failed {(lastFailure - killedAt)?.TotalSeconds:0.00} s after the kill");
            Assert.That(load.OlderThanAcknowledged, Is.Empty, "a read returned a version older than one acknowledged more than Memory:MaxStaleness before it started (from 1 s after the promotion)");
            Assert.That(load.MemoryHits, Is.GreaterThan(0), "the in-process tier served reads");
            Assert.That(load.Reads, Is.GreaterThan(100));
            Assert.That(load.Writes, Is.GreaterThan(100));
            Assert.That(tracking.Select(t => t.Mode), Is.All.EqualTo(CacheCoherenceMode.Tracking), "both tiers are coherent again");
            Assert.That(probesOnOpenBreaker, Is.Zero, "the dead primary's breaker failed calls for a key on a healthy primary (one breaker per primary)");
            Assert.That(tracking.Select(t => t.Ports.Contains(failover.NewPrimary.Port) && !t.Ports.Contains(victim.Port)), Is.All.True, "tracking moved from the killed node to the promoted one");
        }

        // The last test of the fixture: the killed node stays down, the teardown stops the rest.
    }

    /// <summary>Reads <paramref name="key"/> every few milliseconds until stopped: how many reads, how many failed, how many of those on an open breaker.</summary>
    private static async Task<(int Reads, int Failed, int BreakerOpen)> ProbeAsync(Internal.Engine.RedisCache cache, string key, CancellationToken stop)
    {
        var (reads, failed, breakerOpen) = (0, 0, 0);
        while (!stop.IsCancellationRequested)
        {
            reads++;
            try
            {
                await cache.TryGetAsync<string>(key, cancellationToken: CancellationToken.None);
            }
            catch (CacheUnavailableException ex)
            {
                failed++;
                breakerOpen += ex.InnerException is null && ex.Message.Contains("circuit breaker", StringComparison.Ordinal) ? 1 : 0;
            }

            await Task.Delay(5, CancellationToken.None);
        }

        return (reads, failed, breakerOpen);
    }

    /// <summary>Names whose Redis keys fall in slots <paramref name="wanted"/> accepts.</summary>
    private static IEnumerable<string> PickNames(IConnectionMultiplexer multiplexer, CacheKeyBuilder keys, Func<int, bool> wanted, int count) =>
        Enumerable.Range(0, 1_000_000).Select(i => "r" + i.ToString(CultureInfo.InvariantCulture)).Where(n => wanted(multiplexer.HashSlot(keys.ToRedisKey(n)))).Take(count);

    /// <summary>The lowest <paramref name="count"/> slots <paramref name="primary"/> serves, as it says itself.</summary>
    private static async Task<IEnumerable<int>> LowestSlotsAsync(IRedisTestNode primary, int count) => (await SlotOwnersAsync(primary)).Order().Take(count);

    /// <summary>The slots <paramref name="primary"/> serves (CLUSTER NODES, its "myself" line).</summary>
    private static async Task<HashSet<int>> SlotOwnersAsync(IRedisTestNode primary)
    {
        var nodes = await primary.RunCliAsync("CLUSTER", "NODES");
        var mine = nodes.Split('\n').Single(line => line.Contains("myself", StringComparison.Ordinal));
        var slots = new HashSet<int>();
        foreach (var range in mine.Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(8).Where(r => !r.StartsWith('[')))
        {
            var bounds = range.Split('-');
            var low = int.Parse(bounds[0], CultureInfo.InvariantCulture);
            var high = bounds.Length == 1 ? low : int.Parse(bounds[1], CultureInfo.InvariantCulture);
            for (var slot = low; slot <= high; slot++)
            {
                slots.Add(slot);
            }
        }

        return slots;
    }
}
