using System;
using System.Linq;
using System.Threading.Tasks;
using NUnit.Framework;
using RedisCaching.Core.Tests.Connections;
using RedisCaching.Testing;
using static RedisCaching.Core.Tests.Cache.CacheTestSupport;

namespace RedisCaching.Core.Tests.Cache;

/// <summary>
/// The fill race (<see cref="FillRaceTests"/>) where Redis held an entry the read could not use: logically expired
/// (kept for fail-safe), foreign bytes, removed by tag. The fill replaces exactly the entry its read found, by a script
/// that compares it first; a write that landed meanwhile stays. An eager refresh replaces only the entry it refreshes
/// (same creation time). Where the server refuses scripts both replace unconditionally, as before.
/// </summary>
public class FillOverUnusableEntryTests : StandaloneServerFixture
{
    public enum Held
    {
        Expired,
        Foreign,
        RemovedByTag,
    }

    [TestCase(Held.Expired, false)]
    [TestCase(Held.Foreign, false)]
    [TestCase(Held.RemovedByTag, false)]
    [TestCase(Held.Expired, true)]
    [TestCase(Held.RemovedByTag, true)]
    public async Task A_fill_does_not_overwrite_a_write_that_landed_while_its_factory_ran(Held held, bool generations)
    {
        var prefix = "t" + Guid.NewGuid().ToString("N")[..12];
        await using var a = await CreateCoherentAsync(Server, Options(Server, o => (o.Keys.Prefix, o.Keys.Generations) = (prefix, generations)));
        await using var b = await CreateCoherentAsync(Server, Options(Server, o => (o.Keys.Prefix, o.Keys.Generations) = (prefix, generations)));
        await HoldUnusableAsync(b, held, checkInRedis: !generations);

        var filled = await RacingFill.FillAroundAsync(a.Cache, "k", () => b.Cache.SetAsync("k", "new").AsTask());

        var redisAfter = (await b.Cache.TryGetAsync<string>("k", new CacheEntryOptions { Skip = CacheSkip.Memory })).Value;
        var readByA = await a.Cache.TryGetAsync<string>("k");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(filled.Value, Is.EqualTo(RacingFill.OldValue));
            Assert.That(redisAfter, Is.EqualTo("new"), "Redis kept the newer write");
            Assert.That(readByA.Value, Is.EqualTo("new"), $"instance A ({readByA.Tier})");
        }
    }

    [TestCase(Held.Expired)]
    [TestCase(Held.Foreign)]
    [TestCase(Held.RemovedByTag)]
    public async Task A_fill_replaces_the_entry_it_could_not_use(Held held)
    {
        var prefix = "t" + Guid.NewGuid().ToString("N")[..12];
        await using var a = await CreateCoherentAsync(Server, Options(Server, o => o.Keys.Prefix = prefix));
        await HoldUnusableAsync(a, held);

        var filled = await a.Cache.GetOrSetAsync("k", 0, static (_, _, _) => ValueTask.FromResult("from the factory"));

        await using var b = await CreateCoherentAsync(Server, Options(Server, o => o.Keys.Prefix = prefix));
        var redisAfter = await b.Cache.TryGetAsync<string>("k", new CacheEntryOptions { Skip = CacheSkip.Memory });
        var ttl = long.Parse(await Server.RunCliAsync("PTTL", a.Cache.RedisKeyOf("k")), System.Globalization.CultureInfo.InvariantCulture);
        using (Assert.EnterMultipleScope())
        {
            Assert.That((filled.Value, filled.Tier), Is.EqualTo(("from the factory", CacheTier.Factory)));
            Assert.That((redisAfter.Value, redisAfter.Tier), Is.EqualTo(("from the factory", CacheTier.Redis)), "the fill did not replace the unusable entry");
            Assert.That(ttl, Is.GreaterThan(1000), "the scripted write left the key without its TTL");
        }
    }

    [Test]
    public async Task Where_scripts_are_refused_a_fill_still_replaces_the_entry_it_could_not_use()
    {
        Assert.That(
            await Server.RunCliAsync("ACL", "SETUSER", "noscript", "on", ">noscript-pw", "~*", "&*", "+@all", "-@scripting"),
            Is.EqualTo("OK"));
        var prefix = "t" + Guid.NewGuid().ToString("N")[..12];
        var logs = new ListLoggerProvider();
        await using var a = await CreateCoherentAsync(
            Server,
            Options(Server, o =>
            {
                o.Keys.Prefix = prefix;
                (o.Redis.User, o.Redis.Password) = ("noscript", "noscript-pw");
            }),
            logs: logs);
        await HoldUnusableAsync(a, Held.Foreign);

        var first = await a.Cache.GetOrSetAsync("k", 0, static (_, _, _) => ValueTask.FromResult("first"));
        await HoldUnusableAsync(a, Held.Foreign);
        var second = await a.Cache.GetOrSetAsync("k", 0, static (_, _, _) => ValueTask.FromResult("second"));

        var redisAfter = await a.Cache.TryGetAsync<string>("k", new CacheEntryOptions { Skip = CacheSkip.Memory });
        using (Assert.EnterMultipleScope())
        {
            Assert.That((first.Value, second.Value), Is.EqualTo(("first", "second")));
            Assert.That(redisAfter.Value, Is.EqualTo("second"), "the fill after the refusal was not written");
            Assert.That(a.Cache.Counters.RedisFailures, Is.Zero, "a refused script counted as a Redis failure");
            Assert.That(logs.Entries.Count(e => e.EventId == RedisCachingEventIds.SlidingScriptsRefused), Is.EqualTo(1), "the refusal is said once");
        }
    }

    [Test]
    public async Task An_eager_refresh_does_not_overwrite_a_write_that_landed_while_its_factory_ran()
    {
        var prefix = "t" + Guid.NewGuid().ToString("N")[..12];
        await using var a = await CreateCoherentAsync(Server, Options(Server, o => o.Keys.Prefix = prefix));
        await using var b = await CreateCoherentAsync(Server, Options(Server, o => o.Keys.Prefix = prefix));
        var entry = new CacheEntryOptions { Expiration = TimeSpan.FromSeconds(2), EagerRefreshThreshold = 0.2f };
        await a.Cache.SetAsync("k", "first", entry);
        await Task.Delay(500);
        var refreshStarted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var refreshed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        // Past the refresh point: the current value at once, and the factory in the background.
        var hit = await a.Cache.GetOrSetAsync("k", (refreshStarted, release, refreshed), static async (s, _, _) =>
        {
            s.refreshStarted.TrySetResult();
            await s.release.Task;
            s.refreshed.TrySetResult();
            return "refreshed from the source before the write";
        }, entry);
        await refreshStarted.Task.WaitAsync(TimeSpan.FromSeconds(5));
        await b.Cache.SetAsync("k", "new", entry);
        release.TrySetResult();
        await refreshed.Task.WaitAsync(TimeSpan.FromSeconds(5));
        await Task.Delay(300);

        var redisAfter = (await b.Cache.TryGetAsync<string>("k", new CacheEntryOptions { Skip = CacheSkip.Memory })).Value;
        var readByA = await a.Cache.TryGetAsync<string>("k");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(hit.Value, Is.EqualTo("first"), "premise: a hit that started a refresh");
            Assert.That(redisAfter, Is.EqualTo("new"), "the refresh overwrote the newer write");
            Assert.That(readByA.Value, Is.EqualTo("new"), $"instance A ({readByA.Tier})");
        }
    }

    [Test]
    public async Task An_eager_refresh_replaces_the_entry_it_refreshes()
    {
        var prefix = "t" + Guid.NewGuid().ToString("N")[..12];
        await using var a = await CreateCoherentAsync(Server, Options(Server, o => o.Keys.Prefix = prefix));
        await using var b = await CreateCoherentAsync(Server, Options(Server, o => o.Keys.Prefix = prefix));
        var entry = new CacheEntryOptions { Expiration = TimeSpan.FromSeconds(2), EagerRefreshThreshold = 0.2f };

        // Filled by a get-or-set on B, refreshed from A's memory hit, then from B's Redis hit after A's refresh.
        await b.Cache.GetOrSetAsync("k", 0, static (_, _, _) => ValueTask.FromResult("first"), entry);
        Assert.That((await a.Cache.TryGetAsync<string>("k")).Value, Is.EqualTo("first"));
        await Task.Delay(500);
        await a.Cache.GetOrSetAsync("k", 0, static (_, _, _) => ValueTask.FromResult("refreshed"), entry);

        string? redisAfter = null;
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (redisAfter != "refreshed" && waited.Elapsed < TimeSpan.FromSeconds(5))
        {
            await Task.Delay(20);
            redisAfter = (await b.Cache.TryGetAsync<string>("k", new CacheEntryOptions { Skip = CacheSkip.Memory })).Value;
        }

        Assert.That(redisAfter, Is.EqualTo("refreshed"), "the refresh did not replace the entry it refreshed");
    }

    /// <summary>Leaves an entry under "k" that a get-or-set cannot use, so its factory runs.</summary>
    private async Task HoldUnusableAsync(CoherentCache cache, Held held, bool checkInRedis = true)
    {
        switch (held)
        {
            case Held.Expired:
                // Logically expired, kept in Redis for fail-safe.
                await cache.Cache.SetAsync("k", "expired", new CacheEntryOptions { Expiration = TimeSpan.FromMilliseconds(100), FailSafeMaxDuration = TimeSpan.FromMinutes(5) });
                await Task.Delay(250);
                break;
            case Held.Foreign:
                Assert.That(await Server.RunCliAsync("SET", cache.Cache.RedisKeyOf("k"), "written by another program"), Is.EqualTo("OK"));
                break;
            case Held.RemovedByTag:
                await cache.Cache.SetAsync("k", "tagged", new CacheEntryOptions { Tags = ["t"] });
                Assert.That(await cache.Cache.RemoveByTagAsync("t"), Is.True);
                break;
        }

        // With generations the entry's Redis key carries the generation, which RedisKeyOf does not know.
        if (checkInRedis)
        {
            Assert.That(await Server.RunCliAsync("EXISTS", cache.Cache.RedisKeyOf("k")), Does.StartWith("1"), "premise: Redis holds the unusable entry");
        }
    }
}
