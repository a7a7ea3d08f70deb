using System;
using System.Collections.Generic;
using System.Threading.Tasks;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using NUnit.Framework;
using RedisCaching.Core.Tests.Connections;

namespace RedisCaching.Core.Tests.Cache;

/// <summary>The cache through dependency injection and configuration.</summary>
public class CacheRegistrationTests : StandaloneServerFixture
{
    private static ServiceProvider Build(IDictionary<string, string?> settings)
    {
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(settings).Build());
        services.AddRedisCaching().WithoutEnvironmentVariables();
        return services.BuildServiceProvider();
    }

    [Test]
    public async Task ICache_from_the_container_reads_its_settings_from_configuration()
    {
        var prefix = "di" + Guid.NewGuid().ToString("N")[..8];
        await using var provider = Build(new Dictionary<string, string?>
        {
            ["RedisCaching:Redis:ConnectionString"] = $"{Server.Host}:{Server.Port}",
            ["RedisCaching:Keys:Prefix"] = prefix,
            ["RedisCaching:Keys:Environment"] = "test",
            ["RedisCaching:Profiles:features:Expiration"] = "00:02:00",
            ["RedisCaching:Profiles:custom:Expiration"] = "00:00:45",
            ["RedisCaching:Profiles:sessions:SlidingExpiration"] = "00:20:00",
            ["RedisCaching:Profiles:sessions:Expiration"] = "08:00:00",
            ["RedisCaching:Profiles:sessions:Tags:0"] = "sessions",
            ["RedisCaching:Profiles:sessions:Tags:1"] = "users",
            ["RedisCaching:Profiles:reports:Tags"] = "reports, finance",
            ["RedisCaching:RedisTimeout"] = "00:00:03",
            ["RedisCaching:Memory:MaxEntries"] = "500",
            ["RedisCaching:Memory:MaxEntryLifetime"] = "00:01:00",
        });
        var cache = provider.GetRequiredService<ICache>();
        await cache.SetAsync("flag", "on", new CacheEntryOptions { Profile = "features", FailSafeMaxDuration = TimeSpan.Zero });
        await cache.SetAsync("other", "x", new CacheEntryOptions { Profile = "custom", FailSafeMaxDuration = TimeSpan.Zero });
        var options = provider.GetRequiredService<IOptions<RedisCachingOptions>>().Value;
        using (Assert.EnterMultipleScope())
        {
            Assert.That((await cache.TryGetAsync<string>("flag")).Value, Is.EqualTo("on"));
            Assert.That(long.Parse(await Server.RunCliAsync("PTTL", $"{prefix}:test:flag"), System.Globalization.CultureInfo.InvariantCulture), Is.InRange(110_000, 120_000), "the configured profile overrides the shipped 15 minutes");
            Assert.That(long.Parse(await Server.RunCliAsync("PTTL", $"{prefix}:test:other"), System.Globalization.CultureInfo.InvariantCulture), Is.InRange(40_000, 45_000));
            Assert.That(options.RedisTimeout, Is.EqualTo(TimeSpan.FromSeconds(3)));
            Assert.That(options.Memory.MaxEntries, Is.EqualTo(500));
            Assert.That(options.Memory.MaxEntryLifetime, Is.EqualTo(TimeSpan.FromMinutes(1)));
            Assert.That(options.Profiles["requirements"].Expiration, Is.EqualTo(TimeSpan.FromHours(1)), "shipped profiles stay");
            Assert.That(options.Profiles["sessions"].SlidingExpiration, Is.EqualTo(TimeSpan.FromMinutes(20)));
            Assert.That(options.Profiles["sessions"].Tags, Is.EqualTo(new[] { "sessions", "users" }));
            Assert.That(options.Profiles["reports"].Tags, Is.EqualTo(new[] { "reports", "finance" }));
        }
    }

    [TestCase("RedisCaching:Memory:MaxEntries", "0", "Memory")]
    [TestCase("RedisCaching:Memory:MaxEntryLifetime", "soon", "MaxEntryLifetime")]
    [TestCase("RedisCaching:Keys:Prefix", "a:b", "Keys:Prefix")]
    [TestCase("RedisCaching:RedisTimeout", "00:00:00", "RedisTimeout")]
    [TestCase("RedisCaching:CircuitBreakerThreshold", "0", "CircuitBreakerThreshold")]
    [TestCase("RedisCaching:Profiles:x:EagerRefreshThreshold", "lots", "EagerRefreshThreshold")]
    [TestCase("RedisCaching:Profiles:x:EagerRefreshThreshold", "1.5", "Profiles:x")]
    [TestCase("RedisCaching:Profiles:x:SlidingExpiration", "00:00:00", "Profiles:x")]
    [TestCase("RedisCaching:Profiles:x:Tags", "has space", "Profiles:x")]
    [TestCase("RedisCaching:Keys:AllowedPunctuation", ":!", "AllowedPunctuation")]
    public void Bad_cache_settings_are_rejected_at_start_up(string key, string value, string named)
    {
        using var provider = Build(new Dictionary<string, string?> { ["RedisCaching:Redis:ConnectionString"] = "localhost:6379", [key] = value });
        var error = Assert.Catch(() => provider.GetRequiredService<IStartupValidator>().Validate());
        Assert.That(error!.Message, Does.Contain(named));
    }
}
