using System;
using System.Collections.Generic;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using NUnit.Framework;
using RedisCaching.Internal.Engine;
using RedisCaching.Internal.Keys;

namespace RedisCaching.Core.Tests.Cache;

/// <summary>The lock option: resolution, binding, start-up validation, and the key space user keys cannot reach.</summary>
public class DistributedLockOptionsTests
{
    private static ServiceProvider Build(Dictionary<string, string?> settings)
    {
        var services = new ServiceCollection();
        settings["RedisCaching:Redis:ConnectionString"] = "localhost:6379";
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(settings).Build());
        services.AddRedisCaching().WithoutEnvironmentVariables();
        return services.BuildServiceProvider();
    }

    [Test]
    public void Resolves_from_the_call_then_the_profile_then_the_defaults_and_zero_is_off()
    {
        var defaults = new CacheEntryOptions { Expiration = TimeSpan.FromMinutes(1), DistributedLockTimeout = TimeSpan.FromSeconds(3) };
        var profiles = new Dictionary<string, CacheEntryOptions> { ["reports"] = new() { DistributedLockTimeout = TimeSpan.FromSeconds(20) } };
        var resolver = new EntryOptionsResolver(defaults, profiles, static tag => "!tag:" + tag, CacheTestSupport.BuiltInCodecs());
        using (Assert.EnterMultipleScope())
        {
            Assert.That(resolver.Resolve(null).DistributedLockTimeout, Is.EqualTo(TimeSpan.FromSeconds(3)));
            Assert.That(resolver.Resolve(new CacheEntryOptions { Profile = "reports" }).DistributedLockTimeout, Is.EqualTo(TimeSpan.FromSeconds(20)));
            Assert.That(resolver.Resolve(new CacheEntryOptions { Profile = "reports", DistributedLockTimeout = TimeSpan.FromSeconds(1) }).DistributedLockTimeout, Is.EqualTo(TimeSpan.FromSeconds(1)));
            Assert.That(resolver.Resolve(new CacheEntryOptions { DistributedLockTimeout = TimeSpan.Zero }).DistributedLockTimeout, Is.Null);
            Assert.That(new EntryOptionsResolver(new CacheEntryOptions(), profiles, static tag => "!tag:" + tag, CacheTestSupport.BuiltInCodecs()).Resolve(null).DistributedLockTimeout, Is.Null, "off unless asked for");
        }
    }

    [Test]
    public void A_negative_timeout_in_a_call_is_an_argument_error()
    {
        var resolver = new EntryOptionsResolver(new CacheEntryOptions(), new Dictionary<string, CacheEntryOptions>(), static tag => "!tag:" + tag, CacheTestSupport.BuiltInCodecs());
        Assert.That(() => resolver.Resolve(new CacheEntryOptions { DistributedLockTimeout = TimeSpan.FromSeconds(-1) }), Throws.ArgumentException.With.Message.Contains("DistributedLockTimeout"));
    }

    [Test]
    public void Binds_from_the_defaults_and_profile_sections()
    {
        using var provider = Build(new Dictionary<string, string?>
        {
            ["RedisCaching:Defaults:DistributedLockTimeout"] = "00:00:02",
            ["RedisCaching:Profiles:reports:DistributedLockTimeout"] = "00:00:30",
        });
        var options = provider.GetRequiredService<IOptions<RedisCachingOptions>>().Value;
        using (Assert.EnterMultipleScope())
        {
            Assert.That(options.DefaultEntryOptions.DistributedLockTimeout, Is.EqualTo(TimeSpan.FromSeconds(2)));
            Assert.That(options.Profiles["reports"].DistributedLockTimeout, Is.EqualTo(TimeSpan.FromSeconds(30)));
        }
    }

    [TestCase("RedisCaching:Profiles:reports:DistributedLockTimeout", "-00:00:01", "Profiles:reports:DistributedLockTimeout")]
    [TestCase("RedisCaching:Defaults:DistributedLockTimeout", "-00:00:05", "Defaults:DistributedLockTimeout")]
    [TestCase("RedisCaching:Defaults:DistributedLockTimeout", "soon", "DistributedLockTimeout")]
    [TestCase("RedisCaching:Keys:AllowedPunctuation", ":_-!", "Keys:AllowedPunctuation")]
    public void Bad_settings_are_rejected_at_start_up_naming_the_key(string key, string value, string named)
    {
        using var provider = Build(new Dictionary<string, string?> { [key] = value });
        var error = Assert.Catch(() => provider.GetRequiredService<IStartupValidator>().Validate());
        Assert.That(error!.Message, Does.Contain(named));
    }

    [Test]
    public void No_cache_key_can_name_a_lock()
    {
        var keys = new CacheKeyBuilder(new CacheKeyOptions { Prefix = "rc" });
        Assert.That(() => keys.ToMemoryKey("!lock:report"), Throws.TypeOf<CacheKeyException>());
    }
}
