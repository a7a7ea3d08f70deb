using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using NUnit.Framework;
using RedisCaching.Core.Tests.Connections;
using static RedisCaching.Core.Tests.Cache.CacheTestSupport;

namespace RedisCaching.Core.Tests.Cache;

/// <summary>
/// Two cache instances on separate connections share a server. A holds a key in memory; every kind of change made
/// elsewhere (B's writes, redis-cli, expiry, FLUSHDB) must be seen by A's next read, after at most the measured
/// invalidation delay.
/// </summary>
public class CoherenceTests : StandaloneServerFixture
{
    private static readonly TimeSpan Window = TimeSpan.FromMilliseconds(500);

    private async Task<(CoherentCache A, CoherentCache B)> TwoInstancesAsync()
    {
        var prefix = "co" + Guid.NewGuid().ToString("N")[..10];
        var a = await CreateCoherentAsync(Server, Options(Server, o => o.Keys.Prefix = prefix));
        var b = await CreateCoherentAsync(Server, Options(Server, o => o.Keys.Prefix = prefix));
        Assert.That(a.Tier.Mode, Is.EqualTo(CacheCoherenceMode.Tracking));
        return (a, b);
    }

    /// <summary>Reads through A until it returns <paramref name="expected"/>; returns how long that took after the change.</summary>
    private static async Task<TimeSpan> SeenWithinAsync(Func<Task<string?>> read, string? expected)
    {
        var stopwatch = Stopwatch.StartNew();
        while (true)
        {
            var value = await read();
            if (value == expected)
            {
                return stopwatch.Elapsed;
            }

            Assert.That(stopwatch.Elapsed, Is.LessThan(Window), $"A still read '{value}' after {stopwatch.Elapsed.TotalMilliseconds:F1} ms; expected '{expected}'");
            await Task.Delay(1);
        }
    }

    /// <summary>
    /// Reads <paramref name="key"/> until memory answers, as long as the tier itself explains why it did not: since
    /// <paramref name="since"/> an invalidation arrived (it voids the fill of a read that began before it, as the late
    /// invalidation of a write just read does on a loaded box), its lease went unconfirmed (pings late), or it flushed.
    /// A read from Redis with none of those is returned as it is, for the caller to fail on.
    /// </summary>
    private static async Task<CacheResult<string>> ReadUntilMemoryAnswersAsync(CoherentCache cache, string key, TierEvents since)
    {
        var stopwatch = Stopwatch.StartNew();
        while (true)
        {
            var read = await cache.Cache.TryGetAsync<string>(key);
            if (read.Tier == CacheTier.Memory || TierEvents.Of(cache) == since || stopwatch.Elapsed > Window * 4)
            {
                return read;
            }

            await Task.Delay(10);
        }
    }

    /// <summary>What an in-process tier counted that keeps a key out of memory.</summary>
    private readonly record struct TierEvents(long Invalidations, long LeaseRefusals, long Flushes)
    {
        public static TierEvents Of(CoherentCache cache) => new(cache.Tier.InvalidationsReceived, cache.Tier.LeaseRefusals, cache.Tier.Flushes);

        public static TierEvents operator -(TierEvents later, TierEvents earlier) =>
            new(later.Invalidations - earlier.Invalidations, later.LeaseRefusals - earlier.LeaseRefusals, later.Flushes - earlier.Flushes);
    }

    private static async Task<string?> ReadThroughMemory(CoherentCache cache, string key)
    {
        var result = await cache.Cache.TryGetAsync<string>(key);
        return result.HasValue ? result.Value : null;
    }

    [Test]
    public async Task A_memory_hit_of_an_immutable_value_is_the_same_instance_and_allocates_nothing()
    {
        var (a, b) = await TwoInstancesAsync();
        await using var _ = a;
        await using var __ = b;
        await a.Cache.SetAsync("greeting", "hello");
        var first = await a.Cache.TryGetAsync<string>("greeting");
        Assert.That(first.Tier, Is.EqualTo(CacheTier.Memory));

        var synchronous = 0;
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1000; i++)
        {
            synchronous += IsSynchronousHit(a.Cache.TryGetAsync<string>("greeting")) ? 1 : 0;
        }

        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.That(synchronous, Is.EqualTo(1000), "a memory hit completes synchronously");
        Assert.That(allocated, Is.Zero, "1,000 memory hits allocated bytes");
        Assert.That((await a.Cache.TryGetAsync<string>("greeting")).Value, Is.SameAs(first.Value));
    }

    private static bool IsSynchronousHit(ValueTask<CacheResult<string>> pending) =>
        pending.IsCompletedSuccessfully && pending.Result.Tier == CacheTier.Memory;

    [Test]
    public async Task Every_change_made_elsewhere_reaches_the_next_read()
    {
        var (a, b) = await TwoInstancesAsync();
        await using var _ = a;
        await using var __ = b;
        var windows = new List<(string Change, double Ms)>();
        var redisKey = a.Cache.RedisKeyOf("doc");

        await a.Cache.SetAsync("doc", "v1");
        Assert.That((await a.Cache.TryGetAsync<string>("doc")).Tier, Is.EqualTo(CacheTier.Memory));

        await b.Cache.SetAsync("doc", "v2");
        windows.Add(("write through B", (await SeenWithinAsync(() => ReadThroughMemory(a, "doc"), "v2")).TotalMilliseconds));

        await b.Cache.RemoveAsync("doc");
        windows.Add(("remove through B", (await SeenWithinAsync(() => ReadThroughMemory(a, "doc"), null)).TotalMilliseconds));

        await a.Cache.SetAsync("doc", "v3");
        await a.Cache.TryGetAsync<string>("doc");
        await Server.RunCliAsync("DEL", redisKey);
        windows.Add(("DEL from redis-cli", (await SeenWithinAsync(() => ReadThroughMemory(a, "doc"), null)).TotalMilliseconds));

        await a.Cache.SetAsync("doc", "v4");
        await a.Cache.TryGetAsync<string>("doc");
        await Server.RunCliAsync("SET", redisKey, "not an entry of ours");
        windows.Add(("SET from redis-cli", (await SeenWithinAsync(() => ReadThroughMemory(a, "doc"), null)).TotalMilliseconds));

        await a.Cache.SetAsync("doc", "v5");
        await a.Cache.TryGetAsync<string>("doc");
        await Server.RunCliAsync("PEXPIRE", redisKey, "20");
        windows.Add(("expiry set from redis-cli", (await SeenWithinAsync(() => ReadThroughMemory(a, "doc"), null)).TotalMilliseconds));

        await a.Cache.SetAsync("doc", "v6");
        await a.Cache.TryGetAsync<string>("doc");
        await Server.RunCliAsync("FLUSHDB");
        windows.Add(("FLUSHDB", (await SeenWithinAsync(() => ReadThroughMemory(a, "doc"), null)).TotalMilliseconds));

        foreach (var (change, ms) in windows)
        {
            TestContext.Progress.WriteLine($"staleness window, {change}: {ms:F2} ms");
        }
    }

    [Test]
    public async Task Own_writes_land_in_memory_and_the_other_instance_drops_its_copy()
    {
        var (a, b) = await TwoInstancesAsync();
        await using var _ = a;
        await using var __ = b;
        var bBefore = TierEvents.Of(b);
        await b.Cache.SetAsync("k", "from-b-1");
        var own = await ReadUntilMemoryAnswersAsync(b, "k", bBefore);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(own.Tier, Is.EqualTo(CacheTier.Memory), "a writer keeps its own value in memory (NOLOOP)");
            Assert.That(b.Tier.InvalidationsReceived, Is.EqualTo(bBefore.Invalidations), "a writer was told of its own write (NOLOOP)");
        }

        var aBefore = TierEvents.Of(a);
        Assert.That((await a.Cache.TryGetAsync<string>("k")).Value, Is.EqualTo("from-b-1"));
        var second = await ReadUntilMemoryAnswersAsync(a, "k", aBefore);
        Assert.That((second.Value, second.Tier), Is.EqualTo(("from-b-1", CacheTier.Memory)), $"A's second read; since its first: {TierEvents.Of(a) - aBefore}");

        await a.Cache.SetAsync("k", "from-a-2");
        await SeenWithinAsync(() => ReadThroughMemory(b, "k"), "from-a-2");
    }

    [Test]
    public async Task Under_concurrent_writes_from_two_instances_no_read_after_a_write_returns_an_older_value()
    {
        var (a, b) = await TwoInstancesAsync();
        await using var _ = a;
        await using var __ = b;
        const int Writes = 300;
        var lastAcknowledged = 0;
        var staleReads = 0;
        var reads = 0;
        using var stop = new CancellationTokenSource();

        var readers = Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                var acknowledgedBefore = Volatile.Read(ref lastAcknowledged);
                await Task.Delay(Window); // a read that starts one staleness window after the write was acknowledged
                var result = await a.Cache.TryGetAsync<int>("counter");
                Interlocked.Increment(ref reads);
                if (result.HasValue && result.Value < acknowledgedBefore)
                {
                    Interlocked.Increment(ref staleReads);
                }
            }
        })).ToArray();

        var hammer = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                await a.Cache.TryGetAsync<int>("counter");
            }
        });

        for (var version = 1; version <= Writes; version++)
        {
            await b.Cache.SetAsync("counter", version);
            Volatile.Write(ref lastAcknowledged, version);
        }

        await Task.Delay(Window + Window);
        await stop.CancelAsync();
        await Task.WhenAll(readers.Append(hammer));
        TestContext.Progress.WriteLine($"{reads} checked reads, {staleReads} stale, {a.Tier.InvalidationsReceived} invalidations received by A");
        Assert.That(staleReads, Is.Zero);
        Assert.That((await a.Cache.TryGetAsync<int>("counter")).Value, Is.EqualTo(Writes));
    }
}
