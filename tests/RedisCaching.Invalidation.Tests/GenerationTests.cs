using System;
using System.Linq;
using System.Threading.Tasks;
using Microsoft.Extensions.DependencyInjection;
using NUnit.Framework;

namespace RedisCaching.Invalidation.Tests;

/// <summary>
/// O(1) invalidation of a whole key space (a namespace or tenant) by replacing its generation
/// (<see cref="CacheKeyOptions.Generations"/>): every instance stops reading the old entries at once, which stay in
/// Redis until their TTL.
/// </summary>
public class GenerationTests : ServerFixture
{
    private static readonly string[] Keys = [.. Enumerable.Range(0, 50).Select(i => $"doc:{i}")];

    [Test]
    public async Task Replacing_the_generation_hides_every_entry_on_every_instance_and_leaves_them_to_their_TTL()
    {
        var prefix = Waits.NewPrefix();
        await using var first = await CacheInstance.StartAsync(Server, prefix, Generations);
        await using var second = await CacheInstance.StartAsync(Server, prefix, Generations);
        await FillThroughBothAsync(first, second);
        var before = await RedisKeysAsync(prefix + ":*");
        Assert.That(before, Has.Count.EqualTo(Keys.Length + 1), "the entries and the generation token");
        Assert.That(before, Has.Member(prefix + ":!generation"));
        var oldPrefix = before.First(k => k.Contains(":g", StringComparison.Ordinal))[..(prefix.Length + 19)];

        Assert.That(await first.Invalidator.InvalidateKeySpaceAsync(), Is.True);

        // The instance that asked: at once.
        Assert.That((await first.Cache.TryGetAsync<string>("doc:0")).HasValue, Is.False);
        var dropped = await Waits.UntilAsync(async () => !(await second.Cache.TryGetAsync<string>("doc:1")).HasValue);
        TestContext.Out.WriteLine($"second instance missed {dropped?.TotalMilliseconds:F1} ms after the call returned");
        Assert.That(dropped, Is.Not.Null, "the second instance kept serving the old generation");
        foreach (var key in Keys)
        {
            Assert.That((await second.Cache.TryGetAsync<string>(key)).HasValue, Is.False, key);
        }

        // The old entries are still in Redis (unreachable), with their TTL; new ones go under the new generation.
        await first.Cache.SetAsync("doc:0", "new");
        var after = await RedisKeysAsync(prefix + ":*");
        var ttl = await Server.RunCliAsync("PTTL", oldPrefix + "doc:0");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(after.Count(k => k.StartsWith(oldPrefix, StringComparison.Ordinal)), Is.EqualTo(Keys.Length));
            Assert.That(long.Parse(ttl, System.Globalization.CultureInfo.InvariantCulture), Is.GreaterThan(0));
            Assert.That(after.Count(k => k.EndsWith(":doc:0", StringComparison.Ordinal)), Is.EqualTo(2), "old and new generation side by side");
            Assert.That((await second.Cache.TryGetAsync<string>("doc:0")).Value, Is.EqualTo("new"));
        }
    }

    [Test]
    public async Task Replacing_the_generation_reaches_the_second_instance_over_the_backplane()
    {
        await Server.RunCliAsync("ACL", "SETUSER", "notrack", "on", ">notrack-pw", "~*", "&*", "+@all", "-client|tracking");
        var prefix = Waits.NewPrefix();
        await using var first = await CacheInstance.StartAsync(Server.Host, Server.Port, "notrack", "notrack-pw", prefix, Generations);
        await using var second = await CacheInstance.StartAsync(Server.Host, Server.Port, "notrack", "notrack-pw", prefix, Generations);
        Assert.That(second.KeySpace.CoherenceMode, Is.EqualTo(CacheCoherenceMode.Backplane));
        await FillThroughBothAsync(first, second);

        Assert.That(await first.Invalidator.InvalidateKeySpaceAsync(), Is.True);

        var last = default(CacheResult<string>);
        if (await Waits.UntilAsync(async () => !(last = await second.Cache.TryGetAsync<string>("doc:1")).HasValue) is null)
        {
            // Failed once in a full CI run (2026-11-27) and never alone: say what the second instance looked like.
            var subscribers = await Server.RunCliAsync("CLIENT", "LIST", "TYPE", "pubsub");
            var statistics = ((ICacheStatistics)second.Cache).GetStatistics();
            Assert.Fail($"the second instance still served doc:1 from {last.Tier} after 5 s; mode {second.KeySpace.CoherenceMode}, Redis failures {statistics.RedisFailures}, subscription clients: {subscribers.ReplaceLineEndings(" | ")}");
        }

        Assert.That((await second.Cache.TryGetAsync<string>("doc:2")).HasValue, Is.False);
    }

    [Test]
    public async Task Without_a_memory_tier_every_call_reads_the_generation_from_redis()
    {
        var prefix = Waits.NewPrefix();
        await using var first = await CacheInstance.StartAsync(Server, prefix, o => (o.Keys.Generations, o.Memory.Enabled) = (true, false));
        await using var second = await CacheInstance.StartAsync(Server, prefix, o => (o.Keys.Generations, o.Memory.Enabled) = (true, false));
        await first.Cache.SetAsync("k", "v");
        Assert.That((await second.Cache.TryGetAsync<string>("k")).Value, Is.EqualTo("v"));

        await first.Invalidator.InvalidateKeySpaceAsync();

        Assert.That((await second.Cache.TryGetAsync<string>("k")).HasValue, Is.False);
        await second.Cache.SetAsync("k", "v2");
        Assert.That((await first.Cache.TryGetAsync<string>("k")).Value, Is.EqualTo("v2"));
    }

    [Test]
    public async Task A_lost_generation_key_never_brings_old_entries_back()
    {
        var prefix = Waits.NewPrefix();
        await using var app = await CacheInstance.StartAsync(Server, prefix, Generations);
        await app.Cache.SetAsync("k", "old");
        Assert.That((await app.Cache.TryGetAsync<string>("k")).Tier, Is.EqualTo(CacheTier.Memory));

        // Deleted by hand (or evicted): a new token is made on the next write, so the old entries stay unreachable.
        Assert.That(await Server.RunCliAsync("DEL", prefix + ":!generation"), Is.EqualTo("1"));
        Assert.That(await Waits.UntilAsync(async () => !(await app.Cache.TryGetAsync<string>("k")).HasValue), Is.Not.Null, "the old entry is still served");
        await app.Cache.SetAsync("other", "new");
        using (Assert.EnterMultipleScope())
        {
            Assert.That((await app.Cache.TryGetAsync<string>("k")).HasValue, Is.False);
            Assert.That((await app.Cache.TryGetAsync<string>("other")).Value, Is.EqualTo("new"));
        }
    }

    [Test]
    public async Task Pattern_invalidation_removes_the_current_generation_s_entries()
    {
        var prefix = Waits.NewPrefix();
        await using var app = await CacheInstance.StartAsync(Server, prefix, Generations);
        await app.Cache.SetAsync("a:1", "v");
        await app.Invalidator.InvalidateKeySpaceAsync();
        await app.Cache.SetAsync("a:1", "v");
        await app.Cache.SetAsync("b:1", "v");

        Assert.That(await app.Invalidator.InvalidateByPatternAsync("a:*"), Is.EqualTo(1));
        var left = await RedisKeysAsync(prefix + ":*");
        Assert.That(left.Count(k => k.EndsWith(":a:1", StringComparison.Ordinal)), Is.EqualTo(1), "the older generation's copy is left to its TTL");
        Assert.That(left.Count(k => k.EndsWith(":b:1", StringComparison.Ordinal)), Is.EqualTo(1));
    }

    [Test]
    public async Task A_memory_hit_with_generations_is_synchronous_and_allocates_nothing()
    {
        var prefix = Waits.NewPrefix();
        await using var app = await CacheInstance.StartAsync(Server, prefix, Generations);
        await app.Cache.SetAsync("greeting", "hello");
        Assert.That((await app.Cache.TryGetAsync<string>("greeting")).Tier, Is.EqualTo(CacheTier.Memory));

        var synchronous = 0;
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1000; i++)
        {
            var pending = app.Cache.TryGetAsync<string>("greeting");
            synchronous += pending.IsCompletedSuccessfully && pending.Result.Tier == CacheTier.Memory ? 1 : 0;
        }

        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.That(synchronous, Is.EqualTo(1000));
        Assert.That(allocated, Is.Zero);
    }

    [Test]
    public async Task Without_generations_the_key_space_cannot_be_invalidated_in_one_step()
    {
        await using var app = await CacheInstance.StartAsync(Server, Waits.NewPrefix());
        Assert.That(() => app.Invalidator.InvalidateKeySpaceAsync().AsTask(), Throws.InvalidOperationException.With.Message.Contains("Keys:Generations"));
    }

    [Test]
    public async Task A_tenant_s_named_cache_is_invalidated_without_touching_the_other_tenants()
    {
        var prefix = Waits.NewPrefix();
        await using var app = await CacheInstance.StartAsync(
            Server,
            prefix,
            Generations,
            builder => builder
                .AddNamedCache("tenant-a", o => o.Keys.Tenant = "a")
                .AddNamedCache("tenant-b", o => o.Keys.Tenant = "b"));
        var a = app.Services.GetRequiredKeyedService<ICache>("tenant-a");
        var b = app.Services.GetRequiredKeyedService<ICache>("tenant-b");
        await a.SetAsync("k", "a");
        await b.SetAsync("k", "b");
        await app.Cache.SetAsync("k", "main");

        Assert.That(await app.Services.GetRequiredKeyedService<ICacheInvalidator>("tenant-a").InvalidateKeySpaceAsync(), Is.True);

        using (Assert.EnterMultipleScope())
        {
            Assert.That((await a.TryGetAsync<string>("k")).HasValue, Is.False);
            Assert.That((await b.TryGetAsync<string>("k")).Value, Is.EqualTo("b"));
            Assert.That((await app.Cache.TryGetAsync<string>("k")).Value, Is.EqualTo("main"));
        }
    }

    private static void Generations(RedisCachingOptions options) => options.Keys.Generations = true;

    private static async Task FillThroughBothAsync(CacheInstance first, CacheInstance second)
    {
        foreach (var key in Keys)
        {
            await first.Cache.SetAsync(key, "v");
            Assert.That(await Waits.InMemoryAsync(second.Cache, key), Is.True, key);
        }
    }
}
