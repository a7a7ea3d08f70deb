using System;
using System.Diagnostics;
using System.Linq;
using System.Runtime.CompilerServices;
using System.Threading;
using System.Threading.Tasks;
using NUnit.Framework;
using RedisCaching.Core.Tests.Connections;
using static RedisCaching.Core.Tests.Cache.CacheTestSupport;

namespace RedisCaching.Core.Tests.Cache;

/// <summary>
/// Lazy invalidation by tag (<see cref="ICache.MarkStaleByTagAsync"/>): the old value at once, flagged stale, one
/// background refresh; every instance sees the mark (its memory tier included); the state is in Redis; an eager
/// removal still removes.
/// </summary>
public class LazyTagTests : StandaloneServerFixture
{
    private static readonly TimeSpan Window = TimeSpan.FromSeconds(2);
    private static readonly CacheEntryOptions TaggedT = new() { Tags = ["t"] };

    private async Task<(CoherentCache A, CoherentCache B, string Prefix)> TwoInstancesAsync(Action<RedisCachingOptions>? adjust = null)
    {
        var prefix = "lz" + Guid.NewGuid().ToString("N")[..10];
        var a = await CreateCoherentAsync(Server, Options(Server, o => { o.Keys.Prefix = prefix; adjust?.Invoke(o); }));
        var b = await CreateCoherentAsync(Server, Options(Server, o => { o.Keys.Prefix = prefix; adjust?.Invoke(o); }));
        return (a, b, prefix);
    }

    /// <summary>Reads until the instance answers from memory (a fill can be refused while an earlier write's invalidation is still on its way).</summary>
    private static async Task<CacheTier> HeldInMemoryAsync(CoherentCache cache, string key)
    {
        var stopwatch = Stopwatch.StartNew();
        CacheTier tier;
        while ((tier = (await cache.Cache.TryGetAsync<string>(key)).Tier) != CacheTier.Memory && stopwatch.Elapsed < Window)
        {
            await Task.Delay(5);
        }

        return tier;
    }

    /// <summary>Reads with try-get until the instance reports the entry stale; fails past the window.</summary>
    private static async Task<CacheResult<string>> StaleWithinAsync(CoherentCache cache, string key)
    {
        var stopwatch = Stopwatch.StartNew();
        CacheResult<string> read;
        while (!(read = await cache.Cache.TryGetAsync<string>(key)).IsStale)
        {
            Assert.That(stopwatch.Elapsed, Is.LessThan(Window), $"'{key}' was still served fresh {stopwatch.Elapsed.TotalMilliseconds:F0} ms after the mark");
            await Task.Delay(1);
        }

        return read;
    }

    [Test]
    public async Task A_marked_entry_is_served_stale_at_once_and_refreshed_once_in_the_background()
    {
        var (a, b, _) = await TwoInstancesAsync();
        await using var _a = a;
        await using var _b = b;
        await a.Cache.SetAsync("k", "old", TaggedT);
        await a.Cache.SetAsync("other", "kept", new CacheEntryOptions { Tags = ["u"] });
        Assert.That(await HeldInMemoryAsync(a, "k"), Is.EqualTo(CacheTier.Memory));

        Assert.That(await a.Cache.MarkStaleByTagAsync("t"), Is.True);

        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var factoryState = (Calls: new StrongBox<int>(), Release: release);
        static async ValueTask<string> Refresh((StrongBox<int> Calls, TaskCompletionSource Release) s, CacheFactoryContext _, CancellationToken __)
        {
            Interlocked.Increment(ref s.Calls.Value);
            await s.Release.Task;
            return "new";
        }

        // 200 reads while the refresh is held: every one gets the old value at once, flagged stale, from memory.
        var stopwatch = Stopwatch.StartNew();
        var reads = await Task.WhenAll(Enumerable.Range(0, 200).Select(_ => a.Cache.GetOrSetAsync("k", factoryState, Refresh, TaggedT).AsTask()));
        var elapsed = stopwatch.Elapsed;
        using (Assert.EnterMultipleScope())
        {
            Assert.That(reads.All(r => r.Value == "old" && r.IsStale && r.Tier == CacheTier.Memory), Is.True, "a read did not get the old value, flagged stale, from memory: " + string.Join(", ", reads.Select(r => (r.Value, r.IsStale, r.Tier)).Distinct()));
            Assert.That(elapsed, Is.LessThan(TimeSpan.FromSeconds(1)), "the reads waited for the refresh");
            Assert.That((await a.Cache.TryGetAsync<string>("other")).IsStale, Is.False, "an entry of another tag was marked");
        }

        await WaitUntilAsync(() => Volatile.Read(ref factoryState.Calls.Value) == 1);
        release.SetResult();
        var calls = await RefreshedWithinAsync(a, "k", factoryState.Calls);

        var after = await a.Cache.GetOrSetAsync("k", factoryState, Refresh, TaggedT);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(calls, Is.EqualTo(1), "the factory ran more than once for one marked entry");
            Assert.That((after.Value, after.IsStale, after.Tier), Is.EqualTo(("new", false, CacheTier.Memory)));
            Assert.That(Volatile.Read(ref factoryState.Calls.Value), Is.EqualTo(1), "the refreshed entry ran its factory again");
            Assert.That(await a.Cache.ExistsAsync("k"), Is.True);
        }

        // The other instance reads the refreshed value, fresh.
        var seen = await b.Cache.TryGetAsync<string>("k");
        Assert.That((seen.Value, seen.IsStale), Is.EqualTo(("new", false)));
    }

    /// <summary>Waits until try-get returns the refreshed value fresh; returns how often the factory ran.</summary>
    private static async Task<int> RefreshedWithinAsync(CoherentCache cache, string key, StrongBox<int> calls)
    {
        var stopwatch = Stopwatch.StartNew();
        CacheResult<string> read;
        while ((read = await cache.Cache.TryGetAsync<string>(key)).IsStale || read.Value != "new")
        {
            Assert.That(stopwatch.Elapsed, Is.LessThan(Window), "the background refresh did not replace the entry");
            await Task.Delay(5);
        }

        return Volatile.Read(ref calls.Value);
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var stopwatch = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.That(stopwatch.Elapsed, Is.LessThan(Window), "timed out");
            await Task.Delay(5);
        }
    }

    [Test]
    public async Task A_second_instance_sees_the_mark_in_its_memory_tier_and_redis_holds_the_state()
    {
        var (a, b, prefix) = await TwoInstancesAsync();
        await using var _a = a;
        await using var _b = b;
        await a.Cache.SetAsync("k", "old", TaggedT);
        Assert.That(await HeldInMemoryAsync(b, "k"), Is.EqualTo(CacheTier.Memory), "B holds k in memory before the mark");
        var before = await Server.RunCliAsync("GET", a.Cache.TrackingPrefix + "!tag:t");

        Assert.That(await a.Cache.MarkStaleByTagAsync("t"), Is.True);

        // Redis holds the replaced token, then the new one (the format TagTokens documents).
        var after = await Server.RunCliAsync("GET", a.Cache.TrackingPrefix + "!tag:t");
        var parts = after.Split(';');
        Assert.That((parts.Length, parts[0]), Is.EqualTo((2, before)), $"token key {before} -> {after}");

        var stale = await StaleWithinAsync(b, "k");
        Assert.That((stale.Value, stale.HasValue), Is.EqualTo(("old", true)), "B's try-get did not return the old value flagged stale");
        Assert.That(await b.Cache.ExistsAsync("k"), Is.False, "a marked entry is not fresh, so it does not exist");

        // B refreshes it with its own factory, once; A then sees B's value.
        var calls = new StrongBox<int>();
        var read = await b.Cache.GetOrSetAsync("k", calls, static (c, _, _) => { Interlocked.Increment(ref c.Value); return new ValueTask<string>("from B"); }, TaggedT);
        Assert.That((read.Value, read.IsStale), Is.EqualTo(("old", true)));
        var stopwatch = Stopwatch.StartNew();
        while (await a.Cache.TryGetAsync<string>("k") is not { IsStale: false, Value: "from B" })
        {
            Assert.That(stopwatch.Elapsed, Is.LessThan(Window), "A did not see B's refresh");
            await Task.Delay(5);
        }

        Assert.That(calls.Value, Is.EqualTo(1));

        // A new instance (a restarted process: nothing in memory) finds the same state in Redis.
        await a.Cache.MarkStaleByTagAsync("t");
        await using var c = await CreateCoherentAsync(Server, Options(Server, o => o.Keys.Prefix = prefix));
        var fromC = await c.Cache.TryGetAsync<string>("k");
        Assert.That((fromC.Value, fromC.IsStale, fromC.Tier), Is.EqualTo(("from B", true, CacheTier.Redis)));
    }

    [Test]
    public async Task A_marked_entry_never_becomes_fresh_again_without_a_refresh()
    {
        var (a, b, _) = await TwoInstancesAsync();
        await using var _a = a;
        await using var _b = b;
        await a.Cache.SetAsync("k", "old", TaggedT);
        await a.Cache.MarkStaleByTagAsync("t");

        // Other tag writes (a new entry, more marks) leave it stale; only a refresh or a write makes it fresh.
        await b.Cache.SetAsync("k2", "x", TaggedT);
        await b.Cache.MarkStaleByTagAsync("t");
        await b.Cache.SetAsync("k3", "y", TaggedT);
        for (var i = 0; i < 20; i++)
        {
            Assert.That((await a.Cache.TryGetAsync<string>("k")).IsStale, Is.True, $"read {i} on A was fresh");
            Assert.That((await b.Cache.TryGetAsync<string>("k")).IsStale, Is.True, $"read {i} on B was fresh");
        }

        Assert.That((await a.Cache.TryGetAsync<string>("k3")).IsStale, Is.False, "an entry written after the mark is fresh");
        await a.Cache.SetAsync("k", "written", TaggedT);

        // B's memory holds the marked old value until A's write reaches it as an invalidation (this test runs without the
        // staleness bound, so a read right after the write may still get the old value, marked); the new one is fresh.
        CacheResult<string> written = default;
        var stopwatch = Stopwatch.StartNew();
        while ((written = await b.Cache.TryGetAsync<string>("k")).Value != "written")
        {
            Assert.That(stopwatch.Elapsed, Is.LessThan(Window), "B never saw the write");
            await Task.Delay(1);
        }

        Assert.That(written.IsStale, Is.False, "a write after the mark is fresh");
    }

    [Test]
    public async Task Eager_removal_still_removes_also_after_a_mark()
    {
        var (a, b, _) = await TwoInstancesAsync();
        await using var _a = a;
        await using var _b = b;
        await a.Cache.SetAsync("k", "old", TaggedT);
        Assert.That(await HeldInMemoryAsync(b, "k"), Is.EqualTo(CacheTier.Memory));
        await a.Cache.MarkStaleByTagAsync("t");
        await StaleWithinAsync(b, "k");

        Assert.That(await a.Cache.RemoveByTagAsync("t"), Is.True);
        Assert.That(await Server.RunCliAsync("GET", a.Cache.TrackingPrefix + "!tag:t"), Does.Not.Contain(";"), "the removal kept stale tokens");
        var stopwatch = Stopwatch.StartNew();
        while ((await b.Cache.TryGetAsync<string>("k")).HasValue)
        {
            Assert.That(stopwatch.Elapsed, Is.LessThan(Window), "B still served the removed entry");
            await Task.Delay(1);
        }

        var calls = 0;
        var read = await b.Cache.GetOrSetAsync("k", 0, (_, _, _) => { calls++; return new ValueTask<string>("loaded"); }, TaggedT);
        Assert.That((read.Value, read.IsStale, read.Tier, calls), Is.EqualTo(("loaded", false, CacheTier.Factory, 1)), "a removed entry was served stale");
    }

    [Test]
    public async Task A_failed_refresh_serves_the_old_value_until_its_logical_expiry_then_the_usual_rules_apply()
    {
        var (a, b, _) = await TwoInstancesAsync();
        await using var _a = a;
        await using var _b = b;
        var noFailSafe = new CacheEntryOptions { Tags = ["t"], Expiration = TimeSpan.FromMilliseconds(1500), FailSafeMaxDuration = TimeSpan.Zero };
        await a.Cache.SetAsync("k", "old", noFailSafe);
        await a.Cache.MarkStaleByTagAsync("t");
        var calls = new StrongBox<int>();
        static ValueTask<string> Failing(StrongBox<int> c, CacheFactoryContext _, CancellationToken __)
        {
            Interlocked.Increment(ref c.Value);
            throw new InvalidOperationException("backend down");
        }

        var first = await a.Cache.GetOrSetAsync("k", calls, Failing, noFailSafe);
        Assert.That((first.Value, first.IsStale), Is.EqualTo(("old", true)));
        await WaitUntilAsync(() => Volatile.Read(ref calls.Value) == 1);
        await Task.Delay(100);

        // Throttled for FailSafeThrottleDuration (30 s): reads keep getting the old value, the backend is left alone.
        for (var i = 0; i < 10; i++)
        {
            var again = await a.Cache.GetOrSetAsync("k", calls, Failing, noFailSafe);
            Assert.That((again.Value, again.IsStale), Is.EqualTo(("old", true)));
        }

        Assert.That(Volatile.Read(ref calls.Value), Is.EqualTo(1), "the failing refresh was retried within the throttle window");

        // Past its logical expiry (no fail-safe here) the entry is not served: the factory runs on the read and fails.
        await Task.Delay(1600);
        Assert.That(async () => await b.Cache.GetOrSetAsync("k", calls, Failing, noFailSafe), Throws.InvalidOperationException);
        Assert.That((await a.Cache.TryGetAsync<string>("k")).HasValue, Is.False);
    }

    [Test]
    public async Task Marking_through_the_backplane_reaches_the_other_instance()
    {
        var user = "notrack" + Guid.NewGuid().ToString("N")[..6];
        Assert.That(await Server.RunCliAsync("ACL", "SETUSER", user, "on", ">pw", "~*", "&*", "+@all", "-client|tracking"), Is.EqualTo("OK"));
        var (a, b, _) = await TwoInstancesAsync(o => { o.Redis.User = user; o.Redis.Password = "pw"; });
        await using var _a = a;
        await using var _b = b;
        Assert.That((a.Tier.Mode, b.Tier.Mode), Is.EqualTo((CacheCoherenceMode.Backplane, CacheCoherenceMode.Backplane)));
        await a.Cache.SetAsync("k", "old", TaggedT);
        Assert.That(await HeldInMemoryAsync(b, "k"), Is.EqualTo(CacheTier.Memory));

        Assert.That(await a.Cache.MarkStaleByTagAsync("t"), Is.True);
        var stale = await StaleWithinAsync(b, "k");
        Assert.That(stale.Value, Is.EqualTo("old"));
    }

    [Test]
    public async Task Only_the_last_sixteen_marks_keep_entries_servable_and_the_token_list_stays_bounded()
    {
        var (a, b, _) = await TwoInstancesAsync();
        await using var _a = a;
        await using var _b = b;
        await a.Cache.SetAsync("oldest", "o", TaggedT);
        for (var i = 0; i < 20; i++)
        {
            if (i == 10)
            {
                await a.Cache.SetAsync("recent", "r", TaggedT);
            }

            Assert.That(await a.Cache.MarkStaleByTagAsync("t"), Is.True);
        }

        using (Assert.EnterMultipleScope())
        {
            Assert.That((await b.Cache.TryGetAsync<string>("oldest")).HasValue, Is.False, "an entry 20 marks old is still served");
            Assert.That(await b.Cache.TryGetAsync<string>("recent") is { IsStale: true, Value: "r" }, Is.True, "an entry 10 marks old is not served stale");
        }

        for (var i = 0; i < 100; i++)
        {
            await a.Cache.MarkStaleByTagAsync("t");
        }

        var length = long.Parse(await Server.RunCliAsync("STRLEN", a.Cache.TrackingPrefix + "!tag:t"), System.Globalization.CultureInfo.InvariantCulture);
        Assert.That(length, Is.LessThanOrEqualTo(1024 + 21), "the token list was not compacted");
    }

    [Test]
    public async Task Marking_works_where_scripts_are_refused()
    {
        var user = "noscript" + Guid.NewGuid().ToString("N")[..6];
        Assert.That(await Server.RunCliAsync("ACL", "SETUSER", user, "on", ">pw", "~*", "&*", "+@all", "-@scripting"), Is.EqualTo("OK"));
        var (a, b, _) = await TwoInstancesAsync(o => { o.Redis.User = user; o.Redis.Password = "pw"; });
        await using var _a = a;
        await using var _b = b;
        await a.Cache.SetAsync("k", "old", TaggedT);
        Assert.That(await HeldInMemoryAsync(b, "k"), Is.EqualTo(CacheTier.Memory));

        // Twice: the first finds out that scripts are refused, the second starts on the transaction.
        Assert.That(await a.Cache.MarkStaleByTagAsync("t"), Is.True);
        Assert.That(await a.Cache.MarkStaleByTagAsync("t"), Is.True);
        Assert.That((await StaleWithinAsync(b, "k")).Value, Is.EqualTo("old"));
        Assert.That((await StaleWithinAsync(a, "k")).Value, Is.EqualTo("old"));
        Assert.That((await Server.RunCliAsync("GET", a.Cache.TrackingPrefix + "!tag:t")).Split(';'), Has.Length.EqualTo(3));
    }

    [Test]
    public async Task Marking_a_tag_nobody_wrote_changes_nothing_and_a_dead_redis_is_reported()
    {
        var (a, b, _) = await TwoInstancesAsync();
        await using var _a = a;
        await using var _b = b;
        Assert.That(await a.Cache.MarkStaleByTagAsync("never"), Is.True);
        Assert.That(await Server.RunCliAsync("GET", a.Cache.TrackingPrefix + "!tag:never"), Does.Match("^;-?[0-9]+$"));
        await a.Cache.SetAsync("n", "v", new CacheEntryOptions { Tags = ["never"] });
        Assert.That((await b.Cache.TryGetAsync<string>("n")).IsStale, Is.False, "an entry written after the mark is stale");
        Assert.That(async () => await a.Cache.MarkStaleByTagAsync("bad tag"), Throws.TypeOf<CacheKeyException>());

        var options = Options(Server, o =>
        {
            o.Redis.Port = 1; // nothing listens there
            o.Redis.Host = "127.0.0.1";
            o.Redis.ConnectionString = null;
            o.RedisTimeout = TimeSpan.FromMilliseconds(200);
        });
        using var connection = RedisConnectionFactory.Create(options.Redis);
        var dead = CreateCache(options, connection);
        Assert.That(await dead.MarkStaleByTagAsync("t"), Is.False);
    }

    [Test]
    public async Task Memory_hits_of_tagged_entries_cost_the_same_and_marked_hits_answer_synchronously()
    {
        var (a, b, _) = await TwoInstancesAsync();
        await using var _a = a;
        await using var _b = b;
        await a.Cache.SetAsync("hot", "value", TaggedT);
        Assert.That(await HeldInMemoryAsync(a, "hot"), Is.EqualTo(CacheTier.Memory));
        const int Hits = 100_000;
        static ValueTask<string> Never(int _, CacheFactoryContext __, CancellationToken ___) => throw new InvalidOperationException("refresh");

        var fresh = TimeHits(a, Hits, Never);
        Assert.That(await a.Cache.MarkStaleByTagAsync("t"), Is.True);
        await StaleWithinAsync(a, "hot");

        // The first marked hit starts the (failing) refresh; after it the key is throttled, so the hits below measure the read.
        await a.Cache.GetOrSetAsync("hot", 0, Never, TaggedT);
        await Task.Delay(200);
        var synchronous = 0;

        // One hit on this thread first: a thread's first read sets up its thread-static state (the hot-key sampler's
        // generator, 32 B once per thread), and the thread the loop resumes on after the delay may be a new one. A hit
        // from memory completes synchronously, so the await stays on this thread.
        Assert.That((await a.Cache.GetOrSetAsync("hot", 0, Never, TaggedT)).IsStale, Is.True);
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1000; i++)
        {
            var hit = a.Cache.GetOrSetAsync("hot", 0, Never, TaggedT);
            synchronous += hit.IsCompletedSuccessfully && hit.Result is { IsStale: true, Tier: CacheTier.Memory } ? 1 : 0;
        }

        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        var marked = TimeHits(a, Hits, Never);
        TestContext.Out.WriteLine($"get-or-set memory hit, tagged: fresh {fresh:F0} ns, marked stale (refresh throttled) {marked:F0} ns; {allocated} B over 1,000 marked hits");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(synchronous, Is.EqualTo(1000), "a marked memory hit did not complete synchronously from memory");
            Assert.That(allocated, Is.Zero, "marked memory hits allocated while their refresh was throttled");
        }
    }

    private static double TimeHits(CoherentCache cache, int hits, Func<int, CacheFactoryContext, CancellationToken, ValueTask<string>> factory)
    {
        var served = 0;
        for (var i = 0; i < 1000; i++)
        {
            var hit = cache.Cache.GetOrSetAsync("hot", 0, factory, TaggedT);
            served += hit.IsCompletedSuccessfully && hit.Result.HasValue ? 1 : 0;
        }

        var stopwatch = Stopwatch.StartNew();
        for (var i = 0; i < hits; i++)
        {
            var hit = cache.Cache.GetOrSetAsync("hot", 0, factory, TaggedT);
            served += hit.IsCompletedSuccessfully && hit.Result.HasValue ? 1 : 0;
        }

        Assert.That(served, Is.EqualTo(hits + 1000));

        return stopwatch.Elapsed.TotalMilliseconds * 1_000_000 / hits;
    }
}
