using System;
using System.Globalization;
using System.Linq;
using System.Threading.Tasks;
using NUnit.Framework;
using RedisCaching.Core.Tests.Connections;
using RedisCaching.Core.Tests.Memory;
using RedisCaching.Testing;
using StackExchange.Redis;
using static RedisCaching.Core.Tests.Cache.CacheTestSupport;

namespace RedisCaching.Core.Tests.Cache;

/// <summary>
/// A TTL shortened from outside (<c>PEXPIRE</c> from another program): memory's copy must end when the key ends in
/// Redis, not at the envelope's expiry. Redis announces the key's end only once it deletes it, which on a large
/// database may take minutes; here active expiry is switched off (<c>DEBUG SET-ACTIVE-EXPIRE 0</c>, a server of its own)
/// so nothing deletes the key until a client reads it, as on such a database. Each read path that fills memory is tested:
/// a GET of its own, a read coalesced into an <c>MGET</c>, a get-or-set, and a many-key read.
/// </summary>
public class OutsideTtlTests : DebugEnabledServerFixture
{
    private const int Keys = 16;

    /// <summary>The TTL given from outside: long enough for three passes of reads on a loaded CI machine.</summary>
    private static readonly TimeSpan KeyLife = TimeSpan.FromSeconds(2);

    /// <summary>How a test reads its keys.</summary>
    public enum ReadPath
    {
        /// <summary>One try-get at a time: each a GET of its own.</summary>
        Alone,

        /// <summary>All keys at once with coalescing from the first read in flight: most go in an MGET.</summary>
        Coalesced,

        /// <summary>One get-or-set at a time (its factory must not run: the keys are in Redis).</summary>
        GetOrSet,

        /// <summary>One many-key read.</summary>
        Many,
    }

    [TestCase(ReadPath.Alone)]
    [TestCase(ReadPath.Coalesced)]
    [TestCase(ReadPath.GetOrSet)]
    [TestCase(ReadPath.Many)]
    public async Task Memory_never_serves_a_key_past_a_TTL_shortened_from_outside(ReadPath path)
    {
        await using var cache = await CreateCoherentAsync(Server, Options(Server, o => o.CoalesceReadsAbove = path == ReadPath.Coalesced ? 1 : 8));
        var keys = Enumerable.Range(0, Keys).Select(i => "k" + i.ToString(CultureInfo.InvariantCulture)).ToArray();
        foreach (var key in keys)
        {
            await cache.Cache.SetAsync(key, "v-" + key, new CacheEntryOptions { Expiration = TimeSpan.FromHours(1) });
        }

        await Server.RunCliAsync("DEBUG", "SET-ACTIVE-EXPIRE", "0");
        try
        {
            // Another program gives every key 2 s to live (pipelined: all end within a few milliseconds); the
            // invalidations this causes empty memory. The keys end after `sent` + 2 s and before `acknowledged` + 2 s.
            await using var outside = await ConnectionMultiplexer.ConnectAsync(Server.CreateConfigurationOptions());
            var sent = System.Diagnostics.Stopwatch.StartNew();
            var shortened = await Task.WhenAll(keys.Select(key => outside.GetDatabase().KeyExpireAsync(cache.Cache.RedisKeyOf(key), KeyLife)));
            var acknowledged = System.Diagnostics.Stopwatch.StartNew();
            Assert.That(shortened, Is.All.True);

            Assert.That(await MemoryTierTestSupport.WaitUntilAsync(() => keys.All(key => !cache.Tier.TryGet(key, out _))), Is.Not.Null, "the PEXPIREs brought no invalidations");

            // Read from Redis (filling memory), then from memory: the fills must still happen, bounded.
            var first = await ReadAllAsync(cache, keys, path);

            // A read that went in an MGET fills memory once its PTTL answers, just after the read returned.
            var filled = await MemoryTierTestSupport.WaitUntilAsync(() => keys.All(key => cache.Tier.TryGet(key, out _)), TimeSpan.FromSeconds(1));
            var second = await ReadAllAsync(cache, keys, path);
            var coalesced = cache.Cache.Coalescer?.CoalescedReads ?? 0;
            Assert.That(filled, Is.Not.Null, "memory was not filled under the shortened TTL");
            Assert.That(sent.Elapsed, Is.LessThan(KeyLife), "the machine was too slow to read before the keys expire");

            await Task.Delay(KeyLife + TimeSpan.FromMilliseconds(200) - acknowledged.Elapsed);
            var after = await ReadAllAsync(cache, keys, path);
            TestContext.Out.WriteLine($"{path}: first read {Tiers(first)}; second {Tiers(second)}; after the TTL {Tiers(after)}; coalesced reads {coalesced}");
            using (Assert.EnterMultipleScope())
            {
                Assert.That(first.All(r => r.HasValue && r.Tier == CacheTier.Redis), Is.True, "the first read after the PEXPIRE must come from Redis");
                Assert.That(second.Count(r => r.HasValue && r.Tier == CacheTier.Memory), Is.EqualTo(Keys), "memory did not serve the second read");
                Assert.That(after.Where((r, i) => r.HasValue && r.Value == "v-" + keys[i]).Select(r => r.Tier), Is.Empty, "an old value served after Redis's TTL ran out");
                if (path == ReadPath.Coalesced)
                {
                    Assert.That(coalesced, Is.GreaterThan(0), "no read was coalesced: the test did not cover the MGET path");
                }
            }
        }
        finally
        {
            await Server.RunCliAsync("DEBUG", "SET-ACTIVE-EXPIRE", "1");
        }
    }

    /// <summary>
    /// The same for a tag's token key, which memory keeps so that checking an entry's tags costs nothing on a hit: once
    /// the token key ends in Redis, the entries that recorded its token are no longer valid anywhere, and memory must
    /// not keep vouching for them.
    /// </summary>
    [Test]
    public async Task Memory_never_vouches_for_a_tag_past_a_TTL_given_to_its_token_from_outside()
    {
        await using var cache = await CreateCoherentAsync(Server, Options(Server));
        await cache.Cache.SetAsync("tagged", "v", new CacheEntryOptions { Expiration = TimeSpan.FromHours(1), Tags = ["g"] });
        var tokenKey = cache.Cache.TrackingPrefix + "!tag:g";
        Assert.That(await Server.RunCliAsync("EXISTS", tokenKey), Is.EqualTo("1"), "premise: the tag's token key");

        await Server.RunCliAsync("DEBUG", "SET-ACTIVE-EXPIRE", "0");
        try
        {
            // The key ends after `sent` + the TTL and before `acknowledged` + the TTL.
            await using var outside = await ConnectionMultiplexer.ConnectAsync(Server.CreateConfigurationOptions());
            var sent = System.Diagnostics.Stopwatch.StartNew();
            Assert.That(await outside.GetDatabase().KeyExpireAsync(tokenKey, KeyLife), Is.True);
            var acknowledged = System.Diagnostics.Stopwatch.StartNew();
            Assert.That(await MemoryTierTestSupport.WaitUntilAsync(() => !cache.Tier.TryGet("!tag:g", out _)), Is.Not.Null, "the PEXPIRE brought no invalidation");

            // The entry is checked against its token again: read from Redis with the token, then both from memory.
            var first = await cache.Cache.TryGetAsync<string>("tagged");
            var second = await cache.Cache.TryGetAsync<string>("tagged");
            Assert.That(second is { HasValue: true, Tier: CacheTier.Memory }, Is.True, "memory was not filled with the entry and its token");
            Assert.That(sent.Elapsed, Is.LessThan(KeyLife), "the machine was too slow to read before the token key expires");

            await Task.Delay(KeyLife + TimeSpan.FromMilliseconds(200) - acknowledged.Elapsed);
            var after = await cache.Cache.TryGetAsync<string>("tagged");
            TestContext.Out.WriteLine($"first {first.Tier}, second {second.Tier}, after the token's TTL: {(after.HasValue ? after.Tier.ToString() : "none")}");
            Assert.That(after.HasValue, Is.False, "an entry served after its tag's token key ended in Redis");
        }
        finally
        {
            await Server.RunCliAsync("DEBUG", "SET-ACTIVE-EXPIRE", "1");
        }
    }

    private static async Task<CacheResult<string>[]> ReadAllAsync(CoherentCache cache, string[] keys, ReadPath path)
    {
        switch (path)
        {
            case ReadPath.Coalesced:
                return await Task.WhenAll(keys.Select(key => cache.Cache.TryGetAsync<string>(key).AsTask()));
            case ReadPath.Many:
                return [.. await cache.Cache.GetManyAsync<string>(keys)];
            default:
                var results = new CacheResult<string>[keys.Length];
                for (var i = 0; i < keys.Length; i++)
                {
                    results[i] = path == ReadPath.GetOrSet
                        ? await GetOrSetWithoutFactoryAsync(cache, keys[i])
                        : await cache.Cache.TryGetAsync<string>(keys[i]);
                }

                return results;
        }
    }

    /// <summary>A get-or-set whose factory, should it run, returns a value of its own (never the key's old one).</summary>
    private static ValueTask<CacheResult<string>> GetOrSetWithoutFactoryAsync(CoherentCache cache, string key) =>
        cache.Cache.GetOrSetAsync(key, 0, static (_, _, _) => ValueTask.FromResult("from the factory"));

    private static string Tiers(CacheResult<string>[] results) =>
        string.Join(",", results.GroupBy(r => r.HasValue ? r.Tier.ToString() : "none").Select(g => $"{g.Key}={g.Count()}"));
}
