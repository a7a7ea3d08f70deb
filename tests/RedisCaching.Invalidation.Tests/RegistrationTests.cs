using System;
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
