using System;
using System.Linq;
using System.Threading.Tasks;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using NUnit.Framework;

namespace RedisCaching.Invalidation.Tests;

/// <summary>AddWarming, AddWarmingJob and the warming health check: what they register and refuse. No server needed (nothing connects).</summary>
public class WarmingRegistrationTests
{
    [Test]
    public void Adding_warming_twice_registers_one_hosted_service_and_every_configure_step()
    {
        var services = new ServiceCollection();
        Builder(services)
            .AddWarming(o => o.Interval = TimeSpan.FromMinutes(1))
            .AddWarmingJob("a", (_, _) => Array.Empty<string>().ToAsyncEnumerable(), (_, k, _) => ValueTask.FromResult(k))
            .AddWarmingJob("b", (_, _) => Array.Empty<string>().ToAsyncEnumerable(), (_, k, _) => ValueTask.FromResult(k))
            .AddWarming(o => o.Interval *= 2);
        using var provider = services.BuildServiceProvider();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(provider.GetServices<IHostedService>().Count(s => s.GetType().Name == "CacheWarmingService"), Is.EqualTo(1));
            Assert.That(provider.GetRequiredService<IOptions<CacheWarmingScheduleOptions>>().Value.Interval, Is.EqualTo(TimeSpan.FromMinutes(2)));
        }
    }

    [Test]
    public void A_bad_interval_or_job_option_is_refused_with_the_setting_named()
    {
        var services = new ServiceCollection();
        Builder(services).AddWarming(o => o.Interval = TimeSpan.Zero);
        using var provider = services.BuildServiceProvider();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(() => provider.GetServices<IHostedService>().ToList(), Throws.ArgumentException.With.Message.Contains("Interval"));
            Assert.That(
                () => Builder(new ServiceCollection()).AddWarmingJob("a", (_, _) => Array.Empty<string>().ToAsyncEnumerable(), (_, k, _) => ValueTask.FromResult(k), o => o.MaxConcurrency = 0),
                Throws.ArgumentException.With.Message.Contains("MaxConcurrency"));
        }
    }

    [Test]
    public async Task The_health_check_without_warming_says_what_to_add()
    {
        var services = new ServiceCollection().AddLogging();
        Builder(services);
        services.AddHealthChecks().AddRedisCachingWarming();
        await using var provider = services.BuildServiceProvider();

        var report = await provider.GetRequiredService<HealthCheckService>().CheckHealthAsync();
        var entry = report.Entries["rediscaching-warming"];
        Assert.That((entry.Status, entry.Description), Is.EqualTo((HealthStatus.Unhealthy, "The warming health check has no warming to watch: call AddWarming() (or AddWarmingJob) on the AddRedisCaching() builder.")));
    }

    private static IRedisCachingBuilder Builder(IServiceCollection services) =>
        services.AddRedisCaching(o => o.Redis.ConnectionString = "127.0.0.1:1,abortConnect=false").WithoutEnvironmentVariables();
}
