using System;
using System.Globalization;
using System.Threading.Tasks;
using NUnit.Framework;
using RedisCaching.Core.Tests.Connections;
using RedisCaching.Testing;
using static RedisCaching.Core.Tests.Cache.CacheTestSupport;

namespace RedisCaching.Core.Tests.Cache;

/// <summary>A record for the type-change test.</summary>
/// <param name="Id">An id.</param>
/// <param name="Name">A name.</param>
public sealed record ReviewRecord(int Id, string Name);

/// <summary>
/// Regressions found by an adversarial review (each failed before its fix): a tag-removed entry brought back by a lost
/// token key, a sliding touch cutting a newer entry's TTL and leaving L1 holding it past Redis, memory and Redis
/// disagreeing on a value read as another type. Runs its own server with DEBUG enabled (to switch active expiry off).
/// </summary>
public class ReviewRegressionTests : DebugEnabledServerFixture
{
    private async Task<(CoherentCache A, CoherentCache B)> TwoAsync()
    {
        var prefix = "rv" + Guid.NewGuid().ToString("N")[..10];
        var a = await CreateCoherentAsync(Server, Options(Server, o => o.Keys.Prefix = prefix));
        var b = await CreateCoherentAsync(Server, Options(Server, o => o.Keys.Prefix = prefix));
        return (a, b);
    }

    /// <summary>
    /// Finding (fixed): an entry could record token 0 (the create path turned "SET NX failed / key gone before the GET /
    /// not a number" into 0 and StoreAsync wrote it), and a missing token key also reads as 0; after a removal, losing
    /// the token key made the removed entry valid again. Now such a write is refused and a 0 never matches.
    /// </summary>
    [Test]
    public async Task A_tag_removed_entry_never_comes_back_when_the_token_key_is_lost()
    {
        var (a, b) = await TwoAsync();
        await using var _ = a;
        await using var __ = b;
        var tokenKey = a.Cache.TrackingPrefix + "!tag:t";
        var tagged = new CacheEntryOptions { Tags = ["t"] };

        // Stands in for "the token key was evicted between SET NX and GET" (or SET NX refused with OOM): the
        // create path reads something that is not a token. The write must not record it (it did, as 0, before).
        await Server.RunCliAsync("SET", tokenKey, "x");
        await a.Cache.SetAsync("k", "v", tagged);
        Assert.That(await Server.RunCliAsync("EXISTS", a.Cache.RedisKeyOf("k")), Is.EqualTo("0"), "an entry was written without a real tag token");

        await Server.RunCliAsync("DEL", tokenKey);
        await a.Cache.SetAsync("k", "v", tagged);
        Assert.That(await Server.RunCliAsync("EXISTS", a.Cache.RedisKeyOf("k")), Is.EqualTo("1"));
        Assert.That(await a.Cache.RemoveByTagAsync("t"), Is.True);
        Assert.That((await b.Cache.TryGetAsync<string>("k")).HasValue, Is.False, "removed");

        // The token key is lost (allkeys-lru eviction: token keys have no TTL and are cold for readers with L1 off).
        await Server.RunCliAsync("DEL", tokenKey);
        await Task.Delay(200);
        await using var c = await CreateCoherentAsync(Server, Options(Server, o => o.Keys.Prefix = a.Cache.TrackingPrefix.TrimEnd(':')));
        using (Assert.EnterMultipleScope())
        {
            Assert.That((await b.Cache.TryGetAsync<string>("k")).HasValue, Is.False, "B serves an entry removed by tag");
            Assert.That((await a.Cache.TryGetAsync<string>("k")).HasValue, Is.False, "A serves an entry removed by tag");
        }
    }

    /// <summary>
    /// Finding: the background touch (PEXPIRE with the old entry's window) runs against whatever the key holds by
    /// then. Our own overwrite travels on the same NOLOOP connection just before it: the new entry's TTL is cut to the
    /// old window, and our L1 keeps the new entry until its own (much later) expiry with no invalidation coming.
    /// </summary>
    [Test]
    public async Task A_touch_never_shortens_a_newer_entry_nor_leaves_L1_holding_it_past_Redis()
    {
        var prefix = "rs" + Guid.NewGuid().ToString("N")[..10];
        await using var cache = await CreateCoherentAsync(Server, Options(Server, o => o.Keys.Prefix = prefix));
        var sliding = new CacheEntryOptions { SlidingExpiration = TimeSpan.FromSeconds(2), Expiration = TimeSpan.FromHours(1) };
        await cache.Cache.SetAsync("s", "old", sliding);
        await Task.Delay(700); // past a quarter window: the next memory hit touches

        // Our own overwrite, an hour long, not sliding; the SET leaves before this call returns.
        var write = cache.Cache.SetAsync("s", "new", new CacheEntryOptions { Expiration = TimeSpan.FromHours(1) });
        var hit = await cache.Cache.TryGetAsync<string>("s"); // memory hit of "old" (write not acknowledged yet): touch
        await write;
        await Task.Delay(300);
        var pttl = long.Parse(await Server.RunCliAsync("PTTL", cache.Cache.RedisKeyOf("s")), CultureInfo.InvariantCulture);
        TestContext.Out.WriteLine($"hit during the write: {hit.Value} from {hit.Tier}; PTTL after the write: {pttl} ms");

        // Redis reclaims expired keys lazily or by sampling; with sampling off, nothing tells us it expired.
        await Server.RunCliAsync("DEBUG", "SET-ACTIVE-EXPIRE", "0");
        try
        {
            await Task.Delay(2500);
            var read = await cache.Cache.TryGetAsync<string>("s");
            var raw = await Server.RunCliAsync("GET", cache.Cache.RedisKeyOf("s"));
            TestContext.Out.WriteLine($"after the window: cache {read.Value} from {read.Tier}; GET: '{raw}'");
            using (Assert.EnterMultipleScope())
            {
                Assert.That(pttl, Is.GreaterThan(3_000_000), "the new 1-hour entry's TTL was cut to the old entry's sliding window");
                Assert.That(read.HasValue && raw.Length == 0, Is.False, "L1 served a value Redis no longer holds");
            }
        }
        finally
        {
            await Server.RunCliAsync("DEBUG", "SET-ACTIVE-EXPIRE", "1");
        }
    }

    /// <summary>
    /// Finding: the L1 path deserializes a memory payload with the reader's serializer without checking the
    /// serializer id the Redis path checks: JSON written as a record is served as raw bytes from memory, and the
    /// same read through Redis is an unreadable miss.
    /// </summary>
    [Test]
    public async Task Memory_and_Redis_agree_when_a_key_is_read_as_another_type()
    {
        var (a, b) = await TwoAsync();
        await using var _ = a;
        await using var __ = b;
        await a.Cache.SetAsync("rec", new ReviewRecord(1, "x"));
        var fromMemory = await a.Cache.TryGetAsync<byte[]>("rec");
        var fromRedis = await b.Cache.TryGetAsync<byte[]>("rec");
        TestContext.Out.WriteLine($"A: {fromMemory.HasValue} {fromMemory.Tier} ({(fromMemory.HasValue ? System.Text.Encoding.UTF8.GetString(fromMemory.Value!) : "-")}); B: {fromRedis.HasValue} {fromRedis.Tier}");
        Assert.That(fromMemory.HasValue, Is.EqualTo(fromRedis.HasValue), "memory and Redis disagree on a type change");
    }
}
