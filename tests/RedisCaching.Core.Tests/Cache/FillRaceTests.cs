using System;
using System.Threading.Tasks;
using NUnit.Framework;
using RedisCaching.Core.Tests.Connections;
using static RedisCaching.Core.Tests.Cache.CacheTestSupport;

namespace RedisCaching.Core.Tests.Cache;

/// <summary>
/// Cache-aside's fill race: a get-or-set misses, its factory reads the source, another instance writes a newer value
/// and only then the factory's (older) value is stored. Redis would keep the older value until the key's next write,
/// and every instance would serve it: seen in the Zipf benchmark as reads seconds old on a loaded machine. A fill after
/// Redis had no key (or could not be asked) is written only while the key is still absent.
/// </summary>
public class FillRaceTests : StandaloneServerFixture
{
    [TestCase(false, TestName = "A fill does not overwrite a write that landed while its factory ran")]
    [TestCase(true, TestName = "A fill does not overwrite a write that landed while its factory ran, with BackgroundRedisWrite")]
    public async Task A_newer_write_wins(bool backgroundWrite)
    {
        var prefix = "t" + Guid.NewGuid().ToString("N")[..12];
        await using var a = await CreateCoherentAsync(Server, Options(Server, o =>
        {
            o.Keys.Prefix = prefix;
            o.DefaultEntryOptions = new CacheEntryOptions { Expiration = TimeSpan.FromMinutes(5), BackgroundRedisWrite = backgroundWrite };
        }));
        await using var b = await CreateCoherentAsync(Server, Options(Server, o => o.Keys.Prefix = prefix));

        var filled = await RacingFill.FillAroundAsync(a.Cache, "k", () => b.Cache.SetAsync("k", "new").AsTask());

        // The caller gets what its factory returned; the caches hold what Redis holds.
        // A write-behind lands one round trip after the call returned (at once without one).
        await Task.Delay(200);
        var redisAfter = (await b.Cache.TryGetAsync<string>("k", new CacheEntryOptions { Skip = CacheSkip.Memory })).Value;
        var readByA = await a.Cache.TryGetAsync<string>("k");
        var readByB = await b.Cache.TryGetAsync<string>("k");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(filled.Value, Is.EqualTo(RacingFill.OldValue));
            Assert.That(redisAfter, Is.EqualTo("new"), "Redis kept the newer write");
            Assert.That(readByA.Value, Is.EqualTo("new"), $"instance A ({readByA.Tier})");
            Assert.That(readByB.Value, Is.EqualTo("new"), $"instance B ({readByB.Tier})");
        }
    }

    [Test]
    public async Task A_fill_after_a_failed_read_does_not_overwrite_what_the_read_could_not_see()
    {
        // A's GET is held past its budget, so A runs the factory without knowing that Redis holds a newer value.
        await using var proxy = RedisCaching.Testing.FaultProxy.Start(Server);
        var prefix = "t" + Guid.NewGuid().ToString("N")[..12];
        await using var a = await CreateCoherentAsync(Server, Options(Server, o =>
        {
            o.Keys.Prefix = prefix;
            o.Redis.Host = proxy.Endpoint.Address.ToString();
            o.Redis.Port = proxy.Port;
            o.RedisTimeout = TimeSpan.FromMilliseconds(300);
        }));
        await using var b = await CreateCoherentAsync(Server, Options(Server, o => o.Keys.Prefix = prefix));
        await b.Cache.SetAsync("k", "new");
        proxy.BlackHole();

        var filled = await a.Cache.GetOrSetAsync("k", proxy, static (p, _, _) =>
        {
            p.PassThrough();
            return ValueTask.FromResult("old");
        }).AsTask().WaitAsync(TimeSpan.FromSeconds(5));

        var redisAfter = (await b.Cache.TryGetAsync<string>("k", new CacheEntryOptions { Skip = CacheSkip.Memory })).Value;
        using (Assert.EnterMultipleScope())
        {
            Assert.That(filled.Tier, Is.EqualTo(CacheTier.Factory), "premise: the read failed and the factory ran");
            Assert.That(a.Cache.Counters.RedisFailures, Is.GreaterThan(0), "premise: the read failed");
            Assert.That(redisAfter, Is.EqualTo("new"), "Redis kept the value A's read never saw");
        }
    }
}
