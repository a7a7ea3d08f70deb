using System;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using NUnit.Framework;
using RedisCaching.Core.Tests.Connections;
using RedisCaching.Internal.Engine;
using static RedisCaching.Core.Tests.Cache.CacheTestSupport;

namespace RedisCaching.Core.Tests.Cache;

/// <summary>Get-or-set, set, remove and many-key calls against a real server (memory tier off: Redis only).</summary>
public class GetOrSetTests : StandaloneServerFixture
{
    private IRedisConnection _connection = null!;

    [SetUp]
    public void Connect() => _connection = RedisConnectionFactory.Create(Connections.ConnectionTestSupport.OptionsFor(Server));

    [TearDown]
    public async Task Disconnect() => await _connection.DisposeAsync();

    public sealed record Feature(int Id, string Name, bool Enabled);

    [Test]
    public async Task Factory_runs_on_a_miss_and_the_value_then_comes_from_redis()
    {
        var cache = CreateCache(Options(Server), _connection);
        var calls = 0;
        var first = await cache.GetOrSetAsync("feature:1", 0, (_, _, _) => { calls++; return ValueTask.FromResult(new Feature(1, "dark-mode", true)); });
        var second = await cache.GetOrSetAsync("feature:1", 0, (_, _, _) => { calls++; return ValueTask.FromResult(new Feature(1, "other", false)); });
        using (Assert.EnterMultipleScope())
        {
            Assert.That(first.Tier, Is.EqualTo(CacheTier.Factory));
            Assert.That(second.Tier, Is.EqualTo(CacheTier.Redis));
            Assert.That(second.Value, Is.EqualTo(new Feature(1, "dark-mode", true)));
            Assert.That(calls, Is.EqualTo(1));
        }
    }

    [Test]
    public async Task A_thousand_concurrent_callers_on_a_cold_key_run_the_factory_once()
    {
        var cache = CreateCache(Options(Server), _connection);
        var calls = 0;
        var gate = new TaskCompletionSource();
        var callers = Enumerable.Range(0, 1000).Select(_ => cache.GetOrSetAsync("cold", gate, async (g, _, _) =>
        {
            Interlocked.Increment(ref calls);
            await g.Task;
            return "computed";
        }).AsTask()).ToArray();
        gate.SetResult();
        var results = await Task.WhenAll(callers);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(calls, Is.EqualTo(1));
            Assert.That(results.All(r => r.Value == "computed"), Is.True);
        }
    }

    [Test]
    public async Task The_factory_can_set_the_entrys_lifetime_from_the_value()
    {
        var cache = CreateCache(Options(Server), _connection);
        await cache.GetOrSetAsync("token", 0, (_, context, _) =>
        {
            context.Options = new CacheEntryOptions { Expiration = TimeSpan.FromSeconds(90), FailSafeMaxDuration = TimeSpan.Zero };
            return ValueTask.FromResult("token-value");
        });
        var ttl = long.Parse(await Server.RunCliAsync("PTTL", cache.TrackingPrefix + "token"), System.Globalization.CultureInfo.InvariantCulture);
        Assert.That(ttl, Is.InRange(85_000, 90_000));
    }

    [Test]
    public async Task DoNotCache_returns_the_value_without_storing_it()
    {
        var cache = CreateCache(Options(Server), _connection);
        await cache.GetOrSetAsync("error-page", 0, (_, context, _) => { context.DoNotCache = true; return ValueTask.FromResult("oops"); });
        Assert.That((await cache.TryGetAsync<string>("error-page")).HasValue, Is.False);
    }

    [Test]
    public async Task Entries_written_by_other_programs_or_of_another_type_are_counted_misses()
    {
        var cache = CreateCache(Options(Server), _connection);
        await Server.RunCliAsync("SET", cache.TrackingPrefix + "foreign", "written by redis-cli");
        await Server.RunCliAsync("SET", cache.TrackingPrefix + "corrupt", "\u00feRC\u0001garbage");
        await cache.SetAsync("typed", new Feature(2, "x", false));
        using (Assert.EnterMultipleScope())
        {
            Assert.That((await cache.TryGetAsync<string>("foreign")).HasValue, Is.False);
            Assert.That((await cache.TryGetAsync<string>("corrupt")).HasValue, Is.False);
            Assert.That((await cache.TryGetAsync<int>("typed")).HasValue, Is.False, "a type change is a miss, not an exception");
            Assert.That(cache.Counters.UnreadableEntries, Is.EqualTo(3));
        }

        var replaced = await cache.GetOrSetAsync("foreign", 0, (_, _, _) => ValueTask.FromResult("ours now"));
        Assert.That(replaced.Tier, Is.EqualTo(CacheTier.Factory));
    }

    [Test]
    public async Task Set_remove_exists_and_try_get()
    {
        var cache = CreateCache(Options(Server), _connection);
        await cache.SetAsync("k", 42);
        using (Assert.EnterMultipleScope())
        {
            Assert.That((await cache.TryGetAsync<int>("k")).Value, Is.EqualTo(42));
            Assert.That(await cache.ExistsAsync("k"), Is.True);
            Assert.That(await cache.RemoveAsync("k"), Is.True);
            Assert.That(await cache.ExistsAsync("k"), Is.False);
            Assert.That((await cache.TryGetAsync<int>("k")).HasValue, Is.False);
            Assert.That(await cache.RemoveAsync("k"), Is.False);
        }
    }

    [Test]
    public async Task Many_key_reads_and_writes_keep_the_order_of_the_keys()
    {
        var cache = CreateCache(Options(Server), _connection);
        var entries = Enumerable.Range(0, 50).Select(i => new System.Collections.Generic.KeyValuePair<string, string>($"item:{i}", $"value-{i}")).ToArray();
        await cache.SetManyAsync(entries);
        var keys = entries.Select(e => e.Key).Append("absent").ToArray();
        var results = await cache.GetManyAsync<string>(keys);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(results, Has.Count.EqualTo(51));
            for (var i = 0; i < 50; i++)
            {
                Assert.That(results[i].Value, Is.EqualTo($"value-{i}"));
            }

            Assert.That(results[50].HasValue, Is.False);
        }
    }

    [Test]
    public async Task Bad_options_are_refused_rather_than_ignored()
    {
        var cache = CreateCache(Options(Server), _connection);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(async () => await cache.SetAsync("k", 1, new CacheEntryOptions { Tags = ["bad tag"] }), Throws.TypeOf<CacheKeyException>());
            Assert.That(async () => await cache.SetAsync("k", 1, new CacheEntryOptions { SlidingExpiration = TimeSpan.Zero }), Throws.ArgumentException);
            Assert.That(async () => await cache.SetAsync("k", 1, new CacheEntryOptions { Profile = "no-such-profile" }), Throws.ArgumentException);
            Assert.That(async () => await cache.SetAsync("bad key", 1), Throws.TypeOf<CacheKeyException>());
        }
    }

    [Test]
    public async Task Profiles_give_the_entry_its_lifetime()
    {
        var cache = CreateCache(Options(Server), _connection);
        await cache.SetAsync("feature:flags", "on", new CacheEntryOptions { Profile = "features", FailSafeMaxDuration = TimeSpan.Zero });
        var ttl = long.Parse(await Server.RunCliAsync("PTTL", cache.TrackingPrefix + "feature:flags"), System.Globalization.CultureInfo.InvariantCulture);
        Assert.That(ttl, Is.InRange(14 * 60_000, 15 * 60_000), "the features profile is 15 minutes");
    }
}
