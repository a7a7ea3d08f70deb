using System;
using System.Diagnostics;
using System.Threading.Tasks;
using NUnit.Framework;
using RedisCaching.Core.Tests.Connections;
using RedisCaching.Internal.Memory;
using StackExchange.Redis;
using static RedisCaching.Core.Tests.Memory.MemoryTierTestSupport;

namespace RedisCaching.Core.Tests.Memory;

/// <summary>
/// Every kind of change by another client removes the entry from L1; the staleness window (writer's write done →
/// entry gone from L1) is measured and printed. Our own writes through the tracked connection do not (NOLOOP).
/// </summary>
public class TrackingInvalidationTests : StandaloneServerFixture
{
    private ConnectionMultiplexer _writer = null!;

    [OneTimeSetUp]
    public async Task ConnectWriter()
    {
        var options = Server.CreateConfigurationOptions();
        options.AllowAdmin = true; // FLUSHDB
        _writer = await ConnectionMultiplexer.ConnectAsync(options);
    }

    [OneTimeTearDown]
    public async Task DisposeWriter()
    {
        if (_writer is not null)
        {
            await _writer.DisposeAsync();
        }
    }

    [Test]
    public async Task Tier_starts_in_tracking_mode_and_a_hit_allocates_nothing()
    {
        await using var tier = await StartTierAsync(Server, NewPrefix("alloc"));
        Assert.That(tier.Mode, Is.EqualTo(CacheCoherenceMode.Tracking));
        var key = NewPrefix("alloc") + "k";
        Fill(tier, key, "v");

        // The first batch is not measured: it runs the JIT (tiering and on-stack replacement of the loop allocate on
        // this thread; 6,096 B once in a CI run of 2026-11-27, where a single warm-up read came before the loop).
        ReadMany(tier, key);
        var before = GC.GetAllocatedBytesForCurrentThread();
        var hits = ReadMany(tier, key);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        using (Assert.EnterMultipleScope())
        {
            Assert.That(hits, Is.EqualTo(100_000));
            Assert.That(allocated, Is.Zero);
        }
    }

    /// <summary>100,000 memory reads of <paramref name="key"/>; how many were hits.</summary>
    private static int ReadMany(CoherentMemoryTier tier, string key)
    {
        var hits = 0;
        for (var i = 0; i < 100_000; i++)
        {
            hits += tier.TryGet(key, out _) ? 1 : 0;
        }

        return hits;
    }

    [TestCase("another multiplexer SET", 300)]
    [TestCase("another multiplexer DEL", 300)]
    [TestCase("redis-cli SET", 15)]
    [TestCase("SET PX 50 (expiry)", 10)]
    [TestCase("FLUSHDB", 30)]
    public async Task A_change_by_another_client_removes_the_entry(string change, int trials)
    {
        var prefix = NewPrefix("inval");
        await using var tier = await StartTierAsync(Server, prefix);
        var windows = Samples();
        var db = _writer.GetDatabase();
        long expected = 0;
        for (var i = 0; i < trials; i++)
        {
            var key = prefix + i;
            await db.StringSetAsync(key, "old");

            // Let the setup write's own invalidation land first, or it would (rightly) refuse the fill below.
            await AwaitInvalidationsAsync(tier, ++expected);
            Fill(tier, key, "old");
            Assert.That(Holds(tier, key), Is.True, $"trial {i}: mode {tier.Mode}, flushes {tier.Flushes}, re-enables {tier.Reenables}");

            long done;
            switch (change)
            {
                case "another multiplexer SET":
                    await db.StringSetAsync(key, "new");
                    done = Stopwatch.GetTimestamp();
                    break;
                case "another multiplexer DEL":
                    await db.KeyDeleteAsync(key);
                    done = Stopwatch.GetTimestamp();
                    break;
                case "redis-cli SET":
                    await Server.RunCliAsync("SET", key, "new");
                    done = Stopwatch.GetTimestamp();
                    break;
                case "SET PX 50 (expiry)":
                    await db.StringSetAsync(key, "short", TimeSpan.FromMilliseconds(50));
                    done = Stopwatch.GetTimestamp() + (Stopwatch.Frequency / 20); // it expires 50 ms after the write
                    await AwaitInvalidationsAsync(tier, ++expected);
                    Fill(tier, key, "short");
                    break;
                default:
                    await db.ExecuteAsync("FLUSHDB");
                    done = Stopwatch.GetTimestamp();
                    break;
            }

            expected++;
            var gone = await WaitUntilAsync(() => !Holds(tier, key));
            Assert.That(gone, Is.Not.Null, $"trial {i}: the entry was still in L1 after {Deadline}");
            windows.Add(Math.Max(0, Stopwatch.GetElapsedTime(done).TotalMilliseconds));
            await AwaitInvalidationsAsync(tier, expected);
        }

        TestContext.Progress.WriteLine($"staleness window after {change}: {Summary(windows)}");
        Assert.That(tier.Mode, Is.EqualTo(CacheCoherenceMode.Tracking));
    }

    private static async Task AwaitInvalidationsAsync(CoherentMemoryTier tier, long expected) =>
        Assert.That(await WaitUntilAsync(() => tier.InvalidationsReceived >= expected), Is.Not.Null, $"expected {expected} invalidations, got {tier.InvalidationsReceived}");

    [Test]
    public async Task Own_writes_do_not_invalidate_us_but_a_second_instance_sees_them()
    {
        // NOLOOP on the redirecting connection: verified here, not assumed.
        var prefix = NewPrefix("noloop");
        await using var first = await StartTierAsync(Server, prefix);
        await using var second = await StartTierAsync(Server, prefix);
        var key = prefix + "k";
        await first.WriteDatabase.StringSetAsync(key, "v1");
        await WaitUntilAsync(() => second.InvalidationsReceived >= 1);
        var receivedBefore = first.InvalidationsReceived;
        Fill(first, key, "v1");
        Fill(second, key, "v1");

        var ticket = first.BeginFill(key);
        await first.WriteDatabase.StringSetAsync(key, "v2");
        await first.AfterOwnWriteAsync(key);
        var stored = first.CompleteFill(key, ticket, Entry("v2"));

        var secondDropped = await WaitUntilAsync(() => !Holds(second, key));

        // Give a loop-back invalidation (if NOLOOP did not work) ample time to arrive after the other one did.
        await Task.Delay(200);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(stored, Is.True, "our own write invalidated our own fill");
            Assert.That(first.TryGet(key, out var entry) ? entry.Value : null, Is.EqualTo("v2"));
            Assert.That(first.InvalidationsReceived, Is.EqualTo(receivedBefore), "an own write came back as an invalidation");
            Assert.That(secondDropped, Is.Not.Null, "the second instance did not see our write");
        }

        // And others' writes still reach the first instance after all that.
        await _writer.GetDatabase().StringSetAsync(key, "v3");
        Assert.That(await WaitUntilAsync(() => !Holds(first, key)), Is.Not.Null);
    }

    [Test]
    public async Task Keys_outside_the_prefix_do_not_invalidate()
    {
        var prefix = NewPrefix("scope");
        await using var tier = await StartTierAsync(Server, prefix);
        var key = prefix + "k";
        Fill(tier, key, "v");
        await _writer.GetDatabase().StringSetAsync(NewPrefix("other") + "k", "x");
        await Task.Delay(100);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(tier.InvalidationsReceived, Is.Zero);
            Assert.That(Holds(tier, key), Is.True);
        }
    }

    [Test]
    public async Task Entries_never_outlive_the_lifetime_backstop_or_their_hard_expiry()
    {
        var prefix = NewPrefix("backstop");
        await using var tier = await StartTierAsync(Server, prefix, o => o.MaxEntryLifetime = TimeSpan.FromMilliseconds(100));
        var longLived = prefix + "long";
        var shortLived = prefix + "short";
        Assert.That(tier.CompleteFill(longLived, tier.BeginFill(longLived), Entry("v")), Is.True);
        Assert.That(tier.CompleteFill(shortLived, tier.BeginFill(shortLived), Entry("v", TimeSpan.FromMilliseconds(30))), Is.True);
        await Task.Delay(60);
        Assert.That(Holds(tier, shortLived), Is.False, "past its hard expiry");
        await Task.Delay(80);
        Assert.That(Holds(tier, longLived), Is.False, "past the lifetime backstop");
    }
}
