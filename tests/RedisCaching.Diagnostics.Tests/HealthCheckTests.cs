using System;
using System.Linq;
using System.Threading.Tasks;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using NUnit.Framework;
using RedisCaching.Testing;

namespace RedisCaching.Diagnostics.Tests;

/// <summary>The health check's verdicts on a healthy cache and on a low hit rate, against a real redis-server.</summary>
public class HealthCheckTests : ServerFixture
{
    [Test]
    public async Task A_fresh_cache_on_a_reachable_redis_is_healthy_and_reports_its_coherence_mode()
    {
        // The latency threshold well above a loaded CI box's PING p99 (144 ms seen while other jobs ran): this test is
        // about the healthy state's data; the latency rule has tests of its own.
        await using var host = await CacheHost.StartAsync(Server, Register(o => o.LatencyDegradedThreshold = TimeSpan.FromSeconds(2)));
        var report = await CheckAsync(host);
        var entry = report.Entries["rediscaching"];
        using (Assert.EnterMultipleScope())
        {
            Assert.That(entry.Status, Is.EqualTo(HealthStatus.Healthy), entry.Description);
            Assert.That(entry.Data["cache.coherence_mode"], Is.EqualTo(nameof(CacheCoherenceMode.Tracking)));
            Assert.That(entry.Data["cache.circuit_state"], Is.EqualTo(nameof(RedisCircuitState.Closed)));
            Assert.That((double)entry.Data["redis.ping.latency_ms"], Is.GreaterThan(0));
            Assert.That((long)entry.Data["redis.used_memory"], Is.GreaterThan(0));
        }
    }

    [Test]
    public async Task A_low_hit_rate_is_degraded_under_the_default_threshold_and_healthy_under_a_lower_one()
    {
        await using var host = await CacheHost.StartAsync(Server, (services, name) =>
        {
            services.AddLogging();
            services.AddHealthChecks()
                .AddRedisCaching(o => o.CacheName = name, name: "default-thresholds")
                .AddRedisCaching(o => { o.CacheName = name; o.MinimumHitRate = 0.1; }, name: "lenient");
        });

        // 100 reads of keys nobody wrote and 20 hits: a hit rate of 1/6, real misses that went to Redis.
        await host.Cache.SetAsync("present", "value");
        for (var i = 0; i < 100; i++)
        {
            Assert.That((await host.Cache.TryGetAsync<string>("absent-" + i)).HasValue, Is.False);
        }

        for (var i = 0; i < 20; i++)
        {
            Assert.That((await host.Cache.TryGetAsync<string>("present")).HasValue, Is.True);
        }

        var report = await CheckAsync(host);
        using (Assert.EnterMultipleScope())
        {
            var strict = report.Entries["default-thresholds"];
            Assert.That(strict.Status, Is.EqualTo(HealthStatus.Degraded), strict.Description);
            Assert.That(strict.Description, Does.Contain("hit rate"));
            Assert.That((double)strict.Data["cache.hit_rate"], Is.EqualTo(20 / 120.0).Within(1e-9));
            Assert.That(report.Entries["lenient"].Status, Is.EqualTo(HealthStatus.Healthy), report.Entries["lenient"].Description);
        }
    }

    [Test]
    public async Task A_slow_redis_is_degraded_by_its_ping_latency()
    {
        // A real round-trip delay: a TCP proxy in front of the server holds each chunk 60 ms each way.
        await using var proxy = FaultProxy.Start(Server);
        await using var host = await CacheHost.StartAsync(
            Server,
            Register(o => o.PingCount = 5),
            o =>
            {
                o.Redis.Host = proxy.Endpoint.Address.ToString();
                o.Redis.Port = proxy.Port;
            });
        Assert.That((await CheckAsync(host)).Entries["rediscaching"].Status, Is.EqualTo(HealthStatus.Healthy), "before the delay");

        proxy.AddLatency(TimeSpan.FromMilliseconds(60));
        var entry = (await CheckAsync(host)).Entries["rediscaching"];
        using (Assert.EnterMultipleScope())
        {
            Assert.That(entry.Status, Is.EqualTo(HealthStatus.Degraded), entry.Description);
            Assert.That(entry.Description, Does.Contain("PING"));
            Assert.That((double)entry.Data["redis.ping.latency_ms"], Is.GreaterThan(100));
        }
    }

    [Test]
    public async Task A_threshold_out_of_range_is_refused_with_the_option_to_fix()
    {
        await using var host = await CacheHost.StartAsync(Server, (services, name) =>
        {
            services.AddLogging();
            services.AddHealthChecks().AddRedisCaching(o => o.MemoryDegradedRatio = 1.5);
        });
        var ex = Assert.ThrowsAsync<Microsoft.Extensions.Options.OptionsValidationException>(() => CheckAsync(host));
        Assert.That(ex!.Message, Does.Contain("RedisCachingHealthCheckOptions"));
    }

    internal static Action<IServiceCollection, string> Register(Action<Diagnostics.RedisCachingHealthCheckOptions>? adjust = null) => (services, name) =>
    {
        services.AddLogging();
        services.AddHealthChecks().AddRedisCaching(o =>
        {
            o.CacheName = name;
            adjust?.Invoke(o);
        });
    };

    internal static Task<HealthReport> CheckAsync(CacheHost host) =>
        host.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync();
}
