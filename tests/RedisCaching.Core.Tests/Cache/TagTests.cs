using System;
using System.Diagnostics;
using System.Threading;
using System.Threading.Tasks;
using NUnit.Framework;
using RedisCaching.Core.Tests.Connections;
using static RedisCaching.Core.Tests.Cache.CacheTestSupport;

namespace RedisCaching.Core.Tests.Cache;

/// <summary>
/// Remove-by-tag through tag tokens: immediate on every instance (their L1 included), kept across new instances,
/// never undone by fail-safe, and conservative when tag data is lost.
/// </summary>
public class TagTests : StandaloneServerFixture
{
    private static readonly TimeSpan Window = TimeSpan.FromSeconds(2);
    private static readonly CacheEntryOptions TaggedT = new() { Tags = ["t"] };
    private static readonly CacheEntryOptions TaggedTu = new() { Tags = ["t", "u"] };
    private static readonly CacheEntryOptions TaggedU = new() { Tags = ["u"] };

    private async Task<(CoherentCache A, CoherentCache B)> TwoInstancesAsync(Action<RedisCachingOptions>? adjust = null)
    {
        var prefix = "tg" + Guid.NewGuid().ToString("N")[..10];
        var a = await CreateCoherentAsync(Server, Options(Server, o => { o.Keys.Prefix = prefix; adjust?.Invoke(o); }));
        var b = await CreateCoherentAsync(Server, Options(Server, o => { o.Keys.Prefix = prefix; adjust?.Invoke(o); }));
        return (a, b);
    }

    private static async Task<CacheTier> TierOfAsync(CoherentCache cache, string key) => (await cache.Cache.TryGetAsync<string>(key)).Tier;

    /// <summary>Reads until the instance answers from memory (a fill can be refused while an earlier write's invalidation is still on its way).</summary>
    private static async Task<CacheTier> HeldInMemoryAsync(CoherentCache cache, string key)
    {
        var stopwatch = Stopwatch.StartNew();
        CacheTier tier;
        while ((tier = await TierOfAsync(cache, key)) != CacheTier.Memory && stopwatch.Elapsed < Window)
        {
            await Task.Delay(5);
        }

        return tier;
    }

    private static async Task<TimeSpan> GoneWithinAsync(CoherentCache cache, string key)
    {
        var stopwatch = Stopwatch.StartNew();
        while ((await cache.Cache.TryGetAsync<string>(key)).HasValue)
        {
            Assert.That(stopwatch.Elapsed, Is.LessThan(Window), $"'{key}' was still served {stopwatch.Elapsed.TotalMilliseconds:F0} ms after the removal");
            await Task.Delay(1);
        }

        return stopwatch.Elapsed;
    }

    [Test]
    public async Task Removing_a_tag_removes_its_entries_from_every_instance_and_keeps_the_others()
    {
        var (a, b) = await TwoInstancesAsync();
        await using var _ = a;
        await using var __ = b;
        Assert.That(a.Tier.Mode, Is.EqualTo(CacheCoherenceMode.Tracking));
        await a.Cache.SetAsync("k1", "one", TaggedT);
        await a.Cache.SetAsync("k2", "two", TaggedTu);
        await a.Cache.SetAsync("k3", "three", TaggedU);
        foreach (var key in new[] { "k1", "k2", "k3" })
        {
            Assert.That(await HeldInMemoryAsync(b, key), Is.EqualTo(CacheTier.Memory), $"B holds {key} in memory before the removal");
            Assert.That(await HeldInMemoryAsync(a, key), Is.EqualTo(CacheTier.Memory), $"A holds {key} in memory before the removal");
        }

        Assert.That(await a.Cache.RemoveByTagAsync("t"), Is.True);

        using (Assert.EnterMultipleScope())
        {
            Assert.That((await a.Cache.TryGetAsync<string>("k1")).HasValue, Is.False, "the remover itself still served k1");
            Assert.That((await a.Cache.TryGetAsync<string>("k2")).HasValue, Is.False, "the remover itself still served k2");
            var seen = await GoneWithinAsync(b, "k1");
            await GoneWithinAsync(b, "k2");
            TestContext.Out.WriteLine($"B stopped serving k1 {seen.TotalMilliseconds:F2} ms after RemoveByTag returned");
            Assert.That((await b.Cache.TryGetAsync<string>("k3")).Value, Is.EqualTo("three"));
            Assert.That(await TierOfAsync(b, "k3"), Is.EqualTo(CacheTier.Memory), "an entry of another tag left B's memory");
            Assert.That(await a.Cache.ExistsAsync("k1"), Is.False);
            Assert.That(await b.Cache.ExistsAsync("k2"), Is.False);
            Assert.That(await b.Cache.ExistsAsync("k3"), Is.True);
        }
    }

    [Test]
    public async Task A_new_instance_started_after_the_removal_does_not_see_removed_entries_but_sees_new_ones()
    {
        var (a, b) = await TwoInstancesAsync();
        await using var _ = a;
        await using var __ = b;
        await a.Cache.SetAsync("old", "before", TaggedT);
        await a.Cache.RemoveByTagAsync("t");
        await a.Cache.SetAsync("new", "after", TaggedT);

        // A third instance with nothing in memory: everything it knows comes from Redis.
        var prefix = a.Cache.TrackingPrefix.TrimEnd(':');
        await using var c = await CreateCoherentAsync(Server, Options(Server, o => o.Keys.Prefix = prefix));
        using (Assert.EnterMultipleScope())
        {
            Assert.That((await c.Cache.TryGetAsync<string>("old")).HasValue, Is.False);
            Assert.That((await c.Cache.TryGetAsync<string>("new")).Value, Is.EqualTo("after"));
            var many = await c.Cache.GetManyAsync<string>(["old", "new"]);
            Assert.That(many[0].HasValue, Is.False);
            Assert.That(many[1].Value, Is.EqualTo("after"));

            // Outside our library, Redis still holds the old entry until its TTL; only its tag token changed.
            Assert.That(await Server.RunCliAsync("EXISTS", a.Cache.RedisKeyOf("old")), Is.EqualTo("1"));
        }
    }

    [Test]
    public async Task A_tag_removed_entry_is_gone_not_stale()
    {
        var prefix = "tg" + Guid.NewGuid().ToString("N")[..10];
        await using var cache = await CreateCoherentAsync(Server, Options(Server, o => o.Keys.Prefix = prefix));
        var shortLived = new CacheEntryOptions { Tags = ["t"], Expiration = TimeSpan.FromMilliseconds(200), FailSafeMaxDuration = TimeSpan.FromHours(1) };
        static ValueTask<string> Failing(int _, CacheFactoryContext __, CancellationToken ___) => throw new InvalidOperationException("backend down");

        await cache.Cache.SetAsync("control", "kept", shortLived);
        await cache.Cache.SetAsync("removed", "dropped", shortLived);
        await Task.Delay(400);

        // Control: without a removal, fail-safe serves the logically expired value as stale.
        var control = await cache.Cache.GetOrSetAsync("control", 0, Failing, shortLived);
        Assert.That((control.Value, control.IsStale), Is.EqualTo(("kept", true)));

        await cache.Cache.RemoveByTagAsync("t");
        Assert.That(
            async () => await cache.Cache.GetOrSetAsync("removed", 0, Failing, shortLived),
            Throws.InvalidOperationException,
            "fail-safe served an entry that was removed by its tag");
    }

    [Test]
    public async Task A_removal_while_the_factory_runs_invalidates_what_the_factory_returns()
    {
        var (a, b) = await TwoInstancesAsync();
        await using var _ = a;
        await using var __ = b;
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var load = a.Cache.GetOrSetAsync(
            "slow",
            (started, release),
            static async (gates, _, _) =>
            {
                gates.started.SetResult();
                await gates.release.Task;
                return "read before the change";
            },
            TaggedT).AsTask();
        await started.Task;
        await b.Cache.RemoveByTagAsync("t");
        release.SetResult();

        var loaded = await load;
        using (Assert.EnterMultipleScope())
        {
            Assert.That(loaded.Value, Is.EqualTo("read before the change"), "the caller gets what its factory made");
            Assert.That((await a.Cache.TryGetAsync<string>("slow")).HasValue, Is.False, "the value predates the removal, yet A serves it");
            Assert.That((await b.Cache.TryGetAsync<string>("slow")).HasValue, Is.False, "the value predates the removal, yet B serves it");
        }
    }

    [Test]
    public async Task Losing_the_tag_data_only_ever_removes_entries()
    {
        var (a, b) = await TwoInstancesAsync();
        await using var _ = a;
        await using var __ = b;
        await a.Cache.SetAsync("k", "v", TaggedT);
        await a.Cache.SetAsync("plain", "p");
        Assert.That(await HeldInMemoryAsync(b, "k"), Is.EqualTo(CacheTier.Memory));

        // Someone deletes the token key (eviction under allkeys-lru does the same): tagged entries are gone.
        Assert.That(await Server.RunCliAsync("DEL", a.Cache.TrackingPrefix + "!tag:t"), Is.EqualTo("1"), "the token key is not where the design says");
        await GoneWithinAsync(b, "k");
        using (Assert.EnterMultipleScope())
        {
            Assert.That((await a.Cache.TryGetAsync<string>("k")).HasValue, Is.False);
            Assert.That((await a.Cache.TryGetAsync<string>("plain")).Value, Is.EqualTo("p"), "an untagged entry was affected");
        }

        // Writing again creates a new token; the entry is back because it was written again, not resurrected.
        await a.Cache.SetAsync("k", "v2", TaggedT);
        Assert.That((await b.Cache.TryGetAsync<string>("k")).Value, Is.EqualTo("v2"));
    }

    [Test]
    public async Task A_tagged_memory_hit_allocates_nothing()
    {
        var (a, b) = await TwoInstancesAsync();
        await using var _ = a;
        await using var __ = b;
        await a.Cache.SetAsync("hot", "value", TaggedTu);
        Assert.That(await HeldInMemoryAsync(a, "hot"), Is.EqualTo(CacheTier.Memory));

        var synchronous = 0;
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1000; i++)
        {
            var hit = a.Cache.TryGetAsync<string>("hot");
            synchronous += hit.IsCompletedSuccessfully && hit.Result.Tier == CacheTier.Memory ? 1 : 0;
        }

        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.That(synchronous, Is.EqualTo(1000), "a tagged memory hit completes synchronously");
        Assert.That(allocated, Is.Zero, "1,000 tagged memory hits allocated bytes");
    }

    [Test]
    public async Task Removal_is_seen_through_the_backplane_where_tracking_is_refused()
    {
        var user = "notrack" + Guid.NewGuid().ToString("N")[..6];
        Assert.That(await Server.RunCliAsync("ACL", "SETUSER", user, "on", ">pw", "~*", "&*", "+@all", "-client|tracking"), Is.EqualTo("OK"));
        var (a, b) = await TwoInstancesAsync(o => { o.Redis.User = user; o.Redis.Password = "pw"; });
        await using var _ = a;
        await using var __ = b;
        Assert.That((a.Tier.Mode, b.Tier.Mode), Is.EqualTo((CacheCoherenceMode.Backplane, CacheCoherenceMode.Backplane)));
        await a.Cache.SetAsync("k", "v", TaggedT);
        Assert.That(await HeldInMemoryAsync(b, "k"), Is.EqualTo(CacheTier.Memory));

        await a.Cache.RemoveByTagAsync("t");
        var seen = await GoneWithinAsync(b, "k");
        TestContext.Out.WriteLine($"backplane: B stopped serving the entry {seen.TotalMilliseconds:F2} ms after RemoveByTag returned");
    }

    [Test]
    public async Task Remove_by_tag_reports_a_dead_redis_instead_of_pretending()
    {
        var prefix = "tg" + Guid.NewGuid().ToString("N")[..10];
        var options = Options(Server, o =>
        {
            o.Keys.Prefix = prefix;
            o.Redis.Port = 1; // nothing listens there
            o.Redis.Host = "127.0.0.1";
            o.Redis.ConnectionString = null;
            o.RedisTimeout = TimeSpan.FromMilliseconds(200);
        });
        using var connection = RedisConnectionFactory.Create(options.Redis);
        var cache = CreateCache(options, connection);
        var stopwatch = Stopwatch.StartNew();
        Assert.That(await cache.RemoveByTagAsync("t"), Is.False);
        Assert.That(stopwatch.Elapsed, Is.LessThan(TimeSpan.FromSeconds(3)));
        Assert.That(async () => await cache.RemoveByTagAsync("bad tag"), Throws.TypeOf<CacheKeyException>());
    }

    [Test]
    public async Task Many_key_reads_check_tags_without_a_memory_tier_too()
    {
        var options = Options(Server, o => o.Keys.Prefix = "tg" + Guid.NewGuid().ToString("N")[..10]);
        using var connection = RedisConnectionFactory.Create(options.Redis);
        var cache = CreateCache(options, connection);
        var keys = new string[20];
        for (var i = 0; i < keys.Length; i++)
        {
            keys[i] = "m" + i;
            await cache.SetAsync(keys[i], "v" + i, i % 2 == 0 ? TaggedT : TaggedU);
        }

        Assert.That(await cache.RemoveByTagAsync("t"), Is.True);
        var results = await cache.GetManyAsync<string>(keys);
        using (Assert.EnterMultipleScope())
        {
            for (var i = 0; i < keys.Length; i++)
            {
                Assert.That(results[i].HasValue, Is.EqualTo(i % 2 == 1), $"entry {i} (tag {(i % 2 == 0 ? "t" : "u")})");
            }
        }
    }
}
