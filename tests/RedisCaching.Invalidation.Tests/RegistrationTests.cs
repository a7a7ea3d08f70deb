using System;
using System.Collections.Generic;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using NUnit.Framework;

namespace RedisCaching.Invalidation.Tests;

/// <summary>AddInvalidation: what it registers and what it refuses. No server needed (nothing connects).</summary>
public class RegistrationTests
{
    [Test]
    public void The_main_cache_and_each_named_cache_get_an_invalidator()
    {
        var services = new ServiceCollection();
        services.AddRedisCaching(o => o.Redis.ConnectionString = "127.0.0.1:1,abortConnect=false")
            .WithoutEnvironmentVariables()
            .AddNamedCache("reports")
            .AddInvalidation()
            .AddInvalidation(o => o.ScanCount = 500);
        using var provider = services.BuildServiceProvider();

        var main = provider.GetRequiredService<ICacheInvalidator>();
        var reports = provider.GetRequiredKeyedService<ICacheInvalidator>("reports");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(provider.GetRequiredService<ICacheInvalidator>(), Is.SameAs(main), "a singleton");
            Assert.That(reports, Is.Not.SameAs(main));
            Assert.That(provider.GetRequiredKeyedService<ICacheInvalidator>("reports"), Is.SameAs(reports));
            Assert.That(provider.GetRequiredService<IOptions<PatternInvalidationOptions>>().Value.ScanCount, Is.EqualTo(500));
        }
    }

    [Test]
    public void Defaults_come_from_configuration_then_code()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["RedisCaching:Invalidation:ScanCount"] = "250",
            ["RedisCaching:Invalidation:LatencyBudget"] = "00:00:00.002",
            ["RedisCaching:Invalidation:MaxScannedKeysPerSecond"] = "100000",
        }).Build();
        var services = new ServiceCollection().AddSingleton<IConfiguration>(configuration);
        services.AddRedisCaching(o => o.Redis.ConnectionString = "127.0.0.1:1,abortConnect=false")
            .WithoutEnvironmentVariables()
            .AddInvalidation(o => o.MaxScannedKeysPerSecond = 50_000);
        using var provider = services.BuildServiceProvider();

        var options = provider.GetRequiredService<IOptions<PatternInvalidationOptions>>().Value;
        Assert.That((options.ScanCount, options.LatencyBudget, options.MaxScannedKeysPerSecond), Is.EqualTo((250, TimeSpan.FromMilliseconds(2), 50_000)));
    }

    [Test]
    public void A_bad_configuration_value_names_its_key()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["RedisCaching:Invalidation:LatencyBudget"] = "soon" }).Build();
        var services = new ServiceCollection().AddSingleton<IConfiguration>(configuration);
        services.AddRedisCaching(o => o.Redis.ConnectionString = "127.0.0.1:1,abortConnect=false").WithoutEnvironmentVariables().AddInvalidation();
        using var provider = services.BuildServiceProvider();
        Assert.That(
            () => provider.GetRequiredService<IOptions<PatternInvalidationOptions>>().Value,
            Throws.InstanceOf<RedisCachingConfigurationException>().With.Property(nameof(RedisCachingConfigurationException.Setting)).EqualTo("RedisCaching:Invalidation:LatencyBudget"));
    }

    [Test]
    public void Bad_defaults_are_refused_with_the_setting_named()
    {
        var services = new ServiceCollection();
        services.AddRedisCaching(o => o.Redis.ConnectionString = "127.0.0.1:1,abortConnect=false")
            .WithoutEnvironmentVariables()
            .AddInvalidation(o => o.ScanCount = 0);
        using var provider = services.BuildServiceProvider();
        Assert.That(() => provider.GetRequiredService<ICacheInvalidator>(), Throws.InstanceOf<OptionsValidationException>().With.Message.Contains("ScanCount"));
    }

    [Test]
    public void Bad_options_for_one_call_are_refused()
    {
        foreach (var options in new[]
        {
            new PatternInvalidationOptions { ScanCount = 0 },
            new PatternInvalidationOptions { MinScanCount = 0 },
            new PatternInvalidationOptions { LatencyBudget = TimeSpan.FromMilliseconds(-1) },
            new PatternInvalidationOptions { MaxScannedKeysPerSecond = 0 },
        })
        {
            Assert.That(options.Validate, Throws.ArgumentException);
        }
    }

    [Test]
    public void CachePattern_Escape_quotes_only_glob_characters()
    {
        using (Assert.EnterMultipleScope())
        {
            Assert.That(CachePattern.Escape("user:42"), Is.EqualTo("user:42"));
            Assert.That(CachePattern.Escape("a*b?c[d]e\\f"), Is.EqualTo("a\\*b\\?c\\[d\\]e\\\\f"));
        }
    }
}
