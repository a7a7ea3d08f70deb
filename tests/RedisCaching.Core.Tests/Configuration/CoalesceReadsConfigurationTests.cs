using System;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using NUnit.Framework;
using RedisCaching.Internal.NamedCaches;

namespace RedisCaching.Core.Tests.Configuration;

/// <summary>RedisCaching:CoalesceReadsAbove: bound from configuration, carried to named caches, checked at start-up.</summary>
public class CoalesceReadsConfigurationTests
{
    private static ServiceProvider Build(string? coalesceReadsAbove) => ConfiguredServices.With("CoalesceReadsAbove", coalesceReadsAbove);

    [TestCase(null, 8)]
    [TestCase("0", 0)]
    [TestCase("32", 32)]
    public void The_key_binds_and_named_caches_inherit_it(string? configured, int expected)
    {
        using var provider = Build(configured);
        Assert.That(() => provider.GetRequiredService<IStartupValidator>().Validate(), Throws.Nothing);
        var main = provider.GetRequiredService<IOptions<RedisCachingOptions>>().Value;
        var named = NamedCacheFactory.Effective(main, provider.GetRequiredService<IOptionsMonitor<NamedCacheOptions>>().Get("reports"));
        using (Assert.EnterMultipleScope())
        {
            Assert.That(main.CoalesceReadsAbove, Is.EqualTo(expected));
            Assert.That(named.CoalesceReadsAbove, Is.EqualTo(expected));
        }
    }

    [Test]
    public void A_negative_value_is_rejected_at_start_up_with_the_key_named()
    {
        using var provider = Build("-1");
        var error = Assert.Catch(() => provider.GetRequiredService<IStartupValidator>().Validate());
        Assert.That(error, Is.TypeOf<OptionsValidationException>().Or.TypeOf<AggregateException>());
        Assert.That(error!.Message, Does.Contain("CoalesceReadsAbove must be zero"));
    }
}
