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
/// that compares it first; a write that landed meanwhile stays. Where the server refuses scripts it replaces it
/// unconditionally, as before.
/// </summary>
public class FillOverUnusableEntryTests : StandaloneServerFixture
{
    public enum Held
    {
        Expired,
        Foreign,
        RemovedByTag,
    }

    [TestCase(Held.Expired)]
    [TestCase(Held.Foreign)]
    [TestCase(Held.RemovedByTag)]
    public async Task A_fill_does_not_overwrite_a_write_that_landed_while_its_factory_ran(Held held)
    {
        var prefix = "t" + Guid.NewGuid().ToString("N")[..12];
        await using var a = await CreateCoherentAsync(Server, Options(Server, o => o.Keys.Prefix = prefix));
        await using var b = await CreateCoherentAsync(Server, Options(Server, o => o.Keys.Prefix = prefix));
        await HoldUnusableAsync(b, held);
        var factoryStarted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        var fill = a.Cache.GetOrSetAsync("k", (factoryStarted, release), static async (s, _, _) =>
        {
            s.factoryStarted.TrySetResult();
            await s.release.Task;
            return "old, read from the source before the write";
        }).AsTask();
        await factoryStarted.Task.WaitAsync(TimeSpan.FromSeconds(5));
        await b.Cache.SetAsync("k", "new");
        release.TrySetResult();
        var filled = await fill.WaitAsync(TimeSpan.FromSeconds(5));

        var redisAfter = (await b.Cache.TryGetAsync<string>("k", new CacheEntryOptions { Skip = CacheSkip.Memory })).Value;
        var readByA = await a.Cache.TryGetAsync<string>("k");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(filled.Value, Is.EqualTo("old, read from the source before the write"));
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
        using (Assert.EnterMultipleScope())
        {
            Assert.That((filled.Value, filled.Tier), Is.EqualTo(("from the factory", CacheTier.Factory)));
            Assert.That((redisAfter.Value, redisAfter.Tier), Is.EqualTo(("from the factory", CacheTier.Redis)), "the fill did not replace the unusable entry");
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

    /// <summary>Leaves an entry under "k" that a get-or-set cannot use, so its factory runs.</summary>
    private async Task HoldUnusableAsync(CoherentCache cache, Held held)
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

        Assert.That(await Server.RunCliAsync("EXISTS", cache.Cache.RedisKeyOf("k")), Does.StartWith("1"), "premise: Redis holds the unusable entry");
    }
}
