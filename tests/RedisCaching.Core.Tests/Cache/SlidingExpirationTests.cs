using System;
using System.Globalization;
using System.Threading;
using System.Threading.Tasks;
using NUnit.Framework;
using RedisCaching.Core.Tests.Connections;
using static RedisCaching.Core.Tests.Cache.CacheTestSupport;

namespace RedisCaching.Core.Tests.Cache;

/// <summary>Sliding expiration: reads (from memory or Redis) and RefreshAsync extend the Redis TTL, up to the absolute cap.</summary>
public class SlidingExpirationTests : StandaloneServerFixture
{
    private static readonly TimeSpan Window = TimeSpan.FromMilliseconds(1000);
    private static readonly CacheEntryOptions Sliding = new() { SlidingExpiration = Window, Expiration = TimeSpan.FromHours(1) };

    private async Task<CoherentCache> CreateAsync() =>
        await CreateCoherentAsync(Server, Options(Server, o => o.Keys.Prefix = "sl" + Guid.NewGuid().ToString("N")[..10]));

    private async Task<long> PttlAsync(CoherentCache cache, string key) =>
        long.Parse(await Server.RunCliAsync("PTTL", cache.Cache.RedisKeyOf(key)), CultureInfo.InvariantCulture);

    [Test]
    public async Task Reads_keep_an_entry_alive_and_it_expires_one_window_after_the_last_read()
    {
        await using var cache = await CreateAsync();
        await cache.Cache.SetAsync("session", "alive", Sliding);
        Assert.That(await PttlAsync(cache, "session"), Is.InRange(1, 1000), "the Redis TTL is the window, not the cap");

        // Three windows of reads, most of them answered from memory: each must keep the Redis entry alive. A read
        // that comes more than ~3/4 of a window after the one before (a stalled test host: the delay is 250 ms) may
        // rightly miss; the series then starts again, a few times at most.
        var memoryHits = 0;
        var restarts = 0;
        var sinceLastRead = System.Diagnostics.Stopwatch.StartNew();
        for (var i = 0; i < 12; i++)
        {
            await Task.Delay(250);
            var gap = sinceLastRead.Elapsed;
            var read = await cache.Cache.TryGetAsync<string>("session");
            sinceLastRead.Restart();
            if (!read.HasValue && gap > Window * 0.7 && restarts++ < 3)
            {
                TestContext.Out.WriteLine($"read {i} came {gap.TotalMilliseconds:F0} ms after the one before and missed: starting again");
                await cache.Cache.SetAsync("session", "alive", Sliding);
                sinceLastRead.Restart();
                i = -1;
                continue;
            }

            Assert.That(read.Value, Is.EqualTo("alive"), $"read {i} missed, {gap.TotalMilliseconds:F0} ms after the one before");
            memoryHits += read.Tier == CacheTier.Memory ? 1 : 0;
        }

        Assert.That(memoryHits, Is.GreaterThan(0), "no read came from memory, so memory reads were not tested");
        Assert.That(await PttlAsync(cache, "session"), Is.GreaterThan(0), "Redis lost the entry while it was being read");

        // Idle for more than a window (plus slack for a loaded machine): gone from Redis and from memory.
        await Task.Delay(Window * 2.5);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(await PttlAsync(cache, "session"), Is.EqualTo(-2));
            Assert.That((await cache.Cache.TryGetAsync<string>("session")).HasValue, Is.False);
        }
    }

    [Test]
    public async Task Reads_never_extend_an_entry_past_its_absolute_cap()
    {
        await using var cache = await CreateAsync();
        var capped = new CacheEntryOptions { SlidingExpiration = TimeSpan.FromMilliseconds(800), Expiration = TimeSpan.FromMilliseconds(1500) };
        await cache.Cache.SetAsync("capped", "v", capped);
        var stopwatch = System.Diagnostics.Stopwatch.StartNew();
        while (stopwatch.Elapsed < TimeSpan.FromSeconds(4) && (await cache.Cache.TryGetAsync<string>("capped")).HasValue)
        {
            await Task.Delay(100);
        }

        Assert.That(stopwatch.Elapsed, Is.InRange(TimeSpan.FromMilliseconds(1300), TimeSpan.FromMilliseconds(2500)), "the entry should last its 1.5 s cap despite reads every 100 ms");
    }

    [Test]
    public async Task Refresh_restarts_the_window_without_reading_the_value()
    {
        // A wide window: on a loaded box the steps before the refresh may take longer than the shared 1 s window.
        var sliding = new CacheEntryOptions { SlidingExpiration = TimeSpan.FromSeconds(10), Expiration = TimeSpan.FromHours(1) };
        await using var cache = await CreateAsync();
        await cache.Cache.SetAsync("s", "v", sliding);
        await cache.Cache.SetAsync("fixed", "v", new CacheEntryOptions { Expiration = TimeSpan.FromMinutes(10) });
        await Task.Delay(1500);
        var before = await PttlAsync(cache, "s");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(await cache.Cache.RefreshAsync("s"), Is.True);
            Assert.That(await PttlAsync(cache, "s"), Is.GreaterThan(before + 1000), $"PTTL before the refresh was {before}");
            Assert.That(await cache.Cache.RefreshAsync("fixed"), Is.True, "an entry without sliding expiration exists");
            Assert.That(await PttlAsync(cache, "fixed"), Is.GreaterThan(9 * 60_000), "refresh changed a fixed lifetime");
            Assert.That(await cache.Cache.RefreshAsync("missing"), Is.False);
            Assert.That(async () => await cache.Cache.RefreshAsync("bad key"), Throws.TypeOf<CacheKeyException>());
        }
    }

    [Test]
    public async Task An_idle_sliding_entry_is_gone_not_stale()
    {
        await using var cache = await CreateAsync();
        var slidingWithFailSafe = Sliding with { SlidingExpiration = TimeSpan.FromMilliseconds(300), FailSafeMaxDuration = TimeSpan.FromHours(1) };
        await cache.Cache.SetAsync("idle", "old", slidingWithFailSafe);
        await Task.Delay(900);
        Assert.That(
            async () => await cache.Cache.GetOrSetAsync("idle", 0, static (_, _, _) => ValueTask.FromException<string>(new InvalidOperationException("backend down")), slidingWithFailSafe),
            Throws.InvalidOperationException);
    }

    [Test]
    public async Task A_read_on_another_instance_keeps_the_entry_alive_for_both()
    {
        var prefix = "sl" + Guid.NewGuid().ToString("N")[..10];
        await using var a = await CreateCoherentAsync(Server, Options(Server, o => o.Keys.Prefix = prefix));
        await using var b = await CreateCoherentAsync(Server, Options(Server, o => o.Keys.Prefix = prefix));
        await a.Cache.SetAsync("shared", "v1", Sliding);
        for (var i = 0; i < 8; i++)
        {
            await Task.Delay(300);
            Assert.That((await b.Cache.TryGetAsync<string>("shared")).Value, Is.EqualTo("v1"), $"B's read {i}");
        }

        // A never read it during those 2.4 s (more than two windows), yet it is alive, and a new value is seen by both.
        Assert.That((await a.Cache.TryGetAsync<string>("shared")).Value, Is.EqualTo("v1"));
        await b.Cache.SetAsync("shared", "v2", Sliding);
        var stopwatch = System.Diagnostics.Stopwatch.StartNew();
        string? seen;
        while ((seen = (await a.Cache.TryGetAsync<string>("shared")).Value) != "v2" && stopwatch.Elapsed < TimeSpan.FromSeconds(1))
        {
            await Task.Delay(1, CancellationToken.None);
        }

        Assert.That(seen, Is.EqualTo("v2"));
    }
}
