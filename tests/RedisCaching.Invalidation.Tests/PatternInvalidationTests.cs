using System;
using System.Linq;
using System.Threading.Tasks;
using NUnit.Framework;
using StackExchange.Redis;

namespace RedisCaching.Invalidation.Tests;

/// <summary>What a pattern removes and what it never touches, checked by reading Redis with redis-cli.</summary>
public class PatternInvalidationTests : ServerFixture
{
    [Test]
    public async Task Removes_the_matching_entries_and_nothing_else()
    {
        var prefix = Waits.NewPrefix();
        await using var app = await CacheInstance.StartAsync(Server, prefix);
        foreach (var key in new[] { "user:1:profile", "user:1:orders", "user:10:profile", "user:2:profile", "order:1" })
        {
            await app.Cache.SetAsync(key, "v");
        }

        var removed = await app.Invalidator.InvalidateByPatternAsync("user:1:*");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(removed, Is.EqualTo(2));
            Assert.That(await RedisKeysAsync(prefix + ":*"), Is.EqualTo(new[] { prefix + ":order:1", prefix + ":user:10:profile", prefix + ":user:2:profile" }));
            Assert.That((await app.Cache.TryGetAsync<string>("user:1:profile")).HasValue, Is.False);
            Assert.That((await app.Cache.TryGetAsync<string>("user:10:profile")).HasValue, Is.True);
        }
    }

    [Test]
    public async Task The_caller_that_asked_reads_a_miss_as_soon_as_the_call_returns()
    {
        var prefix = Waits.NewPrefix();
        await using var app = await CacheInstance.StartAsync(Server, prefix);
        await app.Cache.SetAsync("doc:1", "v");
        Assert.That((await app.Cache.TryGetAsync<string>("doc:1")).Tier, Is.EqualTo(CacheTier.Memory), "the entry is in memory before");

        await app.Invalidator.InvalidateByPatternAsync("doc:*");

        // No wait: the instance that asked dropped its copies before the call returned.
        Assert.That((await app.Cache.TryGetAsync<string>("doc:1")).HasValue, Is.False);
    }

    [Test]
    public async Task Prefix_parts_with_glob_characters_match_only_themselves()
    {
        // A tenant named "t*" must not reach tenant "tX"'s entries: the prefix parts are quoted in the glob.
        var prefix = Waits.NewPrefix();
        await using var star = await CacheInstance.StartAsync(Server, prefix, o => (o.Keys.Environment, o.Keys.Tenant, o.Keys.Namespace, o.Keys.Version) = ("e[1]", "t*", "n?", "2\\x"));
        await using var other = await CacheInstance.StartAsync(Server, prefix, o => (o.Keys.Environment, o.Keys.Tenant, o.Keys.Namespace, o.Keys.Version) = ("e1", "tX", "nY", "2x"));
        await using var sibling = await CacheInstance.StartAsync(Server, prefix, o => (o.Keys.Environment, o.Keys.Tenant, o.Keys.Namespace, o.Keys.Version) = ("e[1]", "t*", "n!", "2\\x"));
        await star.Cache.SetAsync("k", "star");
        await other.Cache.SetAsync("k", "other");
        await sibling.Cache.SetAsync("k", "sibling");

        var removed = await star.Invalidator.InvalidateByPatternAsync("*");

        var left = await RedisKeysAsync(prefix + ":*");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(removed, Is.EqualTo(1));
            Assert.That(left, Is.EqualTo(new[] { prefix + ":e1:tX:nY:v2x:k", prefix + ":e[1]:t*:n!:v2\\x:k" }));
            Assert.That((await other.Cache.TryGetAsync<string>("k")).Value, Is.EqualTo("other"));
        }
    }

    [Test]
    public async Task Keys_with_glob_characters_are_matched_literally_through_CachePattern_Escape()
    {
        var prefix = Waits.NewPrefix();
        await using var app = await CacheInstance.StartAsync(Server, prefix, o => o.Keys.AllowedPunctuation += "*?[]\\");
        foreach (var key in new[] { "a*b", "aXb", "a?b", "[x]", "x", "a\\b", "a\\\\b" })
        {
            await app.Cache.SetAsync(key, key);
        }

        using (Assert.EnterMultipleScope())
        {
            Assert.That(await app.Invalidator.InvalidateByPatternAsync(CachePattern.Escape("a*b")), Is.EqualTo(1));
            Assert.That(await app.Invalidator.InvalidateByPatternAsync(CachePattern.Escape("[x]")), Is.EqualTo(1));
            Assert.That(await app.Invalidator.InvalidateByPatternAsync(CachePattern.Escape("a\\b")), Is.EqualTo(1));
        }

        var left = (await RedisKeysAsync(prefix + ":*")).Select(k => k[(prefix.Length + 1)..]);
        Assert.That(left, Is.EquivalentTo(new[] { "aXb", "a?b", "x", "a\\\\b" }));
    }

    [Test]
    public async Task The_cache_s_own_keys_are_never_removed()
    {
        var prefix = Waits.NewPrefix();
        await using var app = await CacheInstance.StartAsync(Server, prefix);
        await app.Cache.SetAsync("tagged", "v", new CacheEntryOptions { Tags = ["group"] });
        await app.Cache.SetAsync("plain", "v");
        var lockKey = prefix + ":!lock:plain";
        await Raw.GetDatabase().StringSetAsync(lockKey, "token", TimeSpan.FromMinutes(1));

        // "*" and a pattern that would reach the tag token's remainder if internal keys were not skipped.
        var removed = await app.Invalidator.InvalidateByPatternAsync("*") + await app.Invalidator.InvalidateByPatternAsync("*tag*");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(removed, Is.EqualTo(2));
            Assert.That(await RedisKeysAsync(prefix + ":*"), Is.EqualTo(new[] { prefix + ":!lock:plain", prefix + ":!tag:group" }));
        }

        // Tags still work afterwards: the token key was left alone.
        await app.Cache.SetAsync("tagged", "v2", new CacheEntryOptions { Tags = ["group"] });
        Assert.That(await app.Cache.RemoveByTagAsync("group"), Is.True);
        Assert.That((await app.Cache.TryGetAsync<string>("tagged")).HasValue, Is.False);
    }

    [Test]
    public async Task Other_apps_keys_are_untouched()
    {
        var prefix = Waits.NewPrefix();
        await using var app = await CacheInstance.StartAsync(Server, prefix);
        await app.Cache.SetAsync("k1", "v");
        var db = Raw.GetDatabase();
        var foreign = new[] { prefix + "2:k1", prefix + "k1", "x" + prefix + ":k1", prefix + "-other:k1" };
        foreach (var key in foreign)
        {
            await db.StringSetAsync(key, "foreign");
        }

        Assert.That(await app.Invalidator.InvalidateByPatternAsync("*"), Is.EqualTo(1));
        foreach (var key in foreign)
        {
            Assert.That(await db.KeyExistsAsync(key), Is.True, key);
        }
    }

    [Test]
    public async Task Long_keys_hashed_by_the_cache_are_matched_by_their_readable_start()
    {
        var prefix = Waits.NewPrefix();
        await using var app = await CacheInstance.StartAsync(Server, prefix, o => (o.Keys.MaxLength, o.Keys.HashLongKeys) = (80, true));
        var longKey = "report:2024:" + new string('x', 200);
        await app.Cache.SetAsync(longKey, "v");

        Assert.That(await app.Invalidator.InvalidateByPatternAsync("report:2024:*"), Is.EqualTo(1));
        Assert.That(await RedisKeysAsync(prefix + ":*"), Is.Empty);
    }

    [Test]
    public void Patterns_no_key_can_match_are_refused()
    {
        var prefix = Waits.NewPrefix();
        Assert.That(async () =>
        {
            await using var app = await CacheInstance.StartAsync(Server, prefix);
            foreach (var pattern in new[] { "", "!tag:*", "a b", "a\nb" })
            {
                Assert.That(() => app.Invalidator.InvalidateByPatternAsync(pattern), Throws.InstanceOf<ArgumentException>(), pattern);
            }

            Assert.That(() => app.Invalidator.InvalidateByPatternAsync(null!), Throws.InstanceOf<ArgumentException>());
        }, Throws.Nothing);
    }

    [Test]
    public async Task A_pattern_that_matches_nothing_removes_nothing()
    {
        var prefix = Waits.NewPrefix();
        await using var app = await CacheInstance.StartAsync(Server, prefix);
        await app.Cache.SetAsync("a", "v");
        Assert.That(await app.Invalidator.InvalidateByPatternAsync("b*"), Is.Zero);
        Assert.That(await Raw.GetDatabase().KeyExistsAsync((RedisKey)(prefix + ":a")), Is.True);
    }
}
