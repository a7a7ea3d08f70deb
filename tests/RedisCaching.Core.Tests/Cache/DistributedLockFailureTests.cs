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

/// <summary>The cross-process lock when Redis fails (fail-open within the budget) and under a restricted ACL user.</summary>
public class DistributedLockFailureTests
{
    private static readonly CacheEntryOptions Locked = new() { DistributedLockTimeout = TimeSpan.FromSeconds(30) };

    private static async Task<IRedisTestServer> StartAsync(RedisTopology topology)
    {
        RedisAvailability.RequireServer();
        return await ConnectionTestSupport.Servers.StartAsync(topology);
    }

    [Test]
    public async Task With_Redis_frozen_the_factory_runs_within_the_budget()
    {
        await using var server = await StartAsync(RedisTopology.Standalone);
        var options = Options(server, o => o.RedisTimeout = TimeSpan.FromMilliseconds(250));
        await using var connection = RedisConnectionFactory.Create(options.Redis);
        var cache = CreateCache(options, connection);
        await cache.SetAsync("warm-up", "x");
        await server.PauseAsync();
        try
        {
            var stopwatch = Stopwatch.StartNew();
            var result = await cache.GetOrSetAsync("cold", 0, (_, _, _) => ValueTask.FromResult("computed"), Locked);
            using (Assert.EnterMultipleScope())
            {
                Assert.That(result.Value, Is.EqualTo("computed"));
                Assert.That(stopwatch.Elapsed, Is.LessThan(TimeSpan.FromSeconds(2)), "one read budget and one store budget at most, not the 30 s lock wait");
                Assert.That(cache.LockCounters.Acquired + cache.LockCounters.Waits, Is.Zero, "the read failed, so no lock was asked for");
            }
        }
        finally
        {
            await server.ResumeAsync();
        }
    }

    [Test]
    public async Task Redis_freezing_while_a_miss_waits_for_another_holder_ends_the_wait_within_the_budget()
    {
        await using var server = await StartAsync(RedisTopology.Standalone);
        var options = Options(server, o => o.RedisTimeout = TimeSpan.FromMilliseconds(250));
        await using var connection = RedisConnectionFactory.Create(options.Redis);
        var cache = CreateCache(options, connection);

        // Connected first: a miss whose own read failed (a cold connection on a loaded machine can take longer than
        // the 250 ms budget) takes no lock by design, and would not wait for the holder.
        await connection.GetMultiplexerAsync();
        Assert.That(await cache.ExistsAsync("warm-up"), Is.False);
        await server.RunCliAsync("SET", cache.LockKeyOf("held"), "another-process", "PX", "60000");

        var stopwatch = Stopwatch.StartNew();
        var call = cache.GetOrSetAsync("held", 0, (_, _, _) => ValueTask.FromResult("computed"), Locked).AsTask();
        await Task.Delay(500);
        Assert.That(call.IsCompleted, Is.False, "it waits for the holder while Redis answers");
        await server.PauseAsync();
        var paused = stopwatch.Elapsed;
        try
        {
            var result = await call;
            using (Assert.EnterMultipleScope())
            {
                Assert.That(result.Value, Is.EqualTo("computed"));
                Assert.That(stopwatch.Elapsed - paused, Is.LessThan(TimeSpan.FromSeconds(2)), "the next look failed within its budget and the factory ran");
                Assert.That(cache.LockCounters.Waits, Is.EqualTo(1));
                Assert.That(cache.LockCounters.Unavailable, Is.EqualTo(1));
            }
        }
        finally
        {
            await server.ResumeAsync();
        }
    }

    [Test]
    public async Task With_the_circuit_open_there_is_no_lock_and_no_wait()
    {
        await using var server = await StartAsync(RedisTopology.Standalone);
        var options = Options(server, o =>
        {
            o.RedisTimeout = TimeSpan.FromMilliseconds(200);
            o.CircuitBreakerThreshold = 1;
            o.CircuitBreakDuration = TimeSpan.FromMinutes(1);
        });
        await using var connection = RedisConnectionFactory.Create(options.Redis);
        var cache = CreateCache(options, connection);
        await cache.SetAsync("warm-up", "x");
        await server.StopAsync();
        await cache.TryGetAsync<string>("opens-the-circuit");
        Assert.That(cache.CircuitState, Is.EqualTo(RedisCircuitState.Open));

        var stopwatch = Stopwatch.StartNew();
        var result = await cache.GetOrSetAsync("cold", 0, (_, _, _) => ValueTask.FromResult("computed"), Locked);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(result.Value, Is.EqualTo("computed"));
            Assert.That(stopwatch.Elapsed, Is.LessThan(TimeSpan.FromSeconds(1)));
            Assert.That(cache.LockCounters.Acquired + cache.LockCounters.Waits, Is.Zero);
        }
    }

    [Test]
    public async Task Works_under_an_ACL_user_limited_to_its_key_prefix()
    {
        await using var server = await StartAsync(RedisTopology.AclUser);
        var options = Options(server, o =>
        {
            // The ACL user may only touch app:*; lock keys live under the cache's prefix, so they are covered.
            o.Keys.Prefix = server.Topology.AllowedKeyPrefix.TrimEnd(':');
            o.Keys.Namespace = "n" + Guid.NewGuid().ToString("N")[..8];
        });
        var connections = Enumerable.Range(0, 4).Select(_ => RedisConnectionFactory.Create(options.Redis)).ToArray();
        try
        {
            var caches = connections.Select(c => CreateCache(options, c)).ToArray();
            var runs = 0;
            var results = await Task.WhenAll(caches.Select(cache => cache.GetOrSetAsync("shared", 0, async (_, _, ct) =>
            {
                Interlocked.Increment(ref runs);
                await Task.Delay(300, ct);
                return "value";
            }, Locked).AsTask()));
            using (Assert.EnterMultipleScope())
            {
                Assert.That(runs, Is.EqualTo(1));
                Assert.That(results.Select(r => r.Value), Is.All.EqualTo("value"));
                Assert.That(caches.Sum(c => c.LockCounters.Acquired), Is.EqualTo(1));
                Assert.That(caches.Sum(c => c.LockCounters.Unavailable + c.LockCounters.Lost), Is.Zero, "no NOPERM on the lock or its script");
                Assert.That(await server.RunCliAsync("EXISTS", caches[0].LockKeyOf("shared")), Is.EqualTo("0"), "released by the script under the ACL user");
                Assert.That(caches.Sum(c => c.Counters.RedisFailures), Is.Zero);
            }
        }
        finally
        {
            foreach (var connection in connections)
            {
                await connection.DisposeAsync();
            }
        }
    }
}
