using System;
using System.Diagnostics;
using System.Text.Json.Serialization;
using System.Threading;
using System.Threading.Tasks;
using NUnit.Framework;
using RedisCaching.Internal.Engine;
using RedisCaching.Core.Tests.Connections;
using static RedisCaching.Core.Tests.Cache.CacheTestSupport;

namespace RedisCaching.Core.Tests.Cache;

/// <summary>
/// Regression tests for defects an adversarial review found (each failed before its fix): writes that end without a
/// confirmed result, breaker probes without a verdict, connection acquisition outside the budget, a polymorphic type
/// change, and the factory-throttle map's growth.
/// </summary>
public class RobustnessTests : StandaloneServerFixture
{
    private async Task<string> RedisGet(CoherentCache c, string key) => await Server.RunCliAsync("GET", c.Cache.RedisKeyOf(key));

    [Test]
    public async Task A_cancelled_set_never_leaves_memory_older_than_redis()
    {
        await using var c = await CreateCoherentAsync(Server, Options(Server));
        await c.Cache.SetAsync("k", "v0");
        Assert.That((await c.Cache.TryGetAsync<string>("k")).Tier, Is.EqualTo(CacheTier.Memory));
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        Assert.CatchAsync<OperationCanceledException>(async () => await c.Cache.SetAsync("k", "v1", null, cts.Token));
        await Task.Delay(300);
        var redis = await RedisGet(c, "k");
        var read = await c.Cache.TryGetAsync<string>("k");
        TestContext.Out.WriteLine($"redis={redis} cache={read.Value} tier={read.Tier}");
        Assert.That(read.Value, Is.EqualTo("v1"), $"Redis holds {redis}, memory served {read.Value} ({read.Tier})");
    }

    [Test]
    public async Task A_cancelled_remove_never_leaves_memory_holding_the_value()
    {
        await using var c = await CreateCoherentAsync(Server, Options(Server));
        await c.Cache.SetAsync("k", "v0");
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        Assert.CatchAsync<OperationCanceledException>(async () => await c.Cache.RemoveAsync("k", cts.Token));
        await Task.Delay(300);
        var exists = await Server.RunCliAsync("EXISTS", c.Cache.RedisKeyOf("k"));
        var read = await c.Cache.TryGetAsync<string>("k");
        TestContext.Out.WriteLine($"exists={exists} hasValue={read.HasValue} tier={read.Tier}");
        Assert.That(read.HasValue, Is.False, $"EXISTS={exists}, but the cache answered from {read.Tier}");
    }

    [Test]
    public async Task A_set_that_lands_after_its_budget_never_leaves_memory_older_than_redis()
    {
        await using var c = await CreateCoherentAsync(Server, Options(Server, o => o.RedisTimeout = TimeSpan.FromMilliseconds(100)));
        await c.Cache.SetAsync("k", "v0");
        await Server.RunCliAsync("CLIENT", "PAUSE", "1000", "WRITE");
        await c.Cache.SetAsync("k", "v1");            // runs over the budget: a counted no-op, memory dropped
        var during = await c.Cache.TryGetAsync<string>("k"); // GET still served during a WRITE pause: v0 refilled
        TestContext.Out.WriteLine($"during pause: {during.Value} {during.Tier}");
        await Task.Delay(1500);
        var redis = await RedisGet(c, "k");
        var read = await c.Cache.TryGetAsync<string>("k");
        TestContext.Out.WriteLine($"redis={redis} cache={read.Value} tier={read.Tier} mode={c.Tier.Mode} flushes={c.Tier.Flushes}");
        Assert.That(read.Value, Is.EqualTo("v1"), $"Redis holds {redis}, memory served {read.Value} ({read.Tier})");
    }

    [Test]
    public async Task A_probe_answered_with_a_server_error_closes_the_breaker()
    {
        var options = Options(Server, o =>
        {
            o.RedisTimeout = TimeSpan.FromMilliseconds(100);
            o.CircuitBreakerThreshold = 1;
            o.CircuitBreakDuration = TimeSpan.FromMilliseconds(200);
        });
        await using var connection = RedisConnectionFactory.Create(options.Redis);
        await connection.GetMultiplexerAsync();
        var cache = CreateCache(options, connection);
        await Server.RunCliAsync("LPUSH", cache.RedisKeyOf("list"), "x");
        await cache.SetAsync("b", "hello");
        await Server.RunCliAsync("CLIENT", "PAUSE", "400", "ALL");
        await cache.TryGetAsync<string>("a"); // times out: breaker opens
        Assert.That(cache.CircuitState, Is.EqualTo(RedisCircuitState.Open));
        await Task.Delay(800);
        await cache.TryGetAsync<string>("list"); // the half-open probe: WRONGTYPE
        await Task.Delay(1000);
        var b = await ReadUntilServedAsync(cache, "b");

        TestContext.Out.WriteLine($"state={cache.CircuitState} b.HasValue={b.HasValue} skipped={cache.Counters.SkippedWhileOpen}");
        Assert.That(b.HasValue, Is.True, "Redis is healthy but the breaker never lets a call through again");
    }

    [Test]
    public async Task A_cancelled_probe_lets_the_next_call_probe()
    {
        var options = Options(Server, o =>
        {
            o.RedisTimeout = TimeSpan.FromMilliseconds(100);
            o.CircuitBreakerThreshold = 1;
            o.CircuitBreakDuration = TimeSpan.FromMilliseconds(200);
        });
        await using var connection = RedisConnectionFactory.Create(options.Redis);
        await connection.GetMultiplexerAsync(); // connected first: the 100 ms budget is for commands here
        var cache = CreateCache(options, connection);
        await cache.SetAsync("b", "hello");
        await Server.RunCliAsync("CLIENT", "PAUSE", "400", "ALL");
        await cache.TryGetAsync<string>("a");
        await Task.Delay(800);
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        Assert.CatchAsync<OperationCanceledException>(async () => await cache.TryGetAsync<string>("b", null, cts.Token));
        await Task.Delay(1000);
        var b = await ReadUntilServedAsync(cache, "b");
        Assert.That(b.HasValue, Is.True, $"breaker stuck in {cache.CircuitState}");
    }

    [Test]
    public async Task The_first_call_to_a_hung_server_waits_no_longer_than_the_budget()
    {
        var options = Options(Server, o => o.RedisTimeout = TimeSpan.FromMilliseconds(250));
        await using var connection = RedisConnectionFactory.Create(options.Redis);
        var cache = CreateCache(options, connection);
        await Server.PauseAsync(); // SIGSTOP: TCP connects, the handshake never answers
        var sw = Stopwatch.StartNew();
        CacheResult<string> r;
        try
        {
            r = await cache.TryGetAsync<string>("x");
        }
        finally
        {
            await Server.ResumeAsync();
        }

        TestContext.Out.WriteLine($"took {sw.ElapsedMilliseconds} ms, hasValue={r.HasValue}");
        Assert.That(sw.Elapsed, Is.LessThan(TimeSpan.FromMilliseconds(1000)), "the 250 ms budget (plus slack), not the 2 s connect timeout");
    }

    [JsonPolymorphic]
    [JsonDerivedType(typeof(Circle), "c")]
    public abstract class Shape
    {
    }

    public sealed class Circle : Shape
    {
        public int R { get; set; }
    }

    [Test]
    public async Task A_type_change_to_a_polymorphic_type_is_a_miss()
    {
        var options = Options(Server);
        await using var connection = RedisConnectionFactory.Create(options.Redis);
        var cache = CreateCache(options, connection);
        await cache.SetAsync("s", new Circle { R = 1 });
        Assert.DoesNotThrowAsync(async () => await cache.TryGetAsync<Shape>("s"));
    }

    [Test]
    public async Task The_factory_throttle_map_stays_bounded()
    {
        var options = Options(Server, o => o.FailSafeThrottleDuration = TimeSpan.FromMilliseconds(10));
        await using var connection = RedisConnectionFactory.Create(options.Redis);
        var cache = CreateCache(options, connection);
        var entry = new CacheEntryOptions { Expiration = TimeSpan.FromMilliseconds(50), FailSafeMaxDuration = TimeSpan.FromMinutes(1) };
        const int Keys = 1500;
        for (var i = 0; i < Keys; i++)
        {
            await cache.SetAsync("k" + i, "v", entry);
        }

        await Task.Delay(100);
        for (var i = 0; i < Keys; i++)
        {
            await cache.GetOrSetAsync<int, string>("k" + i, 0, static (_, _, _) => throw new InvalidOperationException("down"), entry);
        }

        TestContext.Out.WriteLine($"throttled keys={cache.ThrottledKeyCount}");
        Assert.That(cache.ThrottledKeyCount, Is.LessThanOrEqualTo(1025), "expired throttle windows are swept once the map passes 1,024 keys");
    }

    /// <summary>
    /// On a loaded machine one read can overrun a 100 ms budget and open the breaker again for a moment; a breaker that
    /// is stuck never lets any read through, so a few tries over 5 s tell the two apart.
    /// </summary>
    private static async Task<CacheResult<string>> ReadUntilServedAsync(RedisCache cache, string key)
    {
        var read = await cache.TryGetAsync<string>(key);
        var tried = Stopwatch.StartNew();
        while (!read.HasValue && tried.Elapsed < TimeSpan.FromSeconds(5))
        {
            await Task.Delay(300);
            read = await cache.TryGetAsync<string>(key);
        }

        return read;
    }
}
