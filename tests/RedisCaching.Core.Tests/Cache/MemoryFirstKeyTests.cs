using System;
using System.Threading;
using System.Threading.Tasks;
using NUnit.Framework;
using RedisCaching.Core.Tests.Connections;
using RedisCaching.Internal.Keys;
using static RedisCaching.Core.Tests.Cache.CacheTestSupport;

namespace RedisCaching.Core.Tests.Cache;

/// <summary>
/// A read whose key has the usual shape asks memory before the key rules run (a hit then skips them). These are the
/// keys memory holds entries under that a caller may not name: another key's hash and the cache's internal keys. Each
/// is in memory when it is asked for, and each read still gets the key rule's exception, not the entry.
/// </summary>
public class MemoryFirstKeyTests : StandaloneServerFixture
{
    private static readonly Func<int, CacheFactoryContext, CancellationToken, ValueTask<object>> Factory =
        static (_, _, _) => ValueTask.FromResult<object>("from the factory");

    [Test]
    public async Task A_hashed_long_keys_memory_key_cannot_be_read_as_a_key()
    {
        var options = Options(Server, o => o.Keys.HashLongKeys = true);
        await using var cache = await CreateCoherentAsync(Server, options);
        var longKey = new string('a', 300);
        var hashed = new CacheKeyBuilder(options.Keys).ToMemoryKey(longKey);
        await cache.Cache.SetAsync<object>(longKey, "value");
        Assert.That(await InMemoryAsync(cache, longKey), Is.True, "premise: memory holds the entry under the hashed key");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(async () => await cache.Cache.TryGetAsync<object>(hashed), Throws.TypeOf<CacheKeyException>().With.Property("Rule").EqualTo("reserved"));
            Assert.That(async () => await cache.Cache.GetOrSetAsync(hashed, 0, Factory), Throws.TypeOf<CacheKeyException>().With.Property("Rule").EqualTo("reserved"));
        }
    }

    [Test]
    public async Task A_tag_tokens_internal_key_cannot_be_read_as_a_key()
    {
        await using var cache = await CreateCoherentAsync(Server, Options(Server));
        await cache.Cache.SetAsync<object>("tagged", "value", new CacheEntryOptions { Tags = ["t"] });
        Assert.That(await InMemoryAsync(cache, "tagged"), Is.True, "premise: the tagged entry is a memory hit");
        var tokenKey = CacheKeyBuilder.TagKeyPrefix + "t";
        Assert.That(cache.Tier.TryGet(tokenKey, out _), Is.True, "premise: memory holds the tag's token under its internal key");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(async () => await cache.Cache.TryGetAsync<object>(tokenKey), Throws.TypeOf<CacheKeyException>().With.Property("Rule").EqualTo("characters"));
            Assert.That(async () => await cache.Cache.GetOrSetAsync(tokenKey, 0, Factory), Throws.TypeOf<CacheKeyException>().With.Property("Rule").EqualTo("characters"));
        }
    }

    [Test]
    public async Task A_key_memory_does_not_hold_meets_the_rules_after_the_lookup()
    {
        await using var cache = await CreateCoherentAsync(Server, Options(Server));
        using (Assert.EnterMultipleScope())
        {
            Assert.That(async () => await cache.Cache.TryGetAsync<object>("bad key"), Throws.TypeOf<CacheKeyException>().With.Property("Rule").EqualTo("characters"));
            Assert.That(async () => await cache.Cache.GetOrSetAsync("bad key", 0, Factory), Throws.TypeOf<CacheKeyException>().With.Property("Rule").EqualTo("characters"));
            Assert.That(async () => await cache.Cache.TryGetAsync<object>(null!), Throws.TypeOf<CacheKeyException>().With.Property("Rule").EqualTo("empty"));
            Assert.That(async () => await cache.Cache.GetOrSetAsync(string.Empty, 0, Factory), Throws.TypeOf<CacheKeyException>().With.Property("Rule").EqualTo("empty"));
        }
    }

    [Test]
    public async Task A_bad_key_is_reported_before_options_met_for_the_first_time()
    {
        await using var cache = await CreateCoherentAsync(Server, Options(Server));
        var unknownProfile = new CacheEntryOptions { Profile = "no-such-profile" };
        using (Assert.EnterMultipleScope())
        {
            Assert.That(async () => await cache.Cache.TryGetAsync<object>("bad key", unknownProfile), Throws.TypeOf<CacheKeyException>());
            Assert.That(async () => await cache.Cache.GetOrSetAsync("bad key", 0, Factory, unknownProfile), Throws.TypeOf<CacheKeyException>());
            Assert.That(async () => await cache.Cache.TryGetAsync<object>("good-key", unknownProfile), Throws.ArgumentException, "premise: the options alone are refused");
        }
    }

    /// <summary>Reads until memory answers (a fill can be refused while the write's own invalidation is on its way).</summary>
    private static Task<bool> InMemoryAsync(CoherentCache cache, string key) =>
        Adapters.AdapterTestSupport.EventuallyAsync(async () => (await cache.Cache.TryGetAsync<object>(key)).Tier == CacheTier.Memory, TimeSpan.FromSeconds(5));
}
