using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Threading.Tasks;
using NUnit.Framework;
using RedisCaching.Testing;
using StackExchange.Redis;

namespace RedisCaching.Invalidation.Tests;

/// <summary>Pattern invalidation on a Redis Cluster (three primaries with a replica each, one for the fixture).</summary>
/// <remarks>
/// The Redis-side tests run with the in-process tier off (<c>Memory:Enabled = false</c>), so every read after the run
/// asks the cluster; one test runs it on, to show a second instance's memory following on every primary.
/// </remarks>
[Category("HaTopology")]
public sealed class ClusterPatternInvalidationTests : ClusterTest
{
    private ConnectionMultiplexer _raw = null!;

    protected override string FixtureName => "cluster invalidation";

    protected override async Task OnClusterStartedAsync() =>
        _raw = await ConnectionMultiplexer.ConnectAsync(Cluster.CreateConfigurationOptions());

    protected override async Task OnStoppingAsync()
    {
        if (_raw is not null)
        {
            await _raw.DisposeAsync();
        }
    }

    [Test, Order(1)]
    public async Task Pattern_invalidation_removes_the_matches_on_every_primary_and_nothing_else()
    {
        var prefix = Waits.NewPrefix();
        await using var app = await StartAppAsync(prefix);
        for (var i = 0; i < 300; i++)
        {
            await app.Cache.SetAsync($"user:{i}", "v");
        }

        for (var i = 0; i < 100; i++)
        {
            await app.Cache.SetAsync($"order:{i}", "v", new CacheEntryOptions { Tags = ["orders"] });
        }

        // Ten in one slot: a SCAN page of that primary holds several keys of one slot.
        for (var i = 0; i < 10; i++)
        {
            await app.Cache.SetAsync($"user:{{7}}:{i}", "v");
        }

        var before = await CountPerPrimaryAsync($"{prefix}:user:*");
        Assert.That(before.Values, Has.Count.EqualTo(3).And.All.GreaterThan(0), "the matching keys are on every primary");

        var progress = new LastProgress();
        var removed = await app.Invalidator.InvalidateByPatternAsync("user:*", new PatternInvalidationOptions { ScanCount = 50 }, progress);

        var users = await CountPerPrimaryAsync($"{prefix}:user:*");
        var orders = await CountPerPrimaryAsync($"{prefix}:order:*");
        var internals = await CountPerPrimaryAsync($"{prefix}:!*");
        TestContext.Progress.WriteLine($"[cluster invalidation] removed {removed} keys from {progress.Last?.Servers} primaries in {progress.Last?.Batches} batches, {progress.Last?.Elapsed.TotalMilliseconds:0} ms");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(removed, Is.EqualTo(310));
            Assert.That(users.Values.Sum(), Is.Zero, "no match left on any primary");
            Assert.That(orders.Values.Sum(), Is.EqualTo(100), "keys the pattern does not match are kept");
            Assert.That(internals.Values.Sum(), Is.EqualTo(1), "the cache's own keys (the tag's token) are never removed by a pattern");
            Assert.That((progress.Last?.Completed, progress.Last?.ServersDone, progress.Last?.Servers), Is.EqualTo(((bool?)true, (int?)3, (int?)3)));
            Assert.That((await app.Cache.TryGetAsync<string>("user:1")).HasValue, Is.False);
            Assert.That((await app.Cache.TryGetAsync<string>("order:1")).HasValue, Is.True);
        }
    }

    [Test, Order(2)]
    public async Task A_second_instances_memory_drops_the_matches_on_every_primary()
    {
        var prefix = Waits.NewPrefix();
        await using var first = await StartAppAsync(prefix, memory: true);
        await using var second = await StartAppAsync(prefix, memory: true);
        Assert.That((first.KeySpace.CoherenceMode, second.KeySpace.CoherenceMode), Is.EqualTo((CacheCoherenceMode.Tracking, CacheCoherenceMode.Tracking)));
        await SecondInstanceTests.AssertSecondInstanceFollowsAsync(first, second);
        Assert.That((await CountPerPrimaryAsync($"{prefix}:item:*")).Values.Sum(), Is.Zero);
    }

    [Test, Order(3)]
    public async Task After_a_primary_was_killed_and_its_replica_promoted_pattern_invalidation_scans_the_new_primary()
    {
        var prefix = Waits.NewPrefix();
        await using var app = await StartAppAsync(prefix);
        for (var i = 0; i < 100; i++)
        {
            await app.Cache.SetAsync($"user:{i}", "v");
        }

        // The killed node stays down (and in the cluster's view, flagged failed, without slots) until the teardown.
        var failover = await Cluster.KillPrimaryAsync((await Cluster.GetPrimariesAsync())[0]);
        var clock = Stopwatch.StartNew();
        long? removed = null;
        while (removed is null && clock.Elapsed < TimeSpan.FromSeconds(10))
        {
            try
            {
                removed = await app.Invalidator.InvalidateByPatternAsync("user:*");
            }
            catch (PatternInvalidationException ex)
            {
                TestContext.Progress.WriteLine($"[cluster invalidation] after {clock.Elapsed.TotalSeconds:0.00} s: {ex.Message}");
                await Task.Delay(500);
            }
        }

        TestContext.Progress.WriteLine($"[cluster invalidation] {failover.NewPrimary} promoted after {failover.Pause.TotalSeconds:0.00} s; pattern invalidation {(removed is null ? "still failing" : "succeeded")} {clock.Elapsed.TotalSeconds:0.00} s later");
        Assert.That(removed, Is.Not.Null, $"pattern invalidation still failed 10 s after {failover.NewPrimary} was promoted");
        var left = await app.Cache.GetManyAsync<string>([.. Enumerable.Range(0, 100).Select(i => $"user:{i}")]);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(removed, Is.EqualTo(100), "every match, those on the promoted replica too");
            Assert.That(left.Select(r => r.HasValue), Is.All.False);
        }
    }

    private async Task<CacheInstance> StartAppAsync(string prefix, bool memory = false)
    {
        var seeds = string.Join(",", Cluster.SeedEndpoints.Select(e => e.ToString()));
        return await CacheInstance.StartAsync(null!, 0, null, null, prefix, o =>
        {
            (o.Redis.Host, o.Redis.Port, o.Redis.ConnectionString) = (null, null, seeds);

            o.Memory.Enabled = memory;
        });
    }

    /// <summary>Keys matching <paramref name="glob"/> on each primary, counted with SCAN on that primary.</summary>
    private async Task<Dictionary<string, int>> CountPerPrimaryAsync(string glob)
    {
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var server in _raw.GetServers().Where(s => !s.IsReplica))
        {
            var count = 0;
            await foreach (var _ in server.KeysAsync(pattern: glob, pageSize: 500))
            {
                count++;
            }

            counts[server.EndPoint.ToString()!] = count;
        }

        return counts;
    }

    /// <summary>Keeps the last report, synchronously (Progress&lt;T&gt; would post it later).</summary>
    private sealed class LastProgress : IProgress<PatternInvalidationProgress>
    {
        public PatternInvalidationProgress? Last { get; private set; }

        public void Report(PatternInvalidationProgress value) => Last = value;
    }
}
