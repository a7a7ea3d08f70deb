using System;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using NUnit.Framework;

namespace RedisCaching.Invalidation.Tests;

/// <summary>AddInvalidation registers ICacheDependencies for each cache and checks its limits at start-up. No server needed.</summary>
public class DependencyRegistrationTests
{
    [Test]
    public void The_main_cache_and_each_named_cache_get_their_own_dependencies()
    {
        var services = new ServiceCollection();
        services.AddRedisCaching(o => o.Redis.ConnectionString = "127.0.0.1:1,abortConnect=false")
            .WithoutEnvironmentVariables()
            .AddNamedCache("reports")
            .AddInvalidation();
        using var provider = services.BuildServiceProvider();

        var main = provider.GetRequiredService<ICacheDependencies>();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(provider.GetRequiredService<ICacheDependencies>(), Is.SameAs(main));
            Assert.That(provider.GetRequiredKeyedService<ICacheDependencies>("reports"), Is.Not.SameAs(main));
        }
    }

    [TestCase(0, 32, "MaxDepth")]
    [TestCase(8, 0, "MaxTags")]
    public void A_limit_out_of_range_stops_the_start_and_names_the_setting(int maxDepth, int maxTags, string setting)
    {
        var services = new ServiceCollection();
        services.AddRedisCaching(o => o.Redis.ConnectionString = "127.0.0.1:1,abortConnect=false").WithoutEnvironmentVariables().AddInvalidation();
        services.Configure<CacheDependencyOptions>(o => (o.MaxDepth, o.MaxTags) = (maxDepth, maxTags));
        using var provider = services.BuildServiceProvider();

        var error = Assert.Throws<ArgumentException>(() => provider.GetRequiredService<IStartupValidator>().Validate());
        Assert.That(error!.Message, Does.Contain(setting));
    }
}
