using System;
using System.Threading;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using NUnit.Framework;

namespace RedisCaching.Core.Tests.Configuration;

/// <summary>RedisCaching:Memory:MaxStaleness: bound from configuration (main and named caches), checked at start-up.</summary>
public class MaxStalenessConfigurationTests
{
    private static ServiceProvider Build(string? maxStaleness) => ConfiguredServices.With("Memory:MaxStaleness", maxStaleness);

    [TestCase(null, 25)]
    [TestCase("00:00:00.050", 50)]
    [TestCase("00:00:00.010", 10)]
    [TestCase("-00:00:00.001", -1)]
    public void The_key_binds_and_named_caches_inherit_it(string? configured, int expectedMs)
    {
        using var provider = Build(configured);
        var expected = TimeSpan.FromMilliseconds(expectedMs);
        Assert.That(() => provider.GetRequiredService<IStartupValidator>().Validate(), Throws.Nothing);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(provider.GetRequiredService<IOptions<RedisCachingOptions>>().Value.Memory.MaxStaleness, Is.EqualTo(expected));
            Assert.That(provider.GetRequiredService<IOptionsMonitor<NamedCacheOptions>>().Get("reports").Memory.MaxStaleness, Is.EqualTo(expected));
        }

        if (expectedMs < 0)
        {
            Assert.That(expected, Is.EqualTo(Timeout.InfiniteTimeSpan));
        }
    }

    [TestCase("00:00:00.009")]
    [TestCase("00:00:00")]
    [TestCase("-00:00:01")]
    public void Less_than_10_ms_is_rejected_at_start_up_with_the_key_named(string configured)
    {
        using var provider = Build(configured);
        // The main cache and the named cache (which inherits the value) each report it.
        var error = Assert.Catch(() => provider.GetRequiredService<IStartupValidator>().Validate());
        Assert.That(error, Is.TypeOf<OptionsValidationException>().Or.TypeOf<AggregateException>());
        Assert.That(error!.Message, Does.Contain("Memory:MaxStaleness must be at least 10 ms"));
    }
}
