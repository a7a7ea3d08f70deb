using System;
using System.Diagnostics;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using NUnit.Framework;
using RedisCaching.Core.Tests.Connections;
using RedisCaching.Testing;
using static RedisCaching.Core.Tests.Cache.CacheTestSupport;

namespace RedisCaching.Core.Tests.Cache;

/// <summary>Fail-safe, factory timeouts, eager refresh, the Redis budget and the circuit breaker, on real servers.</summary>
public class FailureHandlingTests
{
    private static readonly TimeSpan ShortLife = TimeSpan.FromMilliseconds(300);

    private static CacheEntryOptions ShortEntry(Func<CacheEntryOptions, CacheEntryOptions>? adjust = null)
    {
        var options = new CacheEntryOptions { Expiration = ShortLife, FailSafeMaxDuration = TimeSpan.FromMinutes(1) };
        return adjust is null ? options : adjust(options);
    }

    private static async Task<(IRedisTestServer Server, IRedisConnection Connection)> StartAsync()
    {
        RedisAvailability.RequireServer();
        var server = await ConnectionTestSupport.Servers.StartAsync(RedisTopology.Standalone);
        return (server, RedisConnectionFactory.Create(ConnectionTestSupport.OptionsFor(server)));
    }

    [Test]
    public async Task A_failing_factory_gets_the_stale_value_marked_stale()
    {
        var (server, connection) = await StartAsync();
        await using var _ = server;
        await using var __ = connection;
        var cache = CreateCache(Options(server), connection);
        await cache.GetOrSetAsync("price", 0, (_, _, _) => ValueTask.FromResult(10), ShortEntry());
        await Task.Delay(ShortLife + TimeSpan.FromMilliseconds(100));

        var result = await cache.GetOrSetAsync<int, int>("price", 0, (_, _, _) => throw new InvalidOperationException("database down"), ShortEntry());
        using (Assert.EnterMultipleScope())
        {
            Assert.That(result.Value, Is.EqualTo(10));
            Assert.That(result.IsStale, Is.True);
            Assert.That(cache.Counters.StaleServed, Is.EqualTo(1));
        }
    }

    [Test]
    public async Task After_a_failure_the_factory_is_throttled_but_a_newer_value_is_still_seen()
    {
        var (server, connection) = await StartAsync();
        await using var _ = server;
        await using var __ = connection;
        var cache = CreateCache(Options(server, o => o.FailSafeThrottleDuration = TimeSpan.FromSeconds(30)), connection);
        await cache.GetOrSetAsync("rate", 0, (_, _, _) => ValueTask.FromResult(1), ShortEntry());
        await Task.Delay(ShortLife + TimeSpan.FromMilliseconds(100));

        var calls = 0;
        ValueTask<int> Failing(int state, CacheFactoryContext context, CancellationToken token)
        {
            Interlocked.Increment(ref calls);
            throw new InvalidOperationException("backend down");
        }

        var first = await cache.GetOrSetAsync("rate", 0, Failing, ShortEntry());
        var second = await cache.GetOrSetAsync("rate", 0, Failing, ShortEntry());
        using (Assert.EnterMultipleScope())
        {
            Assert.That(first.IsStale && second.IsStale, Is.True);
            Assert.That(calls, Is.EqualTo(1), "the failing factory is not called again within the throttle");
        }

        await cache.SetAsync("rate", 2);
        Assert.That((await cache.GetOrSetAsync("rate", 0, Failing, ShortEntry())).Value, Is.EqualTo(2), "a newer value written meanwhile wins over the throttled stale one");
    }

    [Test]
    public async Task Without_a_stale_value_the_factorys_exception_reaches_the_caller()
    {
        var (server, connection) = await StartAsync();
        await using var _ = server;
        await using var __ = connection;
        var cache = CreateCache(Options(server), connection);
        Assert.That(
            async () => await cache.GetOrSetAsync<int, int>("never", 0, (_, _, _) => throw new InvalidOperationException("database down")),
            Throws.InvalidOperationException.With.Message.EqualTo("database down"));
    }

    [Test]
    public async Task A_soft_timeout_serves_stale_at_once_and_the_factory_finishes_in_the_background()
    {
        var (server, connection) = await StartAsync();
        await using var _ = server;
        await using var __ = connection;
        var cache = CreateCache(Options(server), connection);
        var entry = ShortEntry(o => o with { FactorySoftTimeout = TimeSpan.FromMilliseconds(50) });
        await cache.GetOrSetAsync("report", 0, (_, _, _) => ValueTask.FromResult("v1"), entry);
        await Task.Delay(ShortLife + TimeSpan.FromMilliseconds(100));

        var stopwatch = Stopwatch.StartNew();
        var result = await cache.GetOrSetAsync("report", 0, async (_, context, token) =>
        {
            await Task.Delay(2000, CancellationToken.None);
            context.Options = entry with { Expiration = TimeSpan.FromMinutes(1) };
            return "v2";
        }, entry);
        stopwatch.Stop();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(result.Value, Is.EqualTo("v1"));
            Assert.That(result.IsStale, Is.True);
            Assert.That(stopwatch.Elapsed, Is.LessThan(TimeSpan.FromMilliseconds(1500)), "served long before the 2 s factory finished");
        }

        await Task.Delay(2500);
        Assert.That((await cache.TryGetAsync<string>("report")).Value, Is.EqualTo("v2"), "the background factory stored its value");
    }

    [Test]
    public async Task A_hard_timeout_without_a_stale_value_is_a_typed_error()
    {
        var (server, connection) = await StartAsync();
        await using var _ = server;
        await using var __ = connection;
        var cache = CreateCache(Options(server), connection);
        var stopwatch = Stopwatch.StartNew();
        Assert.That(
            async () => await cache.GetOrSetAsync("slow", 0, async (_, _, token) =>
            {
                await Task.Delay(5000, token);
                return 1;
            }, new CacheEntryOptions { FactoryHardTimeout = TimeSpan.FromMilliseconds(100) }),
            Throws.TypeOf<CacheFactoryTimeoutException>());
        Assert.That(stopwatch.Elapsed, Is.LessThan(TimeSpan.FromSeconds(2)));
    }

    [Test]
    public async Task Eager_refresh_returns_the_current_value_and_refreshes_once_in_the_background()
    {
        var (server, connection) = await StartAsync();
        await using var _ = server;
        await using var __ = connection;
        var cache = CreateCache(Options(server), connection);
        var entry = new CacheEntryOptions { Expiration = TimeSpan.FromSeconds(2), EagerRefreshThreshold = 0.5f };
        var calls = 0;
        ValueTask<int> Factory(int state, CacheFactoryContext context, CancellationToken token) => ValueTask.FromResult(Interlocked.Increment(ref calls));

        Assert.That((await cache.GetOrSetAsync("counter", 0, Factory, entry)).Value, Is.EqualTo(1));
        await Task.Delay(1100);
        var results = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => cache.GetOrSetAsync("counter", 0, Factory, entry).AsTask()));
        // Callers get the current value at once: the old one until the background refresh lands, then the new one.
        Assert.That(results.Select(r => r.Value), Is.All.InRange(1, 2));
        Assert.That(results[0].Value, Is.EqualTo(1), "the first caller past the refresh point is not held up by the refresh");
        var waited = Stopwatch.StartNew();
        while (Volatile.Read(ref calls) < 2 && waited.Elapsed < TimeSpan.FromSeconds(3))
        {
            await Task.Delay(20);
        }

        await Task.Delay(100);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(calls, Is.EqualTo(2), "one background refresh");
            Assert.That((await cache.TryGetAsync<int>("counter")).Value, Is.EqualTo(2));
        }
    }

    [Test]
    public async Task A_refresh_started_from_an_entry_already_refreshed_elsewhere_does_not_run_the_factory_again()
    {
        var (server, connection) = await StartAsync();
        await using var _ = server;
        await using var __ = connection;
        await using var proxy = FaultProxy.Start(server);
        var optionsA = Options(server);
        var optionsB = Options(server, o =>
        {
            (o.Redis.Host, o.Redis.Port, o.Keys.Prefix) = (proxy.Endpoint.Address.ToString(), proxy.Port, optionsA.Keys.Prefix);
            (o.Redis.CommandTimeout, o.RedisTimeout) = (TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(10));
        });
        await using var throughProxy = RedisConnectionFactory.Create(optionsB.Redis);
        var a = CreateCache(optionsA, connection);
        var b = CreateCache(optionsB, throughProxy);
        var entry = new CacheEntryOptions { Expiration = TimeSpan.FromSeconds(3), EagerRefreshThreshold = 0.3f };
        var calls = 0;
        ValueTask<int> Factory(int state, CacheFactoryContext context, CancellationToken token) => ValueTask.FromResult(Interlocked.Increment(ref calls));

        Assert.That((await a.GetOrSetAsync("k", 0, Factory, entry)).Value, Is.EqualTo(1));
        Assert.That((await b.TryGetAsync<int>("k")).Value, Is.EqualTo(1), "B connected");
        await Task.Delay(1000); // past the refresh point (0.9 s)

        // B's read reaches Redis first and returns the old entry, but its reply is still on the slow link while A
        // refreshes the same entry and its new value lands: B then sees the old entry past its refresh point.
        proxy.AddLatency(TimeSpan.FromMilliseconds(300));
        var bRead = b.GetOrSetAsync("k", 0, Factory, entry).AsTask();
        await Task.Delay(400);
        Assert.That((await a.GetOrSetAsync("k", 0, Factory, entry)).Value, Is.EqualTo(1), "A serves the old value and refreshes it");
        var waited = Stopwatch.StartNew();
        while (Volatile.Read(ref calls) < 2 && waited.Elapsed < TimeSpan.FromSeconds(5))
        {
            await Task.Delay(10);
        }

        var bResult = await bRead;
        TestContext.Progress.WriteLine($"B: {bResult.Value} from {bResult.Tier} (stale {bResult.IsStale}), Redis failures {b.Counters.RedisFailures}, misses {b.Counters.Misses}, factory runs {b.Counters.FactoryRuns}; A factory runs {a.Counters.FactoryRuns}");
        Assert.That(bResult.Value, Is.EqualTo(1), "B's read found the old entry");
        await Task.Delay(1500); // B's refresh, had it run its factory, through the slow link
        using (Assert.EnterMultipleScope())
        {
            Assert.That(Volatile.Read(ref calls), Is.EqualTo(2), "B refreshed an entry A had already replaced");
            Assert.That((await a.TryGetAsync<int>("k")).Value, Is.EqualTo(2));
        }
    }

    [Test]
    public async Task Eager_refresh_also_starts_from_a_memory_hit()
    {
        var (server, connection) = await StartAsync();
        await using var _ = server;
        await using var __ = connection;
        await using var coherent = await CreateCoherentAsync(server, Options(server));
        var cache = coherent.Cache;
        // Refresh point at 0.9 s, expiry at 3 s: a slow machine cannot turn the hit into an expiry.
        var entry = new CacheEntryOptions { Expiration = TimeSpan.FromSeconds(3), EagerRefreshThreshold = 0.3f };
        var calls = 0;
        ValueTask<int> Factory(int state, CacheFactoryContext context, CancellationToken token) => ValueTask.FromResult(Interlocked.Increment(ref calls));

        // The miss fills memory; past the refresh point the next call is a memory hit (the path without a Redis read).
        Assert.That((await cache.GetOrSetAsync("counter", 0, Factory, entry)).Value, Is.EqualTo(1));
        await Task.Delay(1100);
        var hit = await cache.GetOrSetAsync("counter", 0, Factory, entry);
        Assert.That((hit.Tier, hit.Value), Is.EqualTo((CacheTier.Memory, 1)), "the hit past the refresh point returns the current value at once");
        var waited = Stopwatch.StartNew();
        while (Volatile.Read(ref calls) < 2 && waited.Elapsed < TimeSpan.FromSeconds(3))
        {
            await Task.Delay(20);
        }

        await Task.Delay(100);
        Assert.That(Volatile.Read(ref calls), Is.EqualTo(2), "the memory hit started one background refresh");
    }

    [Test]
    public async Task A_frozen_redis_costs_each_call_at_most_its_budget_and_opens_the_breaker()
    {
        var (server, connection) = await StartAsync();
        await using var _ = server;
        await using var __ = connection;
        var options = Options(server, o =>
        {
            o.RedisTimeout = TimeSpan.FromMilliseconds(250);
            o.CircuitBreakerThreshold = 3;
            o.CircuitBreakDuration = TimeSpan.FromSeconds(1);
        });

        // The client's own command timeout is 5 s here, so only the cache's 250 ms budget can explain a fast failure.
        await using var slowClient = RedisConnectionFactory.Create(ConnectionTestSupport.OptionsFor(server, o => o.CommandTimeout = TimeSpan.FromSeconds(5)));
        await slowClient.GetMultiplexerAsync();
        var cache = CreateCache(options, slowClient);
        await cache.SetAsync("k", "before");

        await server.PauseAsync();
        try
        {
            var worst = TimeSpan.Zero;
            for (var i = 0; i < 6; i++)
            {
                var stopwatch = Stopwatch.StartNew();
                var result = await cache.GetOrSetAsync("k", i, (n, _, _) => ValueTask.FromResult($"factory-{n}"));
                stopwatch.Stop();
                worst = stopwatch.Elapsed > worst ? stopwatch.Elapsed : worst;
                Assert.That(result.Tier, Is.EqualTo(CacheTier.Factory), "a dead Redis is a miss, never an exception");
            }

            TestContext.Progress.WriteLine($"frozen Redis: worst call {worst.TotalMilliseconds:F0} ms, breaker {cache.CircuitState}, skipped {cache.Counters.SkippedWhileOpen}");
            using (Assert.EnterMultipleScope())
            {
                Assert.That(worst, Is.LessThan(TimeSpan.FromMilliseconds(250 * 2 + 1000)), "get and set each within the 250 ms budget (plus scheduling slack on a loaded machine), far below the client's 5 s");
                Assert.That(cache.CircuitState, Is.EqualTo(RedisCircuitState.Open));
                Assert.That(cache.Counters.SkippedWhileOpen, Is.GreaterThan(0));
            }
        }
        finally
        {
            await server.ResumeAsync();
        }

        await Task.Delay(TimeSpan.FromSeconds(1.2));
        Assert.That(cache.CircuitState, Is.EqualTo(RedisCircuitState.HalfOpen));
        // The probe may still meet the reconnecting socket; each failed probe reopens the breaker for a second.
        var deadline = Stopwatch.StartNew();
        while (cache.CircuitState != RedisCircuitState.Closed && deadline.Elapsed < TimeSpan.FromSeconds(15))
        {
            await cache.TryGetAsync<string>("k");
            if (cache.CircuitState != RedisCircuitState.Closed)
            {
                await Task.Delay(200);
            }
        }

        Assert.That(cache.CircuitState, Is.EqualTo(RedisCircuitState.Closed));
    }

    [Test]
    public async Task A_dropped_connection_fails_every_read_in_flight_but_counts_once_and_leaves_the_breaker_closed()
    {
        var (server, connection) = await StartAsync();
        await using var _ = server;
        await using var __ = connection;
        await using var proxy = FaultProxy.Start(server);
        var options = Options(server, o =>
        {
            o.Redis.Host = proxy.Endpoint.Address.ToString();
            o.Redis.Port = proxy.Port;
            o.CoalesceReadsAbove = 0; // 16 GETs of their own: each a failure of its own

            // Reads while it reconnects wait for the connection instead of failing at once (the default), so the only
            // failures are the reads the reset caught in flight: the burst under test.
            o.Redis.FailFastWhenDisconnected = false;
        });
        await using var throughProxy = RedisConnectionFactory.Create(options.Redis);
        var cache = CreateCache(options, throughProxy);
        await cache.SetAsync("k", "v");

        // Sixteen reads in flight, held by the proxy, then the connection reset under all of them at once.
        proxy.BlackHole();
        var reads = Enumerable.Range(0, 16).Select(_ => cache.TryGetAsync<string>("k").AsTask()).ToArray();
        await Task.Delay(200);
        proxy.DropAllConnections(); // before PassThrough, which would let the held replies through first
        proxy.PassThrough();
        var failed = await Task.WhenAll(reads);

        // The next reads wait in StackExchange.Redis's backlog for the reconnect (FailFastWhenDisconnected off), then reach Redis.
        var after = false;
        for (var waited = Stopwatch.StartNew(); !after && waited.Elapsed < TimeSpan.FromSeconds(10); await Task.Delay(50))
        {
            after = (await cache.TryGetAsync<string>("k")).Tier == CacheTier.Redis;
        }

        TestContext.Progress.WriteLine($"{failed.Count(r => !r.HasValue)} of 16 reads failed with the connection; {cache.Counters.RedisFailures} Redis failures, breaker {cache.CircuitState}, skipped {cache.Counters.SkippedWhileOpen}");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(failed.Count(r => !r.HasValue), Is.GreaterThanOrEqualTo(5), "the reset must fail at least the threshold's count of reads in flight, or this proves nothing");
            Assert.That(cache.CircuitState, Is.EqualTo(RedisCircuitState.Closed), "one reset opened the breaker");
            Assert.That(cache.Counters.SkippedWhileOpen, Is.Zero);
            Assert.That(after, Is.True, "reads did not reach Redis again after the reconnect");
        }
    }

    [Test]
    public async Task ThrowOnRedisFailure_makes_a_dead_redis_a_typed_error()
    {
        var (server, connection) = await StartAsync();
        await using var _ = server;
        await using var __ = connection;
        var cache = CreateCache(Options(server, o => o.ThrowOnRedisFailure = true), connection);
        await cache.SetAsync("k", 1);
        await server.StopAsync();
        Assert.That(async () => await cache.TryGetAsync<int>("k"), Throws.TypeOf<CacheUnavailableException>());
    }
}
